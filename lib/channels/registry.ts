import { Observable } from '../rx';
import type { SchedulerLike, Subscriber, Subscription } from 'rxjs';
import type { Serial } from '../connection/serial';
import { ConnectionClosedError } from '../errors/connection-closed-error';
import { SubscriptionRejectedError } from '../errors/subscription-rejected-error';
import type { ClosedReason } from '../events';
import { guarded, threw, type Thrown } from '../guard';
import type { Frame } from '../serializer';
import { readChannelSpec, type ChannelDefinition } from './channel-definition';
import type { ChannelContext, ChannelMessage, ChannelSpec } from './channel-spec';

/** @internal The link channel frames go to: where the connection's link-up sequence has got to. */
export interface ChannelWire {
  /** Writes a frame now; false when it could not. */
  write(frame: Frame): boolean;
  /** Inbound frames heard on this link so far: an ack must come after its subscribe. */
  readonly framesHeard: number;
}

/** @internal What the registry needs from its connection. */
export interface ChannelHost<Out> {
  readonly serial: Serial;
  readonly scheduler: SchedulerLike;
  /** Serializes a channel's own message (guarded: a throw comes back as `Thrown`). */
  encode(message: Out): Frame | Thrown;
  /** `route` threw on a message: reported as `InvalidMessage`. */
  invalid(error: unknown, data: unknown): void;
  /** A server subscription was added or dropped ({@link ChannelRegistry.size} changed). */
  channelsChanged(): void;
}

/**
 * @internal One `channel()` call's subscribers on the server subscription of its key. A call
 * subscribed again after that subscription ended, or after its view was dropped, gets a new view.
 */
interface ChannelView<In, Out> {
  readonly entry: ChannelEntry<In, Out>;
  /** The call's own spec: its `match` filters what the view receives, with `self` as `this`. */
  readonly spec: ChannelDefinition<In, Out>;
  /**
   * Replaced, never mutated, so a delivery in progress keeps the subscribers it began with.
   * Never empty while the view is in its entry's views.
   */
  subscribers: readonly Subscriber<In>[];
}

/** @internal A `subscribe` on the current link being written, or written and waiting for its `ack`. */
interface PendingSubscribe {
  /** `framesHeard` when the subscribe was written: only later frames can answer it. */
  readonly after: number;
  /** The `ack`'s timeout (none without `ack`). */
  readonly timer: Subscription | undefined;
  /** Told whether the subscription counts, when it was written by a replay. */
  readonly settle: ((confirmed: boolean) => void) | undefined;
}

/** @internal One server subscription, shared by every channel with its key. */
interface ChannelEntry<In, Out> {
  readonly channelKey: string;
  /** The first spec subscribed: its `subscribe`, `unsubscribe` and `ack` define the subscription. */
  readonly spec: ChannelDefinition<In, Out>;
  /** Replaced, never mutated (as `subscribers`); never empty while the entry is registered. */
  views: readonly ChannelView<In, Out>[];
  lastMessage: In | undefined;
}

/** How a subscriber ends: with this error (a {@link Thrown} is one), or, when absent, as the connection ended. */
type Failure = { readonly error: unknown };

/**
 * The connection's channels: ref-counted by key, dispatched by `route` (one map lookup) or
 * by each channel's `match`, re-subscribed in first-subscribed order on every link. Every
 * user callback is guarded: a throw fails that channel (its subscribers error, the server
 * subscription is released best effort) and the others go on. Subscriber notifications go
 * through the connection's queue.
 *
 * @internal
 */
export class ChannelRegistry<In, Out> {
  private readonly byKey = new Map<string, ChannelEntry<In, Out>>();
  private readonly pendingSubscribes = new Map<ChannelEntry<In, Out>, PendingSubscribe>();
  /** Views with a `match`, replaced (not mutated) on change so dispatch can iterate it. */
  private matching: readonly ChannelView<In, Out>[] = [];
  /** The link whose replay has begun: channels joining now subscribe on it at once. */
  private wire: ChannelWire | undefined;
  /** Set when the connection ends: ends a subscriber as the connection did. */
  private finished: ((subscriber: Subscriber<In>) => void) | undefined;

  constructor(
    private readonly host: ChannelHost<Out>,
    private readonly keyOf: (message: Out) => string,
    private readonly router: ((message: In) => string | undefined) | undefined,
  ) {}

  /** Active server subscriptions. */
  get size(): number {
    return this.byKey.size;
  }

  /**
   * A cold Observable whose first subscriber (per key) subscribes on the server. A spec that
   * cannot work throws {@link ConfigError}; one whose key is its `subscribe` message and that
   * message cannot be serialized errors the Observable instead (like any channel whose own
   * message cannot be built or serialized), and nothing is registered.
   */
  channel(spec: ChannelSpec<In, Out>): Observable<In> {
    const definition = readChannelSpec(spec, this.router !== undefined);
    const key = definition.key ?? guarded(this.keyOf, definition.subscribe as Out);
    return new Observable<In>((subscriber) => {
      let joined: ChannelView<In, Out> | undefined;
      this.host.serial.run(() => {
        // After the end, subscribers complete or error as the connection did.
        if (this.finished) this.endAll([subscriber]);
        else if (threw(key)) this.endAll([subscriber], key);
        else joined = this.addSubscriber(key, definition, subscriber);
      });
      return () => {
        if (joined) this.host.serial.run(() => this.removeSubscriber(joined!, subscriber));
      };
    });
  }

  /**
   * Sends every active channel's `subscribe` on a new link, in first-subscribed order, and
   * calls `done(count)` once every ack is in (failed, rejected and timed-out channels not counted).
   */
  replay(wire: ChannelWire, restoring: boolean, done: (count: number) => void): void {
    this.wire = wire;
    let pending = 1;
    let count = 0;
    const settle = (confirmed: boolean): void => {
      if (confirmed) count++;
      if (--pending === 0) done(count);
    };
    for (const entry of [...this.byKey.values()]) {
      if (this.wire !== wire) return; // the link died while replaying
      pending++;
      this.subscribeOnLink(entry, restoring, settle);
    }
    settle(false);
  }

  /**
   * A registry made while a link is already up (the first `channel()` call of a connection):
   * channels joining from now on subscribe on `wire` at once.
   */
  useLink(wire: ChannelWire): void {
    this.wire = wire;
  }

  /** The link is gone: pending acks are void; channels wait for the next link. */
  linkLost(): void {
    this.wire = undefined;
    for (const wait of this.pendingSubscribes.values()) wait.timer?.unsubscribe();
    this.pendingSubscribes.clear();
  }

  /**
   * Checks a message against pending acks. `seq` is the message's place among the link's
   * frames: only a frame that came after a channel's `subscribe` was written can answer it.
   * (A subscription written meanwhile, by user code called from here, was written after it.)
   */
  checkAcks(message: In, seq: number): void {
    if (this.pendingSubscribes.size === 0) return;
    for (const [entry, wait] of this.pendingSubscribes) {
      if (seq <= wait.after) continue;
      const verdict = guarded(ackVerdict<In, Out>, message, entry.spec);
      if (verdict === true) this.stopWaiting(entry, true);
      else if (verdict) this.reject(entry, message, threw(verdict) ? verdict.error : verdict);
    }
  }

  /**
   * Hands an inbound message to its channels (call from a delivery): with `route`, to the
   * channel whose key it returns, once; otherwise (or when `route` places it nowhere) to
   * every channel whose own `match` accepts it.
   */
  dispatch(message: In): void {
    let entry: ChannelEntry<In, Out> | undefined;
    if (this.router) {
      const key = guarded(this.router, message);
      if (threw(key)) this.host.invalid(key.error, message);
      else entry = this.byKey.get(key as string); // none for `undefined`, as for a key without channel
    }
    // A placed message goes to every channel on its key, no `match` asked; any other to the channels whose `match` accepts it.
    for (const view of entry ? entry.views : this.matching) {
      const matches = entry !== undefined || guarded(view.spec.match!, message, view.spec.self);
      if (threw(matches)) {
        // Only this call's channel fails; the key is released if it was the last.
        this.endAll(view.subscribers, matches);
        this.dropView(view);
      } else if (matches) {
        view.entry.lastMessage = message;
        // To the subscribers the view had when this delivery began.
        for (const subscriber of view.subscribers) subscriber.next(message);
      }
    }
  }

  /** The connection ended: channels complete (manual close) or error, after what is queued. */
  finish(reason: ClosedReason, error: unknown): void {
    this.finished =
      reason === 'manual'
        ? (subscriber) => subscriber.complete()
        : (subscriber) => subscriber.error(new ConnectionClosedError(reason, error));
    this.linkLost();
    this.matching = []; // all of it goes: no filtering it entry by entry
    for (const entry of this.byKey.values()) this.forget(entry, false);
  }

  /**
   * Adds a subscriber to its `channel()` call's view on the key's subscription (a call's view
   * is the one with its spec), making the view, and the subscription, when there is none.
   */
  private addSubscriber(key: string, spec: ChannelDefinition<In, Out>, subscriber: Subscriber<In>): ChannelView<In, Out> {
    let entry = this.byKey.get(key);
    const created = entry === undefined;
    if (entry === undefined) this.byKey.set(key, (entry = { channelKey: key, spec, views: [], lastMessage: undefined }));
    let view = entry.views.find((other) => other.spec === spec);
    if (view === undefined) {
      view = { entry, spec, subscribers: [] };
      entry.views = entry.views.concat(view);
      if (spec.match) this.matching = this.matching.concat(view);
    }
    view.subscribers = view.subscribers.concat(subscriber);
    if (created) {
      // Offline, or before the replay of a new link: the replay sends it, exactly once.
      if (this.wire) this.subscribeOnLink(entry, false);
      this.host.channelsChanged();
    }
    return view;
  }

  /** A subscriber leaves; its view is dropped when it was the last (again, harmlessly, if the view failed). */
  private removeSubscriber(view: ChannelView<In, Out>, subscriber: Subscriber<In>): void {
    view.subscribers = view.subscribers.filter((other) => other !== subscriber);
    if (view.subscribers.length === 0) this.dropView(view);
  }

  /** A view is done (left, or its `match` threw): the last view of a key releases the server subscription. */
  private dropView(view: ChannelView<In, Out>): void {
    const entry = view.entry;
    entry.views = entry.views.filter((other) => other !== view);
    this.matching = this.matching.filter((other) => other !== view);
    if (entry.views.length === 0) this.forget(entry, true);
  }

  /**
   * Forgets a registered server subscription. With `release` and a link up, its `unsubscribe`
   * is sent (best effort, guarded): the server may hold what its `subscribe` made. The
   * subscribers it still has end with `failure` (or, without, as the connection did). Its
   * pending `subscribe` settles as not confirmed, registered or not: nothing will confirm it.
   */
  private forget(entry: ChannelEntry<In, Out>, release: boolean, failure?: Failure): void {
    this.stopWaiting(entry, false);
    if (this.byKey.get(entry.channelKey) !== entry) return;
    this.byKey.delete(entry.channelKey);
    this.matching = this.matching.filter((view) => view.entry !== entry);
    this.host.channelsChanged();
    const wire = this.wire;
    const unsubscribe = entry.spec.unsubscribe;
    if (release && wire && unsubscribe !== undefined) {
      const frame = this.frameFor(unsubscribe, entry, false);
      if (!threw(frame)) wire.write(frame);
    }
    for (const view of entry.views) this.endAll(view.subscribers, failure);
  }

  /** The server refused, or never confirmed, the subscription (or `ack` threw): it is released, its channels error. */
  private reject(entry: ChannelEntry<In, Out>, serverMessage: In | undefined, cause: unknown): void {
    this.forget(entry, true, { error: new SubscriptionRejectedError(entry.channelKey, serverMessage, cause) });
  }

  /**
   * Writes a subscription's `subscribe` on the link; `settle` is told whether it counts: once
   * written, or, with `ack`, once confirmed. It waits from just before the write (a transport
   * may answer inside it); frames heard before then do not count.
   */
  private subscribeOnLink(entry: ChannelEntry<In, Out>, restoring: boolean, settle?: (confirmed: boolean) => void): void {
    const wire = this.wire!;
    const frame = this.frameFor(entry.spec.subscribe, entry, restoring);
    if (threw(frame)) {
      // Nothing was sent on this link: there is nothing to release.
      this.forget(entry, false, frame);
      settle?.(false);
      return;
    }
    const { ack, ackTimeout } = entry.spec;
    const timer =
      ack &&
      this.host.scheduler.schedule(
        () => this.host.serial.run(() => this.reject(entry, undefined, new Error(`no ack within ${ackTimeout} ms`))),
        ackTimeout,
      );
    this.pendingSubscribes.set(entry, { after: wire.framesHeard, timer, settle });
    const written = wire.write(frame);
    if (!ack || !written) this.stopWaiting(entry, written);
  }

  /** A pending `subscribe` is settled: confirmed (it counts) or not. */
  private stopWaiting(entry: ChannelEntry<In, Out>, confirmed: boolean): void {
    const wait = this.pendingSubscribes.get(entry);
    if (wait === undefined) return;
    this.pendingSubscribes.delete(entry);
    wait.timer?.unsubscribe();
    wait.settle?.(confirmed);
  }

  /** A channel's `subscribe` or `unsubscribe` as a frame: its builder and the serializer run guarded. */
  private frameFor(message: ChannelMessage<In, Out>, entry: ChannelEntry<In, Out>, restoring: boolean): Frame | Thrown {
    const context: ChannelContext<In> = entry.lastMessage === undefined ? { restoring } : { restoring, last: entry.lastMessage };
    const built =
      typeof message === 'function' ? guarded(message as (context: ChannelContext<In>) => Out, context, entry.spec.self) : message;
    return threw(built) ? built : this.host.encode(built);
  }

  /** Ends subscribers, in one delivery: with `failure`'s error, or without one as the connection ended. */
  private endAll(subscribers: readonly Subscriber<In>[], failure?: Failure): void {
    this.host.serial.deliver(() => {
      for (const subscriber of subscribers) {
        if (failure) subscriber.error(failure.error);
        else this.finished!(subscriber);
      }
    });
  }
}

/**
 * What the subscription's `ack` says of a message, read inside the guard (`instanceof` walks a
 * Proxy's prototype): true confirms, an `Error` rejects, anything else (no `ack`) is not the answer.
 */
function ackVerdict<In, Out>(this: ChannelDefinition<In, Out>, message: In): true | Error | undefined {
  const result: unknown = this.ack?.call(this.self, message);
  if (result === true) return true;
  return result instanceof Error ? result : undefined;
}
