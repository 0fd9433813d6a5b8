import type * as Errors from '../../lib';
import type * as Guard from '../../lib/guard';
import type * as Serializer from '../../lib/serializer';

interface Modules {
  readonly errors: typeof Errors;
  readonly guard: typeof Guard;
  readonly serializer: typeof Serializer;
}

/**
 * The library as a build with `NODE_ENV` `mode` has it: loaded afresh (lib/development.ts reads
 * `NODE_ENV` when it is loaded), so the development-only detail of messages is in or out.
 */
function loadAs(mode: 'production' | 'development'): Modules {
  const previous = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = mode;
  try {
    let modules: Modules | undefined;
    jest.isolateModules(() => {
      /* eslint-disable @typescript-eslint/no-require-imports */
      modules = {
        errors: require('../../lib') as typeof Errors,
        guard: require('../../lib/guard') as typeof Guard,
        serializer: require('../../lib/serializer') as typeof Serializer,
      };
      /* eslint-enable @typescript-eslint/no-require-imports */
    });
    return modules!;
  } finally {
    process.env['NODE_ENV'] = previous;
  }
}

/** The message of the error `guardedEach` reports for a value that is not iterable. */
function notIterableMessage({ guard }: Modules): string {
  const failure = guard.guardedEach(42, () => undefined, () => true);
  return (failure!.error as Error).message;
}

function thrownMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('did not throw');
}

describe('runtime error messages: the figures and explanations are development-only detail', () => {
  const production = loadAs('production');
  const development = loadAs('development');

  it('BufferOverflowError names its buffer and limit; the figures are its fields (and the development message)', () => {
    const make = ({ errors }: Modules, limit: 'maxMessages' | 'maxBytes'): Errors.BufferOverflowError =>
      new errors.BufferOverflowError(limit, 10, 10, 900, 200, 'offline');
    expect(make(production, 'maxMessages').message).toBe('Offline buffer full: maxMessages');
    expect(make(production, 'maxBytes')).toMatchObject({ message: 'Offline buffer full: maxBytes', max: 10, bufferedBytes: 900, messageBytes: 200 });
    expect(make(development, 'maxMessages').message).toBe('Offline buffer full: 10 of 10 messages buffered');
    expect(make(development, 'maxBytes').message).toBe('Offline buffer full: 900 + 200 bytes would exceed 10 bytes');
  });

  it('NotConnectedError: the development message says which option to change', () => {
    expect(new production.errors.NotConnectedError().message).toBe('Not connected');
    expect(new development.errors.NotConnectedError().message).toBe('Not connected and the offline buffer is disabled (buffer: false)');
  });

  it('a decoder result that is not iterable', () => {
    expect(notIterableMessage(production)).toBe('not an iterable');
    expect(notIterableMessage(development)).toBe('not an iterable (or its iterator breaks the iterator protocol)');
  });

  it('a serializer result that is no frame: what it returned, and in development what a frame is', () => {
    expect(thrownMessage(() => production.serializer.checkFrame(5))).toBe('serializer.serialize() returned number');
    expect(thrownMessage(() => development.serializer.checkFrame(5))).toBe(
      'serializer.serialize() returned number; expected a string, ArrayBuffer or ArrayBufferView',
    );
  });
});
