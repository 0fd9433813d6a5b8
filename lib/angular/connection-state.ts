import { signal, type Signal } from '@angular/core';
import type { Connection } from '../connection/connection';
import type { ConnectionState } from '../state';

/** One signal per connection, however many components ask. */
const signals = new WeakMap<Connection<unknown, unknown>, Signal<ConnectionState>>();

/**
 * The state of `connection` as a signal: its current state at once, then every change, up to and
 * including `'closed'`.
 *
 * It reads `state$` until `state$` completes, which it does right after `'closed'` (every
 * connection ends there: {@link provideConnection} closes it with its injector), and not until
 * a `DestroyRef` fires: `toSignal(connection.state$)` in the injector that also closes the
 * connection stops listening before the close (Angular runs `onDestroy` callbacks in order of
 * registration) and reads `'connected'` for ever. One signal is kept per connection, so calling
 * this from every component that shows the state costs one subscription in all. Works anywhere,
 * in or out of an injection context.
 *
 * @example
 * ```ts
 * @Component({ template: `<p>{{ state() }}</p>` })
 * class StatusBar {
 *   readonly state = connectionState(inject(FEED));
 * }
 * ```
 */
export function connectionState(connection: Connection<unknown, unknown>): Signal<ConnectionState> {
  let state = signals.get(connection);
  if (state === undefined) {
    const writable = signal<ConnectionState>(connection.state);
    connection.state$.subscribe((value) => writable.set(value));
    state = writable.asReadonly();
    signals.set(connection, state);
  }
  return state;
}
