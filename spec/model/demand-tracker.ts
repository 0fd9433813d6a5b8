import type { SchedulerLike } from 'rxjs';
import type { ConnectionState } from '../../lib';

/** What a `lazy` run saw at one check: demand, state, and what the connection held. */
export interface LazyCheck {
  /** Virtual time. */
  readonly at: number;
  /** Things that needed a link: `messages$` subscribers, channels, buffered sends. */
  readonly demand: number;
  readonly state: ConnectionState;
  /** Since when nothing has needed the link (nor has a wake started it), if so. */
  readonly quietSince: number | undefined;
  /** Actions the connection scheduled that are pending. */
  readonly pending: number;
  /** Sockets CONNECTING or OPEN. */
  readonly liveSockets: number;
  /** Sockets CLOSING (a close handshake under way: the socket's grace timer may be pending). */
  readonly closingSockets: number;
}

/** What the tracker reads of the run; reading changes nothing. */
export interface DemandProbe {
  demand(): number;
  state(): ConnectionState;
  pending(): number;
  /** Actions the connection scheduled that are due now (the instant is not over for it). */
  dueNow(): number;
  liveSockets(): number;
  closingSockets(): number;
  /** `Closed` has been delivered: nothing more is judged. */
  ended(): boolean;
}

/**
 * The demand for a link in a `lazy` run, as the test knows it. The run reports every moment
 * demand may change (a call, a channel or `messages$` subscriber ending, a buffered frame
 * flushed); the tracker keeps since when nothing has needed the link, and checks the state
 * 1 ms after each step and 1 ms after `idleAfter` has passed with nothing needing the link
 * (by then the connection must rest). Its checks are scheduled on the TestScheduler itself,
 * not through the connection's tracked scheduler, and only read; each one looks once the
 * instant has settled: it queues itself again behind what is due at that instant (a wake's
 * start, a handler's doing) until the connection has nothing more due then.
 */
export class DemandTracker {
  readonly checks: LazyCheck[] = [];
  private quietSince: number | undefined = undefined;

  constructor(
    private readonly idleAfter: number,
    private readonly scheduler: SchedulerLike,
    private readonly probe: DemandProbe,
  ) {}

  /** Demand may have changed. */
  changed(): void {
    if (this.probe.ended()) return;
    if (this.probe.demand() > 0) {
      this.quietSince = undefined;
      return;
    }
    if (this.quietSince !== undefined) return;
    const since = this.scheduler.now();
    this.quietSince = since;
    this.scheduler.schedule(() => this.check(), this.idleAfter + 1);
  }

  /** A `Connecting{attempt: 0}`: the connection started afresh, so the wait for rest starts over. */
  started(): void {
    this.quietSince = undefined;
    this.changed();
  }

  /** Checks 1 ms after a step at `at`. */
  checkAfterStep(at: number): void {
    this.scheduler.schedule(() => this.check(), at + 1 - this.scheduler.now());
  }

  private check(requeued = 0): void {
    if (requeued < 2 || (this.probe.dueNow() > 0 && requeued < 50)) {
      this.scheduler.schedule(() => this.check(requeued + 1), 0);
      return;
    }
    this.changed();
    const { probe } = this;
    this.checks.push({
      at: this.scheduler.now(),
      demand: probe.demand(),
      state: probe.state(),
      quietSince: this.quietSince,
      pending: probe.pending(),
      liveSockets: probe.liveSockets(),
      closingSockets: probe.closingSockets(),
    });
  }
}
