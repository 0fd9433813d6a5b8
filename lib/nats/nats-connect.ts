import { NatsClient } from './nats-client';
import { resolveNatsOptions, type NatsConnectOptions } from './nats-connect-options';
import type { NatsConnection } from './nats-connection';

/**
 * Connects to NATS over WebSocket (nats-server's `websocket` listener), built only on
 * rx-reconnect's public API. Returns at once; the first attempt starts on the scheduler.
 * Throws `ConfigError` for invalid options.
 *
 * @example
 * ```ts
 * const nc = natsConnect({ servers: ['ws://127.0.0.1:8080', 'ws://127.0.0.1:8081'], token: 's3cret' });
 * nc.subscribe('orders.*').subscribe({ next: (m) => console.log(m.subject, m.string()), error: console.error });
 * nc.publish('orders.new', JSON.stringify(order));
 * nc.request('time', '').subscribe({ next: (m) => console.log(m.string()), error: console.error });
 * ```
 */
export function natsConnect(options: NatsConnectOptions): NatsConnection {
  return new NatsClient(resolveNatsOptions(options));
}
