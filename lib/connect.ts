import type { Connection } from './connection/connection';
import { resolveOptions, type ConnectOptions } from './options';
import { ReconnectingConnection } from './connection/reconnecting-connection';
import { UrlPool } from './url-pool';

/**
 * Opens a connection that survives the network: it reconnects with backoff, replays channel
 * subscriptions, buffers sends while offline, and reports its life on `events$`.
 * Returns at once; the first attempt is scheduled at time 0 on the scheduler, so anything
 * subscribed in the same tick sees the first `Connecting`. Invalid options throw
 * `ConfigError` synchronously.
 *
 * @example
 * ```ts
 * const conn = connect<Tick, Command>({ url: 'wss://feed.example/ws' });
 * conn.events$.pipe(ofType('Reconnecting')).subscribe(e => console.log(e.attempt, e.delay)); // events$ never errors
 * conn.channel({ subscribe: { op: 'sub', symbol: 'BTC' }, match: m => m.symbol === 'BTC' })
 *   .subscribe({
 *     next: tick => render(tick),   // survives reconnects
 *     error: e => showError(e),     // the server refused it, or the connection gave up
 *   });
 * conn.send({ op: 'order', qty: 1 }); // buffered until the link is up, then sent in order
 * // when done: conn.close() — Closed, every stream completes, nothing is left open
 * ```
 */
export function connect<In = unknown, Out = unknown>(options: ConnectOptions<In, Out>): Connection<In, Out> {
  const resolved = resolveOptions(options);
  return new ReconnectingConnection<In, Out>(resolved, new UrlPool(resolved.url));
}
