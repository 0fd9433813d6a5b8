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

/** @internal One `channel()` Observable's subscribers on a key, with that call's own `match`. */
interface ChannelView<In> {
  readonly match: ((message: In) => boolean) | undefined;
  /** The user's spec of the `channel()` call (its functions are called with it as `this`). */
  readonly self: object;
  /** Replaced, never mutated, so a delivery in progress keeps the subscribers it began with. */
  subscribers: readonly Subscriber<In>[];
}

/** @internal A pending `ack` for the `subscribe` written on the current link. */
interface AckWait {
  /** `framesHeard` when the subscribe was written: only later frames can answer it. */
  readonly after: number;
  readonly timer: Subscription;
  readonly settle: ((confirmed: boolean) => void) | undefined;
}

/** @internal One server subscription, shared by every channel with its key. */
interface ChannelEntry<In, Out> {
  readonly key: string;
  /** The first spec subscribed: its `subscribe`, `unsubscribe` and `ack` define the subscription. */
  readonly spec: ChannelDefinition<In, Out>;
  views: readonly ChannelView<In>[];
  last: In | undefined;
  ack: AckWait | undefined;
}

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
  private readonly awaitingAck = new Set<ChannelEntry<In, Out>>();
  /** Entries with a `match` view, replaced (not mutated) on change so dispatch can iterate it. */
  private matchable: readonly ChannelEntry<In, Out>[] = [];
  /** The link whose replay has begun: channels joining now subscribe on it at once. */
  private wire: ChannelWire | undefined;
  private finished: { readonly reason: ClosedReason; readonly error: unknown } | undefined;

  constructor(
    private readonly host: ChannelHost<Out>,
    private readonly keyOf: (message: Out) => string,
    private readonly route: ((message: In) => string | undefined) | undefined,
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
    const definition = readChannelSpec(spec, this.route !== undefined);
    const key = definition.key ?? guarded(this.keyOf, definition.subscribe as Out);
    if (threw(key)) return this.failed$(key.error);
    const viewOf = new WeakMap<ChannelEntry<In, Out>, ChannelView<In>>();
    return new Observable<In>((subscriber) => {
      let joined: { entry: ChannelEntry<In, Out>; view: ChannelView<In> } | undefined;
      this.host.serial.run(() => {
        if (this.finished) this.end(subscriber);
        else joined = this.join(key, definition, viewOf, subscriber);
      });
      return () => {
        if (joined) this.host.serial.run(() => this.leave(joined!.entry, joined!.view, subscriber));
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
    for (const entry of this.awaitingAck) {
      entry.ack?.timer.unsubscribe();
      entry.ack = undefined;
    }
    this.awaitingAck.clear();
  }

  /**
   * Checks a message against pending acks. `seq` is the message's place among the link's
   * frames: only a frame that came after a channel's `subscribe` was written can answer it.
   */
  checkAcks(message: In, seq: number): void {
    if (this.awaitingAck.size === 0) return;
    for (const entry of [...this.awaitingAck]) {
      const wait = entry.ack;
      if (wait === undefined || seq <= wait.after || this.byKey.get(entry.key) !== entry) continue;
      // Reading what `ack` returned (`instanceof` walks a Proxy's prototype) is inside the guard too.
      const verdict = guarded((m: In) => ackVerdict(entry.spec.ack!.call(entry.spec.self, m)), message);
      if (threw(verdict)) this.reject(entry, message, verdict.error);
      else if (verdict === true) this.stopWaiting(entry, true);
      else if (verdict !== undefined) this.reject(entry, message, verdict);
    }
  }

  /**
   * Hands an inbound message to its channels (call from a delivery): with `route`, to the
   * channel whose key it returns, once; otherwise (or when `route` places it nowhere) to
   * every channel whose own `match` accepts it.
   */
  dispatch(message: In): void {
    if (this.route) {
      const key = guarded(this.route, message);
      if (threw(key)) this.host.invalid(key.error, message);
      else if (key !== undefined) {
        const entry = this.byKey.get(key);
        if (entry) {
          entry.last = message;
          for (const view of entry.views) deliver(view, message);
          return;
        }
      }
    }
    for (const entry of this.matchable) {
      for (const view of entry.views) {
        if (view.match === undefined) continue;
        const matches = guarded(view.match, message, view.self);
        if (threw(matches)) this.failView(entry, view, matches.error);
        else if (matches) {
          entry.last = message;
          deliver(view, message);
        }
      }
    }
  }

  /** The connection ended: channels complete (manual close) or error, after what is queued. */
  finish(reason: ClosedReason, error: unknown): void {
    this.finished = { reason, error };
    this.linkLost();
    const entries = [...this.byKey.values()];
    this.byKey.clear();
    this.matchable = [];
    for (const entry of entries) {
      for (const view of entry.views) for (const subscriber of view.subscribers) this.end(subscriber);
    }
  }

  /** A channel that cannot exist: each subscriber errors (after the end: completes or errors as the connection did). */
  private failed$(error: unknown): Observable<In> {
    return new Observable<In>((subscriber) => {
      this.host.serial.run(() => {
        if (this.finished) this.end(subscriber);
        else this.errorAll([subscriber], error);
      });
    });
  }

  private join(
    key: string,
    spec: ChannelDefinition<In, Out>,
    viewOf: WeakMap<ChannelEntry<In, Out>, ChannelView<In>>,
    subscriber: Subscriber<In>,
  ): { entry: ChannelEntry<In, Out>; view: ChannelView<In> } {
    let entry = this.byKey.get(key);
    const created = entry === undefined;
    if (entry === undefined) {
      entry = { key, spec, views: [], last: undefined, ack: undefined };
      this.byKey.set(key, entry);
    }
    let view = viewOf.get(entry);
    if (view === undefined || !entry.views.includes(view)) {
      view = { match: spec.match, self: spec.self, subscribers: [] };
      viewOf.set(entry, view);
      entry.views = [...entry.views, view];
      if (view.match !== undefined && !this.matchable.includes(entry)) this.matchable = [...this.matchable, entry];
    }
    view.subscribers = [...view.subscribers, subscriber];
    // Offline, or before the replay of a new link: the replay sends it, exactly once.
    if (created && this.wire !== undefined) this.subscribeOnLink(entry, false, undefined);
    if (created) this.host.channelsChanged();
    return { entry, view };
  }

  private leave(entry: ChannelEntry<In, Out>, view: ChannelView<In>, subscriber: Subscriber<In>): void {
    if (!view.subscribers.includes(subscriber)) return;
    view.subscribers = view.subscribers.filter((other) => other !== subscriber);
    if (view.subscribers.length === 0) this.dropView(entry, view);
  }

  /** A view has no subscribers left: the last view of a key releases the server subscription. */
  private dropView(entry: ChannelEntry<In, Out>, view: ChannelView<In>): void {
    entry.views = entry.views.filter((other) => other !== view);
    if (entry.views.length > 0) {
      if (!entry.views.some((other) => other.match !== undefined)) {
        this.matchable = this.matchable.filter((other) => other !== entry);
      }
      return;
    }
    if (this.byKey.get(entry.key) === entry) this.release(entry);
  }

  /** Forgets a channel and, when its link is up, sends its `unsubscribe` (best effort, guarded). */
  private release(entry: ChannelEntry<In, Out>): void {
    this.forget(entry);
    const wire = this.wire;
    if (wire === undefined || entry.spec.unsubscribe === undefined) return;
    const message = this.messageFor(entry.spec.unsubscribe, entry, false);
    if (threw(message)) return;
    const frame = this.host.encode(message);
    if (!threw(frame)) wire.write(frame);
  }

  private forget(entry: ChannelEntry<In, Out>): void {
    const known = this.byKey.get(entry.key) === entry;
    if (known) this.byKey.delete(entry.key);
    this.matchable = this.matchable.filter((other) => other !== entry);
    this.stopWaiting(entry, false);
    if (known) this.host.channelsChanged();
  }

  private subscribeOnLink(
    entry: ChannelEntry<In, Out>,
    restoring: boolean,
    settle: ((confirmed: boolean) => void) | undefined,
  ): void {
    const wire = this.wire!;
    const message = this.messageFor(entry.spec.subscribe, entry, restoring);
    const frame = threw(message) ? message : this.host.encode(message);
    if (threw(frame)) {
      this.fail(entry, frame.error);
      settle?.(false);
      return;
    }
    if (!entry.spec.ack) {
      const written = wire.write(frame); // not inside `settle?.()`: an optional call skips its argument
      settle?.(written);
      return;
    }
    // Registered before the write: a transport may answer inside it. Frames heard before it do not count.
    const timeout = entry.spec.ackTimeout;
    const timer = this.host.scheduler.schedule(
      () => this.host.serial.run(() => this.reject(entry, undefined, new Error(`no ack within ${timeout} ms`))),
      timeout,
    );
    entry.ack = { after: wire.framesHeard, timer, settle };
    this.awaitingAck.add(entry);
    if (!wire.write(frame)) this.stopWaiting(entry, false);
  }

  private stopWaiting(entry: ChannelEntry<In, Out>, confirmed: boolean): void {
    if (!this.awaitingAck.delete(entry)) return;
    const wait = entry.ack!;
    entry.ack = undefined;
    wait.timer.unsubscribe();
    wait.settle?.(confirmed);
  }

  /**
   * The server refused, or never confirmed, the subscription (or `ack` threw): every view of it
   * errors, and the subscription its `subscribe` may have made on the server is released
   * (`unsubscribe`, best effort, guarded).
   */
  private reject(entry: ChannelEntry<In, Out>, serverMessage: In | undefined, cause: unknown): void {
    if (this.byKey.get(entry.key) !== entry) return;
    this.release(entry);
    for (const view of entry.views) this.errorAll(view.subscribers, new SubscriptionRejectedError(entry.key, serverMessage, cause));
  }

  /**
   * The subscription cannot exist: its `subscribe` could not be built or serialized, so nothing
   * was sent on this link and there is nothing to release. It errors, gone.
   */
  private fail(entry: ChannelEntry<In, Out>, error: unknown): void {
    if (this.byKey.get(entry.key) !== entry) return;
    this.forget(entry);
    for (const view of entry.views) this.errorAll(view.subscribers, error);
  }

  /** One channel's own `match` threw: its subscribers error; the key is released if it was the last. */
  private failView(entry: ChannelEntry<In, Out>, view: ChannelView<In>, error: unknown): void {
    if (!entry.views.includes(view)) return;
    const subscribers = view.subscribers;
    view.subscribers = [];
    this.dropView(entry, view);
    this.errorAll(subscribers, error);
  }

  private errorAll(subscribers: readonly Subscriber<In>[], error: unknown): void {
    this.host.serial.deliver(() => {
      for (const subscriber of subscribers) subscriber.error(error);
    });
  }

  private messageFor(message: ChannelMessage<In, Out>, entry: ChannelEntry<In, Out>, restoring: boolean): Out | Thrown {
    if (typeof message !== 'function') return message;
    const context: ChannelContext<In> = entry.last === undefined ? { restoring } : { restoring, last: entry.last };
    return guarded(message as (context: ChannelContext<In>) => Out, context, entry.spec.self);
  }

  private end(subscriber: Subscriber<In>): void {
    const { reason, error } = this.finished!;
    this.host.serial.deliver(() => {
      if (reason === 'manual') subscriber.complete();
      else subscriber.error(new ConnectionClosedError(reason, error));
    });
  }
}

/** Delivers to the subscribers a view had when this delivery began. */
function deliver<In>(view: ChannelView<In>, message: In): void {
  for (const subscriber of view.subscribers) subscriber.next(message);
}

/** What an `ack` result means: true confirms, an `Error` rejects, anything else is not the answer. */
function ackVerdict(result: unknown): true | Error | undefined {
  if (result === true) return true;
  return result instanceof Error ? result : undefined;
}
