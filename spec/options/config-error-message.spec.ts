import fc from 'fast-check';
import { connect, ConfigError, type ConnectOptions } from '../../lib';
import { TestServer } from '../../lib/testing';

/** What `connect()` throws for these options, or undefined (the connection is closed at once). */
function thrownBy(options: Record<string, unknown>): unknown {
  try {
    connect({ url: 'ws://test', WebSocket: new TestServer().WebSocket, ...options } as ConnectOptions<unknown, unknown>).close();
  } catch (error) {
    return error;
  }
  return undefined;
}

function boom(): never {
  throw new Error('boom');
}

/**
 * What 0.1.0 did with a value: `'crashed'` building the message, printed it `'unbounded'`
 * (a message as long as the value), or printed it well (`'ok'`).
 */
type Before = 'crashed' | 'unbounded' | 'ok';

/** Values whose printing has crashed error reporting before, or could. */
function hostileValues(): Array<[string, unknown, Before]> {
  const selfContaining: unknown[] = [1];
  selfContaining.push(selfContaining);
  const selfContainingObject: Record<string, unknown> = { a: 1 };
  selfContainingObject['self'] = selfContainingObject;
  const throwingHandler = new Proxy({}, { get: () => boom });
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const withThrowingGetter = Object.defineProperty({}, 'x', { enumerable: true, get: boom });
  class Weird {
    get [Symbol.toStringTag](): string {
      return boom();
    }
  }
  return [
    ['Object.create(null)', Object.create(null), 'crashed'],
    ['an object whose toString throws', { toString: boom }, 'crashed'],
    ['an object whose Symbol.toPrimitive throws', { [Symbol.toPrimitive]: boom }, 'crashed'],
    ['an object whose valueOf and toString are not functions', { valueOf: 1, toString: 2 }, 'crashed'],
    ['a self-containing array', selfContaining, 'crashed'],
    ['a self-containing object', selfContainingObject, 'ok'],
    ['a symbol', Symbol('sym'), 'ok'],
    ['a BigInt', 10n, 'ok'],
    ['a Proxy that throws on every trap', new Proxy({}, throwingHandler), 'crashed'],
    ['an array Proxy that throws on every trap', new Proxy([], throwingHandler), 'crashed'],
    ['a function Proxy that throws on every trap', new Proxy(() => undefined, throwingHandler), 'ok'],
    ['a revoked Proxy', revocable.proxy, 'crashed'],
    ['an object with a throwing getter', withThrowingGetter, 'ok'],
    ['a class whose toStringTag getter throws', new Weird(), 'crashed'],
    ['a very long string', 'x'.repeat(100_000), 'unbounded'],
    ['a very long symbol description', Symbol('s'.repeat(100_000)), 'unbounded'],
    ['a huge BigInt', 10n ** 5_000n, 'unbounded'],
    ['a very deep array', Array.from({ length: 10_000 }).reduce<unknown[]>((inner) => [inner], []), 'crashed'],
    ['a very wide object', Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i])), 'ok'],
    ['a sparse array', [, 1, , 2], 'ok'],
  ];
}

const anything = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  withUnicodeString: true,
});
// fast-check inspects the values it generates (`cloneMethod in value`), which a hostile Proxy
// would break, so it generates recipes and the hostile values are only touched by the test.
const hostiles = hostileValues().map(([, value]) => value);
const tag = ' (#8 item 24)';
/** `[name, title tag, value]`: tagged where 0.1.0's message was wrong for that value. */
const messageCases = hostileValues().map(([name, value, before]) => [name, before === 'ok' ? '' : tag, value] as const);
/** Tagged where 0.1.0's `connect()` threw something else than a ConfigError. */
const connectCases = hostileValues().map(([name, value, before]) => [name, before === 'crashed' ? tag : '', value] as const);
type Recipe = () => unknown;
const plain = anything.map((value): Recipe => () => value);
const hostile = fc.nat({ max: hostiles.length - 1 }).map((index): Recipe => () => hostiles[index]);
const leaf = fc.oneof(plain, hostile);
/** Any value, hostile ones included, also nested inside arrays and objects. */
const anyValue = fc.oneof(
  leaf,
  fc.array(leaf, { maxLength: 8 }).map((items): Recipe => () => items.map((make) => make())),
  fc
    .dictionary(fc.string(), leaf, { maxKeys: 8 })
    .map((entries): Recipe => () => Object.fromEntries(Object.entries(entries).map(([key, make]) => [key, make()]))),
);

describe('the ConfigError message', () => {
  it.each(messageCases)('is built for %s without throwing, and stays short%s', (_name, _tag, value) => {
    let error: ConfigError | undefined;
    expect(() => (error = new ConfigError('field', value, 'something else'))).not.toThrow();
    expect(error!.message.startsWith('Invalid option field: expected something else, got ')).toBe(true);
    expect(error!.message.length).toBeLessThan(200);
    expect(error!.value).toBe(value);
  });

  it.each(connectCases)('connect() throws a ConfigError, not another error, for %s as an option%s', (_name, _tag, value) => {
    // Options that accept numbers only, so every value here is invalid for each of them.
    for (const options of [
      { connectTimeout: value },
      { retry: { jitter: value } },
      { heartbeat: { timeout: value } },
      { buffer: { maxMessages: value } },
    ]) {
      const error = thrownBy(options);
      expect(error).toBeInstanceOf(ConfigError);
    }
  });

  it('reads well for the values that used to crash it (#8 item 24)', () => {
    const selfContaining: unknown[] = [1];
    selfContaining.push(selfContaining);
    expect(new ConfigError('url', Object.create(null), 'a URL').message).toBe('Invalid option url: expected a URL, got {}');
    expect(new ConfigError('url', { toString: boom }, 'a URL').message).toBe(
      'Invalid option url: expected a URL, got { toString: a function }',
    );
    expect(new ConfigError('url', selfContaining, 'a URL').message).toBe(
      'Invalid option url: expected a URL, got [1, [Circular]]',
    );
    expect(new ConfigError('f', Symbol('s'), 'x').message).toBe('Invalid option f: expected x, got Symbol(s)');
    expect(new ConfigError('f', 10n, 'x').message).toBe('Invalid option f: expected x, got 10n');
    expect(new ConfigError('f', 'x'.repeat(500), 'y').message).toBe(
      `Invalid option f: expected y, got "${'x'.repeat(80)}…"`,
    );
  });

  it('is built for any value without throwing, and is a bounded string (property) (#8 item 24)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), anyValue, (field, make) => {
        const error = new ConfigError(field, make(), 'what it accepts');
        expect(typeof error.message).toBe('string');
        expect(error.message.startsWith(`Invalid option ${field}: expected what it accepts, got `)).toBe(true);
        expect(error.message.length).toBeLessThan(300);
      }),
      { numRuns: 500 },
    );
  });

  it('connect() given any value as an option throws nothing but a ConfigError (property) (#8 item 24)', () => {
    const optionWith = fc.constantFrom<Array<(value: unknown) => Record<string, unknown>>>(
      (value) => ({ url: value }),
      (value) => ({ url: ['ws://a', value] }),
      (value) => ({ protocols: value }),
      (value) => ({ connectTimeout: value }),
      (value) => ({ retry: value }),
      (value) => ({ retry: { maxDelay: value } }),
      (value) => ({ heartbeat: { timeout: value } }),
      (value) => ({ buffer: { maxMessages: value } }),
      (value) => ({ handshake: value }),
      (value) => ({ circuitBreaker: { resetTimeout: value } }),
      (value) => ({ retyr: value }),
    );
    fc.assert(
      fc.property(optionWith, anything, (option, value) => {
        const error = thrownBy(option(value));
        if (error !== undefined) expect(error).toBeInstanceOf(ConfigError);
      }),
      { numRuns: 500 },
    );
  });
});
