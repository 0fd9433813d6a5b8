import { guarded, threw } from '../guard';

type Then = (onFulfilled: (value: unknown) => void, onRejected: (error: unknown) => void) => unknown;

/**
 * Settles a value a user callback returned (a URL factory's, a transport factory's,
 * `handshake.message`'s): `resolved` at once with a plain value, or later with what a thenable
 * resolves to. Every read of the value (its `then` getter) and the call of `then` run inside
 * the guard, so a hostile value is the failure of the callback that returned it: `failed`
 * gets what was thrown or rejected. Exactly one of the two is called, at most once, however
 * the thenable behaves.
 */
export function settle(value: unknown, resolved: (value: unknown) => void, failed: (error: unknown) => void): void {
  const then = guarded(thenOf, value);
  if (threw(then)) {
    failed(then.error);
    return;
  }
  if (then === undefined) {
    resolved(value);
    return;
  }
  let done = false;
  const once =
    <A>(next: (arg: A) => void) =>
    (arg: A): void => {
      if (done) return;
      done = true;
      next(arg);
    };
  const onFulfilled = once(resolved);
  const onRejected = once(failed);
  const called = guarded((target: unknown) => then.call(target, onFulfilled, onRejected), value);
  if (threw(called)) onRejected(called.error);
}

/** The `then` method of a thenable, or undefined (user code: its getter may throw). */
function thenOf(value: unknown): Then | undefined {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  const then = (value as { then?: unknown }).then;
  return typeof then === 'function' ? (then as Then) : undefined;
}
