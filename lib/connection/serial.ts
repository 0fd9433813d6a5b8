/**
 * The connection's one emitter. Work (a socket callback, a timer, a public call) runs at once;
 * deliveries to subscribers (events, state, messages, channel values, completions) are queued
 * and run one after another once the outermost work is done, each reaching every subscriber
 * before the next starts. A call made from inside a subscriber runs at once too, but what it
 * delivers waits its turn: no subscriber sees an event in the middle of another one, and no
 * internal step is interrupted by subscribers (the shape of rxjs's `queueScheduler`).
 *
 * @internal
 */
export class Serial {
  /** How many pieces of work are running, nested (a call from a user callback nests). */
  private depth = 0;
  /** True while queued deliveries run. */
  private draining = false;
  /** Deliveries waiting; made on the first one that has to wait. */
  private queue: Array<() => void> | undefined = undefined;
  private head = 0;

  /** Runs `work` now; the deliveries it queues run once the outermost work returns. */
  run(work: () => void): void {
    this.depth++;
    try {
      work();
    } finally {
      this.exit();
    }
  }

  /** {@link run} without a closure, for the per-frame and per-send paths: pair with {@link exit}. */
  enter(): void {
    this.depth++;
  }

  /** Leaves work entered with {@link enter}; the outermost exit runs the queued deliveries. */
  exit(): void {
    this.depth--;
    // Drains only when something waits: an empty drain still resets the queue (an `Array`
    // length store) that showed in the inbound bench, as this runs once per frame.
    if (this.depth === 0 && !this.draining && this.queue !== undefined && this.head < this.queue.length) this.drain();
  }

  /**
   * True inside the outermost work when nothing is queued: a delivery made now may run inline
   * (the per-message fast path) without overtaking anything.
   */
  get mayDeliverNow(): boolean {
    return this.depth === 1 && !this.draining && (this.queue === undefined || this.head === this.queue.length);
  }

  /**
   * Queues a delivery; it runs after everything queued before it (at once when nothing runs).
   * A delivery may do work as well: what that work queues runs after it, as the queue is being
   * drained.
   */
  deliver(delivery: () => void): void {
    (this.queue ??= []).push(delivery);
    if (this.depth === 0 && !this.draining) this.drain();
  }

  private drain(): void {
    const queue = this.queue;
    if (queue === undefined) return;
    this.draining = true;
    let failure: { error: unknown } | undefined;
    while (this.head < queue.length) {
      const delivery = queue[this.head]!;
      queue[this.head++] = noop;
      try {
        delivery();
      } catch (error) {
        // Subscribers' errors are RxJS's business and never get here: this would be a bug of
        // ours. The rest of the queue still runs, so every subscriber sees the same sequence.
        failure ??= { error };
      }
    }
    queue.length = 0; // kept for the next work: no array per delivery
    this.head = 0;
    this.draining = false;
    if (failure) throw failure.error;
  }
}

function noop(): void {
  // A delivered slot, released for the garbage collector.
}
