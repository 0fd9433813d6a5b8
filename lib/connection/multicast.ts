import { Observable } from '../rx';
import type { Subscriber, TeardownLogic, Unsubscribable } from 'rxjs';

const NONE: readonly never[] = [];

/**
 * A hot stream, as the Observable its subscribers subscribe to: kept copy-on-write, a value
 * reaches the subscribers there were when its delivery began (a `Subject`'s semantics), and
 * delivering allocates nothing, which matters on the per-message path. Ends once, by
 * completing or erroring; later subscribers get that end at once.
 *
 * It overrides `_subscribe`, as rxjs's own `Subject` does, so a stream costs no closure and
 * context of its own, and no second object. Its feeding methods are not an observer's
 * (`emit`, `end`): handed where an observer is expected, it is not mistaken for one.
 *
 * @internal
 */
export class Multicast<T> extends Observable<T> {
  private subscribers: readonly Subscriber<T>[] = NONE;
  private ended: MulticastEnd | undefined = undefined;

  constructor(
    /** Told after a subscriber joins or leaves (how many there are is {@link count}). */
    private readonly onCountChange?: () => void,
  ) {
    super();
  }

  /** Subscribers now. */
  get count(): number {
    return this.subscribers.length;
  }

  /** Delivers a value to every current subscriber. */
  emit(value: T): void {
    for (const subscriber of this.subscribers) subscriber.next(value);
  }

  /** @internal Called by `Observable.subscribe()` (not in rxjs's public typings). */
  protected _subscribe(subscriber: Subscriber<T>): TeardownLogic {
    if (this.ended) {
      if (this.ended.error) subscriber.error(this.ended.error);
      else subscriber.complete();
      return undefined;
    }
    // concat() sizes the copy exactly (a spread or push would leave room for 16 more).
    this.subscribers = this.subscribers.concat(subscriber);
    this.onCountChange?.();
    return new Membership(this, subscriber);
  }

  /** @internal A subscriber leaves. */
  remove(subscriber: Subscriber<T>): void {
    this.subscribers = this.subscribers.filter((other) => other !== subscriber);
    this.onCountChange?.();
  }

  /** Completes every subscriber, now and later; or, given an `error`, errors each with it. */
  end(error?: Error): void {
    if (this.ended) return;
    this.ended = { error };
    const subscribers = this.subscribers;
    this.subscribers = NONE;
    for (const subscriber of subscribers) {
      if (error) subscriber.error(error);
      else subscriber.complete();
    }
  }
}

/** @internal One subscriber's place in a {@link Multicast}: its teardown, smaller than a closure and its context. */
class Membership<T> implements Unsubscribable {
  constructor(
    private readonly multicast: Multicast<T>,
    private readonly subscriber: Subscriber<T>,
  ) {}

  unsubscribe(): void {
    this.multicast.remove(this.subscriber);
  }
}

/** @internal How a {@link Multicast} ended: with an error, or (none) completed. */
interface MulticastEnd {
  readonly error: Error | undefined;
}
