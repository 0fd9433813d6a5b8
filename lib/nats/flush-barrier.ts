import type { Subscriber } from 'rxjs';

/** @internal */
interface Waiter {
  readonly subscriber: Subscriber<void>;
  /** Its `PING` is on the live link (or in the buffer that is being written to it). */
  onLink: boolean;
  /** Unsubscribed before its `PONG`: the `PONG` is still consumed (by nobody). */
  cancelled: boolean;
}

/**
 * The `PING`/`PONG` barriers of `flush()`. A flush's `PING` goes through the core's `send()`, so
 * it is ordered after every publish made before it, also across an outage (it waits in the
 * offline buffer behind them). The server answers `PING`s in order, so each `PONG` of a link
 * settles the oldest flush whose `PING` was written on that link; a flush whose link is lost
 * sends its `PING` again (to the next link), so a flush never settles on a `PONG` that does not
 * follow its publishes.
 *
 * @internal
 */
export class FlushBarrier {
  private readonly waiters: Waiter[] = [];
  private live = false;

  constructor(private readonly sendPing: () => void) {}

  /** Starts one flush; returns its teardown. */
  add(subscriber: Subscriber<void>): () => void {
    const waiter: Waiter = { subscriber, onLink: this.live, cancelled: false };
    try {
      this.sendPing();
    } catch (error) {
      subscriber.error(error);
      return () => undefined;
    }
    this.waiters.push(waiter);
    // Its PING is out (or buffered): it stays in line so that its PONG is not taken for a later one's.
    return () => (waiter.cancelled = true);
  }

  /** A `PONG` arrived on the live link: the oldest flush written to it is done. */
  pong(): void {
    const index = this.waiters.findIndex((waiter) => waiter.onLink);
    if (index < 0) return;
    const [waiter] = this.waiters.splice(index, 1);
    if (waiter.cancelled) return;
    waiter.subscriber.next();
    waiter.subscriber.complete();
  }

  /** The link is live: the buffered `PING`s are being written to it. */
  linkLive(): void {
    this.live = true;
    for (const waiter of this.waiters) waiter.onLink = true;
  }

  /** The link is gone: the `PING`s written to it are sent again (buffered for the next link). */
  linkLost(): void {
    this.live = false;
    for (const waiter of [...this.waiters]) {
      if (!waiter.onLink) continue;
      if (waiter.cancelled) {
        this.remove(waiter);
        continue;
      }
      waiter.onLink = false;
      try {
        this.sendPing();
      } catch (error) {
        this.remove(waiter);
        waiter.subscriber.error(error);
      }
    }
  }

  /** The connection ended: every flush still waiting errors with `error`. */
  close(error: unknown): void {
    for (const waiter of this.waiters.splice(0)) if (!waiter.cancelled) waiter.subscriber.error(error);
  }

  private remove(waiter: Waiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index >= 0) this.waiters.splice(index, 1);
  }
}
