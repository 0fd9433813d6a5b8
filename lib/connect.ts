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
 * conn.events$.pipe(ofType('Reconnecting')).subscribe(e => console.log(e.attempt, e.delay));
 * conn.channel({ subscribe: { op: 'sub', symbol: 'BTC' }, match: m => m.symbol === 'BTC' })
 *   .subscribe(tick => render(tick));
 * conn.send({ op: 'order', qty: 1 }); // buffered while offline, flushed in order
 * conn.close();
 * ```
 */
export function connect<In = unknown, Out = unknown>(options: ConnectOptions<In, Out>): Connection<In, Out> {
  const resolved = resolveOptions(options);
  return new ReconnectingConnection<In, Out>(resolved, new UrlPool(resolved.url));
}
