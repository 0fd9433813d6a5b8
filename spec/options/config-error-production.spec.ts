import type { ConfigError as ConfigErrorClass } from '../../lib/errors/config-error';

/**
 * `ConfigError` as a production build has it: lib/errors/config-error.ts loaded afresh with
 * `NODE_ENV` 'production' (lib/development.ts reads it when it is loaded).
 */
function productionConfigError(): typeof ConfigErrorClass {
  const previous = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    let loaded: typeof ConfigErrorClass | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = (require('../../lib/errors/config-error') as typeof import('../../lib/errors/config-error')).ConfigError;
    });
    return loaded!;
  } finally {
    process.env['NODE_ENV'] = previous;
  }
}

function boom(): never {
  throw new Error('boom');
}

describe('the ConfigError message of a production build', () => {
  const ConfigError = productionConfigError();

  it.each<[string, unknown, string]>([
    ['a number', 2, 'got 2'],
    ['NaN', NaN, 'got NaN'],
    ['a string, quoted', '2', 'got "2"'],
    ['undefined', undefined, 'got undefined'],
    ['null', null, 'got null'],
    ['a boolean', false, 'got false'],
    ['a BigInt', 10n, 'got 10'],
    ['a symbol', Symbol('s'), 'got Symbol(s)'],
    ['an object, by its type alone', { a: 1 }, 'got object'],
    ['an array', [1], 'got object'],
    ['a function', () => 1, 'got function'],
  ])('names the field and the value, without what is accepted: %s', (_name, value, got) => {
    const error = new ConfigError('retry.jitter', value);
    expect(error.message).toBe(`Invalid option retry.jitter: ${got}`);
    expect(error.field).toBe('retry.jitter');
    expect(error.value).toBe(value);
  });

  it('is built without reading anything of an object: hostile values never throw', () => {
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    const throwingHandler = new Proxy({}, { get: () => boom });
    for (const value of [
      revocable.proxy,
      new Proxy({}, throwingHandler),
      new Proxy(() => undefined, throwingHandler),
      Object.defineProperty({}, 'x', { enumerable: true, get: boom }),
      { toString: boom, [Symbol.toPrimitive]: boom },
      Object.create(null),
    ]) {
      expect(() => new ConfigError('f', value)).not.toThrow();
    }
  });

  it('stays short: long text is cut to 80 characters', () => {
    expect(new ConfigError('f', 'x'.repeat(100_000)).message).toBe(`Invalid option f: got "${'x'.repeat(79)}…`);
    expect(new ConfigError('f', 10n ** 5_000n).message.length).toBeLessThan(120);
    expect(new ConfigError('f', Symbol('s'.repeat(100_000))).message.length).toBeLessThan(120);
  });
});
