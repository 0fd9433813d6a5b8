import { guardedEach, settleUserValue, threw, Thrown } from '../../lib/guard';

/**
 * DESIGN 0.4, "User values, not only user functions": every read of a value a user's callback
 * returned (`then`, `Symbol.iterator`, `next`, getters) is user code and runs inside the guard.
 * These are the two readers the core uses for such values (issue #16, item 1).
 */

const boom = new Error('boom');

/** Runs guardedEach to the end, collecting what it hands over. */
function collect(values: unknown, stopAfter = Infinity): { got: unknown[]; result: Thrown | undefined } {
  const got: unknown[] = [];
  const result = guardedEach(values, (value) => got.push(value), () => got.length < stopAfter);
  return { got, result };
}

describe('guardedEach(values, each, goOn): every read of a user-returned iterable is guarded', () => {
  it('hands over an array, a Set, a string and a generator in order', () => {
    expect(collect([1, 2, 3])).toEqual({ got: [1, 2, 3], result: undefined });
    expect(collect(new Set(['a', 'b']))).toEqual({ got: ['a', 'b'], result: undefined });
    expect(collect('hi')).toEqual({ got: ['h', 'i'], result: undefined });
    expect(
      collect(
        (function* () {
          yield 1;
          yield 2;
        })(),
      ),
    ).toEqual({ got: [1, 2], result: undefined });
  });

  it('a Symbol.iterator getter that throws is a Thrown carrying what it threw', () => {
    const values = Object.defineProperty({}, Symbol.iterator, {
      get() {
        throw boom;
      },
    });
    const { got, result } = collect(values);
    expect(got).toEqual([]);
    expect(threw(result)).toBe(true);
    expect(result!.error).toBe(boom);
  });

  it('a next getter, a throwing next(), a done or value getter that throws: a Thrown, after the values before', () => {
    const iterable = (make: (step: number) => unknown, nextThrows = false): Iterable<unknown> => ({
      [Symbol.iterator]() {
        let step = 0;
        const iterator = {};
        Object.defineProperty(iterator, 'next', {
          get() {
            if (nextThrows) throw boom;
            return () => make(step++);
          },
        });
        return iterator as Iterator<unknown>;
      },
    });
    const doneGetter = (step: number): unknown =>
      step === 0
        ? { done: false, value: 'first' }
        : Object.defineProperty({}, 'done', {
            get() {
              throw boom;
            },
          });
    const valueGetter = (step: number): unknown =>
      step === 0
        ? { done: false, value: 'first' }
        : Object.defineProperty({ done: false }, 'value', {
            get() {
              throw boom;
            },
          });
    for (const values of [iterable(() => ({ done: true }), true), iterable(doneGetter), iterable(valueGetter)]) {
      const { got, result } = collect(values);
      expect(result?.error).toBe(boom);
      expect(got.length).toBeLessThanOrEqual(1);
    }
    expect(collect(iterable(valueGetter)).got).toEqual(['first']);
  });

  it('an array element getter, a Proxy array whose trap throws and a revoked Proxy are Thrown', () => {
    const withGetter = [1, 2, 3];
    Object.defineProperty(withGetter, 1, {
      get() {
        throw boom;
      },
    });
    expect(collect(withGetter)).toEqual({ got: [1], result: new Thrown(boom) });

    const trap = new Proxy([1, 2], {
      get(target, key) {
        if (key === 'length') throw boom;
        return Reflect.get(target, key);
      },
    });
    expect(collect(trap).result?.error).toBe(boom);

    const { proxy, revoke } = Proxy.revocable([1], {});
    revoke();
    expect(collect(proxy).result?.error).toBeInstanceOf(TypeError);
  });

  it('something not iterable, an iterator that is not an object, a next() result that is not an object: a TypeError', () => {
    for (const values of [
      42,
      null,
      undefined,
      {},
      { [Symbol.iterator]: () => 5 },
      { [Symbol.iterator]: () => ({ next: 5 }) },
      { [Symbol.iterator]: () => ({ next: () => 5 }) },
    ]) {
      const { result } = collect(values);
      expect(result?.error).toBeInstanceOf(TypeError);
    }
  });

  it('stops when goOn() turns false, and lets the iterator clean up (a generator’s finally runs), as for…of does', () => {
    let cleaned = false;
    const values = (function* () {
      try {
        yield 1;
        yield 2;
        yield 3;
      } finally {
        cleaned = true;
      }
    })();
    expect(collect(values, 1)).toEqual({ got: [1], result: undefined });
    expect(cleaned).toBe(true);
  });

  it('a return() that throws when stopped early is a Thrown too', () => {
    const values = {
      [Symbol.iterator]: () => ({
        next: () => ({ done: false, value: 1 }),
        return: () => {
          throw boom;
        },
      }),
    };
    expect(collect(values, 1)).toEqual({ got: [1], result: new Thrown(boom) });
  });

  it('does not guard its own callbacks: a throw from `each` is not blamed on the user', () => {
    const ours = new Error('ours');
    expect(() =>
      guardedEach(
        [1],
        () => {
          throw ours;
        },
        () => true,
      ),
    ).toThrow(ours);
  });
});

describe('settleUserValue(value, fulfilled, rejected): a possibly-thenable user value', () => {
  /** Settles `value` and resolves with what came out, and whether it came synchronously. */
  function settle(value: unknown): Promise<{ outcome: 'fulfilled' | 'rejected'; with: unknown; sync: boolean }> {
    return new Promise((resolve) => {
      let sync = true;
      settleUserValue(
        value,
        (result) => resolve({ outcome: 'fulfilled', with: result, sync }),
        (error) => resolve({ outcome: 'rejected', with: error, sync }),
      );
      sync = false;
    });
  }

  it('a plain value (not thenable) is fulfilled at once, synchronously', async () => {
    await expect(settle('ws://a')).resolves.toEqual({ outcome: 'fulfilled', with: 'ws://a', sync: true });
    await expect(settle(undefined)).resolves.toEqual({ outcome: 'fulfilled', with: undefined, sync: true });
    await expect(settle({ then: 5 })).resolves.toEqual({ outcome: 'fulfilled', with: { then: 5 }, sync: true });
  });

  it('a promise is followed: its value, or its rejection', async () => {
    await expect(settle(Promise.resolve(7))).resolves.toEqual({ outcome: 'fulfilled', with: 7, sync: false });
    await expect(settle(Promise.reject(boom))).resolves.toEqual({ outcome: 'rejected', with: boom, sync: false });
  });

  it('a `then` getter that throws is a rejection with what it threw, at once (the callback failed)', async () => {
    const value = Object.defineProperty({}, 'then', {
      get() {
        throw boom;
      },
    });
    await expect(settle(value)).resolves.toEqual({ outcome: 'rejected', with: boom, sync: true });
  });

  it('reads `then` once: a getter that answers differently the second time is not asked again', async () => {
    let reads = 0;
    const value = Object.defineProperty({}, 'then', {
      get() {
        reads++;
        if (reads > 1) throw boom;
        return (resolve: (v: unknown) => void) => resolve('once');
      },
    });
    await expect(settle(value)).resolves.toEqual({ outcome: 'fulfilled', with: 'once', sync: false });
    expect(reads).toBe(1);
  });

  it('a `then` that throws is a rejection; one that throws after resolving stays resolved', async () => {
    await expect(
      settle({
        then() {
          throw boom;
        },
      }),
    ).resolves.toMatchObject({ outcome: 'rejected', with: boom });
    await expect(
      settle({
        then(resolve: (v: unknown) => void) {
          resolve('first');
          throw boom;
        },
      }),
    ).resolves.toMatchObject({ outcome: 'fulfilled', with: 'first' });
  });

  it('a thenable settles once, whatever it calls later', async () => {
    const calls: string[] = [];
    settleUserValue(
      {
        then(resolve: (v: unknown) => void, reject: (e: unknown) => void) {
          resolve('a');
          resolve('b');
          reject(boom);
        },
      },
      (v) => calls.push(`fulfilled ${String(v)}`),
      () => calls.push('rejected'),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual(['fulfilled a']);
  });

  it('a thenable resolving with a thenable whose `then` getter throws: a rejection, never an unhandled one', async () => {
    const inner = Object.defineProperty({}, 'then', {
      get() {
        throw boom;
      },
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(settle({ then: (resolve: (v: unknown) => void) => resolve(inner) })).resolves.toMatchObject({
        outcome: 'rejected',
        with: boom,
      });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});
