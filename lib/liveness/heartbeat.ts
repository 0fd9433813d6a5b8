import type { SchedulerLike, Subscription } from 'rxjs';

/** @internal What a heartbeat drives on its link (the link itself: no closure per heartbeat). */
export interface HeartbeatTarget {
  /** Frames heard on the link so far (messages and pongs): a counter, so no clock is read per frame. */
  readonly framesHeard: number;
  /** Sends a probe (protocol or application ping); a no-op where the link cannot be probed. */
  sendProbe(): void;
  /** A probe went unanswered for `timeout` ms: the link is dead. */
  probeUnanswered(timeout: number): void;
  /** When a frame was last written, on the scheduler's clock; set (from the start) only when the heartbeat is outbound. */
  readonly writtenAt: number | undefined;
}

/** @internal One probe in flight: answered by any frame heard after it was sent. */
interface Probe {
  /** `heard()` when it was sent. */
  readonly sentAt: number;
  /** Its reply was recognised by `isPong` and swallowed. */
  ponged: boolean;
  /** Its deadline's timer. */
  deadline: Subscription | undefined;
}

/**
 * Liveness of one link. Every `interval` ms it looks at the traffic since the previous tick:
 * a link that heard something (other than the answer to a probe) needs no probe. A silent one
 * is probed, and each probe owns its
 * deadline: it is met by any frame heard after that probe was sent, and nothing — a tick, a
 * wake-up, another probe — cancels, resets or postpones it. So a link that answers within
 * `timeout` is never stale, and a dead one is stale `timeout` ms after its first unanswered
 * probe, for any `interval`/`timeout` pair and however often `probeNow()` is called.
 *
 * Outbound (`heartbeat.outbound`: the target times its writes), it is also a keepalive
 * (MQTT's): whenever nothing has been written for `interval` ms, a probe goes out, so the
 * peer never sees us silent for longer than that.
 *
 * @internal
 */
export class Heartbeat {
  /** The interval tick (a field each, not a `Subscription` of them: one array less per link). */
  private readonly ticking: Subscription;
  /** The outbound keepalive check, for an outbound heartbeat. */
  private readonly keeping: Subscription | undefined;
  /** Probes whose deadline has not passed, oldest first. */
  private readonly inFlight: Probe[] = [];
  private heardAtTick: number;
  /** A tick or wake-up probe went out since the last tick: what was heard may be only its answer. */
  private probedSinceTick = false;
  /** A keepalive probe went out since the last tick: its deadline already watches the link. */
  private keptAliveSinceTick = false;

  constructor(
    interval: number,
    private readonly timeout: number,
    private readonly scheduler: SchedulerLike,
    private readonly target: HeartbeatTarget,
  ) {
    this.heardAtTick = target.framesHeard;
    // The interval tick.
    this.ticking = scheduler.schedule<Heartbeat>(
      function (heartbeat) {
        const self = heartbeat!;
        const heard = self.target.framesHeard;
        // Traffic spares a probe, but the answer to the previous probe is not traffic.
        const quiet = heard === self.heardAtTick || self.probedSinceTick;
        const keptAlive = self.keptAliveSinceTick;
        self.heardAtTick = heard;
        self.probedSinceTick = false;
        self.keptAliveSinceTick = false;
        // A keepalive probe since the last tick already has a deadline watching the link.
        if (quiet && !keptAlive) self.probeNow();
        this.schedule(heartbeat, interval);
      },
      interval,
      this,
    );
    // An outbound heartbeat (the target times its writes) also probes whenever nothing has
    // been written for `interval` ms (the probe is a write), then checks again when the link
    // could next have been idle that long.
    this.keeping =
      target.writtenAt !== undefined
        ? scheduler.schedule<Heartbeat>(
            function (heartbeat) {
              const self = heartbeat!;
              const idle = scheduler.now() - target.writtenAt!;
              if (idle < interval) this.schedule(heartbeat, interval - idle);
              else {
                self.keptAliveSinceTick = true;
                self.probe();
                this.schedule(heartbeat, interval);
              }
            },
            interval,
            this,
          )
        : undefined;
  }

  /** Probes now (a wake-up), unless a probe already in flight has heard nothing yet: it decides sooner. */
  probeNow(): void {
    const newest = this.inFlight[this.inFlight.length - 1];
    if (newest !== undefined && this.target.framesHeard === newest.sentAt) return;
    this.probedSinceTick = true;
    this.probe();
  }

  private probe(): void {
    const probe: Probe = { sentAt: this.target.framesHeard, ponged: false, deadline: undefined };
    this.inFlight.push(probe);
    probe.deadline = this.scheduler.schedule(() => {
      this.inFlight.splice(this.inFlight.indexOf(probe), 1);
      if (this.target.framesHeard === probe.sentAt) this.target.probeUnanswered(this.timeout);
    }, this.timeout);
    this.target.sendProbe();
  }

  /**
   * A frame that `isPong` recognises: it is swallowed when it can answer a probe in flight
   * (at most one frame per probe); otherwise it is an ordinary message. Returns true when swallowed.
   */
  consumePong(): boolean {
    for (const probe of this.inFlight) {
      if (!probe.ponged) {
        probe.ponged = true;
        return true;
      }
    }
    return false;
  }

  /** True when an application pong may be owed (so `isPong` is worth calling). */
  get awaitingPong(): boolean {
    return this.inFlight.length > 0;
  }

  /** Stops every timer. */
  stop(): void {
    this.ticking.unsubscribe();
    this.keeping?.unsubscribe();
    for (const probe of this.inFlight) probe.deadline?.unsubscribe();
    this.inFlight.length = 0;
  }
}
