import type { NatsPermissionError } from './errors/nats-permission-error';

/** @internal A live subscription, as the client needs to find it again. */
interface LiveSubscription {
  readonly subject: string;
  readonly queue: string | undefined;
  /** Errors the subscription's Observable (which releases it on the server). */
  readonly fail: (error: unknown) => void;
  /** Completes the subscription's Observable (`drain()`). */
  readonly complete: () => void;
}

/**
 * The live subscriptions by sid, so that a server's refusal, which names a subject (and queue)
 * but no sid, reaches the subscriptions it is about.
 *
 * @internal
 */
export class Subscriptions {
  private readonly bySid = new Map<number, LiveSubscription>();

  /** Number of live subscriptions. */
  get size(): number {
    return this.bySid.size;
  }

  add(sid: number, subject: string, queue: string | undefined, end: Pick<LiveSubscription, 'fail' | 'complete'>): void {
    this.bySid.set(sid, { subject, queue, ...end });
  }

  /** The sids of the live subscriptions. */
  sids(): number[] {
    return [...this.bySid.keys()];
  }

  /** Completes every live subscription (the end of a `drain()`). */
  completeAll(): void {
    const all = [...this.bySid.values()];
    this.bySid.clear();
    for (const sub of all) sub.complete();
  }

  delete(sid: number): void {
    this.bySid.delete(sid);
  }

  /**
   * The server refused a subscription to `error.subject` (in `error.queue`): every live
   * subscription to that subject and queue errors with it. Returns how many did.
   */
  refuse(error: NatsPermissionError): number {
    const refused = [...this.bySid.entries()].filter(
      ([, sub]) => sub.subject === error.subject && (error.queue === undefined || sub.queue === error.queue),
    );
    for (const [sid, sub] of refused) {
      this.bySid.delete(sid);
      sub.fail(error);
    }
    return refused.length;
  }
}
