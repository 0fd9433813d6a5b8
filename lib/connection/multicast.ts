import { Observable, type Subscriber, type TeardownLogic, type Unsubscribable } from 'rxjs';

const NONE: readonly never[] = [];

/**
 * A hot stream's subscribers, kept copy-on-write: a value reaches the subscribers there were
 * when its delivery began (a `Subject`'s semantics), and delivering allocates nothing, which
 * matters on the per-message path. Ends once, by completing or erroring; later subscribers get
 * that end at once.
 *
 * @internal
 */
export class Multicast<T> {
  /** Subscribe here. */
  readonly observable: Observable<T>;
  private subscribers: readonly Subscriber<T>[] = NONE;
  private ended: MulticastEnd | undefined = undefined;

  constructor(
    /** Told after a subscriber joins or leaves (how many there are is {@link count}). */
    private readonly onCountChange?: () => void,
  ) {
    this.observable = new MulticastObservable(this);
  }

  /** Subscribers now. */
  get count(): number {
    return this.subscribers.length;
  }

  /** Delivers a value to every current subscriber. */
  next(value: T): void {
    for (const subscriber of this.subscribers) subscriber.next(value);
  }

  /** Completes every subscriber, now and later. */
  complete(): void {
    this.end(false, undefined);
  }

  /** Errors every subscriber, now and later. */
  error(error: unknown): void {
    this.end(true, error);
  }

  /** @internal A new subscriber (see {@link MulticastObservable}). */
  add(subscriber: Subscriber<T>): Unsubscribable | undefined {
    if (this.ended) {
      if (this.ended.failed) subscriber.error(this.ended.error);
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

  private end(failed: boolean, error: unknown): void {
    if (this.ended) return;
    this.ended = { failed, error };
    const subscribers = this.subscribers;
    this.subscribers = NONE;
    for (const subscriber of subscribers) {
      if (failed) subscriber.error(error);
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

/** @internal How a {@link Multicast} ended. */
interface MulticastEnd {
  readonly failed: boolean;
  readonly error: unknown;
}

/**
 * The subscribe side of a {@link Multicast}: a subclass overriding `_subscribe`, as rxjs's own
 * `Subject` does, so a stream costs no closure and context of its own.
 *
 * @internal
 */
class MulticastObservable<T> extends Observable<T> {
  constructor(private readonly multicast: Multicast<T>) {
    super();
  }

  /** @internal Called by `Observable.subscribe()` (not in rxjs's public typings). */
  protected _subscribe(subscriber: Subscriber<T>): TeardownLogic {
    return this.multicast.add(subscriber);
  }
}
