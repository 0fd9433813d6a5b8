import type { StandbySocket } from './standby-socket';

/** What a {@link Handover} does its work with (the client's link, pool and subscriptions). */
export interface HandoverHost {
  /** An id of the live link (a new one per link), undefined while there is none. */
  link(): number | undefined;
  /** The server to move to (the next one in the pool that is not lame), if any. */
  target(): string | undefined;
  /** Opens a socket to `url` and resolves once the server spoke on it (its `INFO`); undefined if it did not in time. */
  openStandby(url: string): Promise<StandbySocket | undefined>;
  /** `UNSUB` of every subscription, on the live link only (never buffered for the next one). */
  unsubscribeAll(): void;
  /** Resolves once the server has answered a `PING` written after the `UNSUB`s (a flush), or rejects. */
  barrier(): Promise<void>;
  /** Leaves the live link for a new one (the core's `reconnect()`), on `target`'s server when given. */
  leave(target: string | undefined): void;
}

/**
 * The move away from a server in lame-duck mode, losing as little as core NATS allows without
 * ever delivering a message twice:
 *
 * 1. **Make the next link first**: a socket to the next server is opened (TCP, WebSocket upgrade,
 *    its `INFO`, our `CONNECT` and its `PONG`) while the old link still delivers everything.
 * 2. **Drain the old link**: `UNSUB` of every subscription, then a `PING`. Whatever the old server
 *    sent before it processed the `UNSUB`s arrives before its `PONG` and is delivered; nothing is
 *    left in flight on the old link when it is closed.
 * 3. **Break, then make the interest**: on the `PONG`, `reconnect()` onto the standby socket (its
 *    handshake replayed to the core), and the subscriptions are restored there. The interest is
 *    never held on two servers at once, so no message can arrive on both links (core NATS has no
 *    message id to drop a duplicate by); a message is lost only if published between the old
 *    server's `UNSUB` and the new `SUB` reaching the publisher's server: one round trip to the
 *    old server and one way to the new one, no connection set-up, no handshake.
 *
 * If the standby cannot be opened in time, the move is a plain `reconnect()`; if the old link is
 * lost during the handover (the server evicted the client), the core reconnects as for any loss,
 * onto the standby socket when the pool picks its server.
 */
export class Handover {
  private runningFor: number | undefined;

  constructor(private readonly host: HandoverHost) {}

  /** Moves away from the live link's server (once per link; a call during a move is ignored). */
  run(): void {
    const link = this.host.link();
    if (link === undefined || this.runningFor === link) return;
    this.runningFor = link;
    void this.move(link).finally(() => {
      if (this.runningFor === link) this.runningFor = undefined;
    });
  }

  private async move(link: number): Promise<void> {
    const target = this.host.target();
    if (target === undefined) {
      this.host.leave(undefined);
      return;
    }
    const standby = await this.host.openStandby(target).catch(() => undefined);
    if (this.host.link() !== link) return; // lost meanwhile: the core reconnects (onto the standby, if picked)
    if (standby === undefined) {
      this.host.leave(undefined);
      return;
    }
    this.host.unsubscribeAll();
    // Past the UNSUBs the link must go, whatever the barrier says: it holds no interest any more.
    await this.host.barrier().catch(() => undefined);
    if (this.host.link() !== link) return;
    this.host.leave(standby.available ? target : undefined);
  }
}
