import type { SchedulerLike } from 'rxjs';
import type { WebSocketConstructor } from '../index';
import { standbyHandshake } from './connect-op';
import { Handover } from './handover';
import { LameDuckMove } from './lame-duck';
import type { ResolvedNatsOptions } from './nats-connect-options';
import type { NatsClientOp } from './ops';
import type { ServerPool } from './server-pool';
import { StandbySlot, type StandbySocket } from './standby-socket';

/** What a {@link LameDuckDeparture} needs of the client. */
export interface DepartureHost {
  /** The server of the live link, undefined while there is none. */
  server(): string | undefined;
  /** Whether the client must leave its server now (lame, another one known, not draining). */
  mustLeave(): boolean;
  /** The sids of the live subscriptions. */
  sids(): number[];
  /** Writes on the live link only (the core's `sendNow`). */
  sendNow(op: NatsClientOp): void;
  /** A flush (`PING`/`PONG` after everything written before it), with the client's deadline. */
  flush(): Promise<void>;
  /** The core's `reconnect()`. */
  reconnect(): void;
}

/**
 * Leaving a server in lame-duck mode: at a moment drawn in `[0, lameDuckSpread)`
 * ({@link LameDuckMove}), a {@link Handover} onto a standby socket (`lameDuckHandover: true`), or
 * the core's `reconnect()`. The client tells it when links come and go and when a server says it
 * is lame; it gives the core the `WebSocket` constructor that hands over the standby socket.
 */
export class LameDuckDeparture {
  private readonly move: LameDuckMove;
  private readonly standby: StandbySlot;
  /** Counts the links that came up: a handover checks that its link is still the live one. */
  private linkId = 0;
  private linkUp = false;

  constructor(
    options: ResolvedNatsOptions,
    scheduler: SchedulerLike,
    pool: ServerPool,
    host: DepartureHost,
    /** The transport of the links (undefined where there is none: no handover then). */
    Impl: WebSocketConstructor | undefined,
  ) {
    const handsOver = options.lameDuckHandover && Impl !== undefined;
    this.standby = new StandbySlot(
      handsOver ? Impl : undefined,
      options.passed.transport,
      scheduler,
      options.flushTimeout,
      () => standbyHandshake(options),
    );
    const handover = new Handover({
      link: () => (this.linkUp ? this.linkId : undefined),
      target: () => {
        const server = host.server();
        return server === undefined ? undefined : pool.alternativeTo(server);
      },
      openStandby: (url) => this.standby.open(url),
      unsubscribeAll: () => {
        for (const sid of host.sids()) host.sendNow({ op: 'UNSUB', sid });
      },
      barrier: () => host.flush(),
      leave: (target) => {
        if (target !== undefined) pool.prefer(target);
        host.reconnect();
      },
    });
    this.move = new LameDuckMove(
      scheduler,
      options.lameDuckSpread,
      Math.random,
      () => host.mustLeave(),
      () => (handsOver ? handover.run() : host.reconnect()),
    );
  }

  /** The standby socket, for an attempt to `url` (see {@link StandbySlot.take}). */
  take(url: string): StandbySocket | undefined {
    return this.standby.take(url);
  }

  /** A link is up (`Connected`, `Reconnected`): its server may be lame already. */
  linkLive(): void {
    this.linkUp = true;
    this.linkId++;
    this.move.start();
  }

  /** The live link's server announced lame-duck mode. */
  lame(): void {
    this.move.start();
  }

  /** The link is gone: no move is left to make from it. */
  linkLost(): void {
    this.linkUp = false;
    this.move.cancel();
  }

  /** The client closed: nothing scheduled, no standby socket left open. */
  close(): void {
    this.linkLost();
    this.standby.clear();
  }
}
