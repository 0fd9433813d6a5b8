import type { SchedulerLike, Subscription } from 'rxjs';

/** What a heartbeat drives: how to probe the link, and what to do when it is stale. */
export interface HeartbeatTarget {
  /** Sends a probe (protocol ping or application ping); a no-op in silence mode. */
  probe(): void;
  /** No frame arrived within `timeout` of a probe: the link is dead. */
  stale(): void;
}

/**
 * Watches one link for liveness. Every `interval` ms it checks whether any frame arrived since
 * the last check; if none did, it probes and waits `timeout` ms for any frame. A link with
 * steady traffic is never probed. All timers run on the given scheduler.
 */
export class Heartbeat {
  private heard = false;
  private deadline: Subscription | undefined;
  private tick: Subscription | undefined;
  private stopped = false;

  constructor(
    private readonly interval: number,
    private readonly timeout: number,
    private readonly scheduler: SchedulerLike,
    private readonly target: HeartbeatTarget,
  ) {
    this.scheduleTick();
  }

  /** Any inbound frame (message or pong) proves the link alive. Called per frame: kept trivial. */
  heardFrame(): void {
    this.heard = true;
  }

  /** Probes at once (the machine woke up): a dead link is found within `timeout`. */
  probeNow(): void {
    this.heard = false;
    this.target.probe();
    this.deadline?.unsubscribe();
    if (this.stopped) return;
    this.deadline = this.scheduler.schedule(() => {
      this.deadline = undefined;
      if (!this.heard) this.target.stale();
      // The answer to this probe says nothing about the next interval: probe again then.
      else this.heard = false;
    }, this.timeout);
  }

  /** Stops every timer. */
  stop(): void {
    this.stopped = true;
    this.tick?.unsubscribe();
    this.deadline?.unsubscribe();
  }

  private scheduleTick(): void {
    this.tick = this.scheduler.schedule(() => {
      if (this.heard) this.heard = false;
      else if (!this.deadline) this.probeNow();
      if (!this.stopped) this.scheduleTick();
    }, this.interval);
  }
}
