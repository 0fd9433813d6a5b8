import type { SchedulerLike } from 'rxjs';
import type { Connection } from '../index';
import type { NatsConnection } from './nats-connection';
import type { NatsClientOp, NatsServerOp } from './ops';

/**
 * @internal What layers built on a NATS connection (JetStream) need of it beyond the public
 * {@link NatsConnection}: the inner core connection (for `channel()` with a resume hook and
 * the acked send), sids from the client's own counter, and the key `route` files a sid's
 * messages under.
 */
export interface NatsInternals {
  readonly conn: Connection<NatsServerOp, NatsClientOp>;
  readonly scheduler: SchedulerLike;
  /** A fresh sid (never reused on this connection). */
  nextSid(): number;
  /** The channel key of a subscription: `route` files its `MSG`s under it. */
  channelKey(sid: number): string;
  /**
   * Sends a publish through `send` as `publish()` would: refused with `NatsError` while the
   * connection drains, and counted in `stats()` once accepted (`size`: payload and headers).
   */
  published<T>(size: number, send: () => T): T;
}

const internals = new WeakMap<object, NatsInternals>();

/** @internal Called once by the client's constructor. */
export function registerInternals(nc: NatsConnection, parts: NatsInternals): void {
  internals.set(nc, parts);
}

/** @internal The internals of a connection made by `natsConnect()`; throws for anything else. */
export function internalsOf(nc: NatsConnection): NatsInternals {
  const found = typeof nc === 'object' && nc !== null ? internals.get(nc) : undefined;
  if (found === undefined) throw new TypeError('expected a NatsConnection made by natsConnect()');
  return found;
}
