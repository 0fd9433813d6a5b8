import { DEVELOPMENT } from './development';
/**
 * The one place where user-supplied code is called. A throw never escapes into a socket or
 * timer handler: it comes back as a {@link Thrown}, and the caller applies the outcome the
 * contract names for that function (DESIGN.md, "User code never escapes"):
 *
 * | user code | a throw means |
 * |---|---|
 * | `deserialize`, `route`, `isPong` | `InvalidMessage`; the step skips the message (`isPong`: not a pong) |
 * | `match`, `ack`, channel `subscribe`/`unsubscribe`, serializing a channel's messages | that channel errors and is released |
 * | `shouldRetry`, `retry.delay` | no retry: `Closed{reason: 'fatal', error}` |
 * | `url` factory | a failed attempt (retried) |
 * | `handshake.message`, `handshake.ack`, `heartbeat.message` | a failed attempt (retried) |
 *
 * @internal
 */
export class Thrown {
  constructor(
    /** What the user's function threw. */
    readonly error: unknown,
  ) {
    thrownMarks.add(this);
  }
}

/**
 * Every {@link Thrown}, so {@link threw} can recognise one without touching the value it is
 * given: `instanceof` would walk the prototype chain of a user's value, which for a Proxy is
 * user code (a revoked Proxy throws). A WeakSet lookup runs none.
 */
const thrownMarks = new WeakSet<object>();

/**
 * Calls `fn(arg)` with `self` as `this` (the object the user's function came with: a
 * serializer, a channel spec); a throw comes back as a {@link Thrown}. Allocates only when it throws.
 */
export function guarded<A, R>(fn: (arg: A) => R, arg: A, self?: unknown): R | Thrown {
  try {
    return fn.call(self, arg);
  } catch (error) {
    return new Thrown(error);
  }
}

/** True when a guarded call threw. Runs no user code, whatever `result` is (a Proxy included). */
export function threw(result: unknown): result is Thrown {
  return thrownMarks.has(result as object); // false for a primitive: `WeakSet#has` takes any value
}

/**
 * Hands each value of `values`, an iterable a user's function returned (a decoder's result,
 * say), to `each`, in order, while `goOn()` holds. Every read of `values` is user code and
 * runs inside the guard: its `Symbol.iterator`, the iterator's `next`, each step's `done` and
 * `value` (for an array, through any getter or Proxy: `length` and each element), and the
 * iterator's `return` when `goOn()` stops it early (as `for…of` would call it). `each` and
 * `goOn` are ours and run outside the guard: their throws are not blamed on the user.
 *
 * @returns a {@link Thrown} when a read threw or `values` is not iterable (the values handed
 * over before it stay handed over); undefined otherwise
 */
export function guardedEach<T>(values: unknown, each: (value: T) => void, goOn: () => boolean): Thrown | undefined {
  // An array is read by index, with no iterator and no step object per value (a decoder's
  // usual result, on the per-frame path): `next` stays undefined for it. `Array.isArray` throws
  // for a revoked Proxy, so it runs inside the guard too.
  let iterator: Iterator<T> | undefined;
  let next: Iterator<T>['next'] | undefined;
  try {
    if (!Array.isArray(values)) {
      const method: unknown = values === null || values === undefined ? undefined : (values as Iterable<T>)[Symbol.iterator];
      iterator = typeof method === 'function' ? (method.call(values) as Iterator<T>) : undefined;
      next = isObject(iterator) ? iterator.next : undefined; // read once, as `for…of` does
      if (typeof next !== 'function') return notIterable();
    }
  } catch (error) {
    return new Thrown(error);
  }
  for (let i = 0, stopped = false; ; i++) {
    let value: T;
    try {
      if (stopped) {
        // `goOn()` stopped it early: the iterator may clean up (a generator's `finally`), as
        // `break` in `for…of` lets it. An array has nothing to close.
        const close: unknown = iterator?.return;
        if (typeof close === 'function') close.call(iterator);
        return undefined;
      }
      if (next === undefined) {
        if (i >= (values as ArrayLike<T>).length) return undefined;
        value = (values as ArrayLike<T>)[i]!;
      } else {
        const step: unknown = next.call(iterator);
        if (!isObject(step)) return notIterable();
        if ((step as IteratorResult<T>).done) return undefined;
        value = (step as IteratorResult<T>).value as T;
      }
    } catch (error) {
      return new Thrown(error);
    }
    each(value);
    stopped = !goOn();
  }
}

/** Not an iterable, or one whose iterator breaks the protocol (not an object, no `next()`): a TypeError, as `for…of` would throw. */
function notIterable(): Thrown {
  return new Thrown(new TypeError(DEVELOPMENT ? 'not an iterable (or its iterator breaks the iterator protocol)' : 'not an iterable'));
}

function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/**
 * Waits for a value a user's function returned that may be a promise or any thenable (a URL
 * factory's, a transport options factory's, `handshake.message`'s result): `fulfilled(value)`
 * at once when it is not thenable, otherwise `fulfilled` or `rejected` with what it settles to,
 * later, as `await` would. Reading `then` (a getter) and calling it are user code inside the
 * guard: a throw from either is `rejected(error)`, the failure of the callback that returned
 * the value. A thenable settles once (later calls of its callbacks are ignored), a thenable it
 * resolves with is followed, and nothing is left as an unhandled rejection. Never throws.
 *
 * @example
 * ```ts
 * settleUserValue(guardedResult, (url) => open(url), (error) => failAttempt(error));
 * ```
 */
export function settleUserValue<T>(
  value: T | PromiseLike<T>,
  fulfilled: (value: T) => void,
  rejected: (error: unknown) => void,
): void {
  let then: unknown;
  try {
    then = isObject(value) ? (value as { then?: unknown }).then : undefined; // read once
  } catch (error) {
    rejected(error);
    return;
  }
  if (typeof then !== 'function') {
    fulfilled(value as T);
    return;
  }
  // The platform's promise settles once, follows nested thenables and turns a throw from
  // `then` into a rejection: user code runs inside its executor, never outside it.
  new Promise<T>((resolve, reject) => {
    then.call(value, resolve, reject);
  }).then(fulfilled, rejected);
}
