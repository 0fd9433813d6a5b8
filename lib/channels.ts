import { Observable, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import { ConfigError } from './errors/config-error';
import { ConnectionClosedError } from './errors/connection-closed-error';
import { SubscriptionRejectedError } from './errors/subscription-rejected-error';
import type { ClosedReason } from './events';
import { requireDuration, requireOptionalFunction } from './validate';

/** What a `subscribe`/`unsubscribe` function is told. */
export interface ChannelContext<In> {
  /** True when re-subscribing after a reconnect; false for the first subscription. */
  readonly restoring: boolean;
  /** The last message this channel delivered, so a protocol with offsets can resume. */
  readonly last?: In;
}

/** A message, or a function making one from the channel's context. */
export type ChannelMessage<In, Out> = Out | ((context: ChannelContext<In>) => Out);

/** A server-side subscription that is replayed after every reconnect. */
export interface ChannelSpec<In, Out> {
  /**
   * Identity for sharing: subscribers with the same key share one server subscription.
   * @default the serialized `subscribe` message (required when `subscribe` is a function)
   */
  key?: string;
  /** Sent when the first subscriber arrives, and again on every new link. */
  subscribe: ChannelMessage<In, Out>;
  /**
   * Sent when the last subscriber leaves, if a link is up.
   * @default none
   */
  unsubscribe?: ChannelMessage<In, Out>;
  /**
   * Which inbound messages belong to this channel. Optional when the connection has `route`.
   * @default none
   */
  match?: (message: In) => boolean;
  /**
   * Recognises the server's confirmation: `true` confirms, an `Error` rejects (the channel
   * errors with `SubscriptionRejectedError`), anything else is not the answer.
   * @default none (the subscription counts as confirmed once sent)
   */
  ack?: (message: In) => boolean | Error;
  /**
   * Ms to wait for `ack` before the channel errors with `SubscriptionRejectedError`.
   * @default 10000
   */
  ackTimeout?: number;
}

/** Default ms a channel waits for its `ack`. */
export const DEFAULT_ACK_TIMEOUT = 10_000;

/** Where a channel's frames go: the link of the moment, if one is up. */
export interface ChannelWire<Out> {
  /** Writes a protocol message now; returns false when no link is up (nothing was sent). */
  sendNow(message: Out): boolean;
}

interface ChannelEntry<In, Out> {
  readonly key: string;
  readonly spec: ChannelSpec<In, Out>;
  readonly subscribers: Set<Subscriber<In>>;
  last: In | undefined;
  /** Sent on the current link and waiting for `ack`. */
  ackTimer: Subscription | undefined;
  /** Called when the ack arrives, is rejected or times out (replay bookkeeping). */
  settle: ((confirmed: boolean) => void) | undefined;
}

/**
 * The connection's channels: ref-counted by key, dispatched by `match` or `route`,
 * re-subscribed in first-subscribed order on every link.
 */
export class ChannelRegistry<In, Out> {
  private readonly entries = new Map<string, ChannelEntry<In, Out>>();
  private readonly awaitingAck = new Set<ChannelEntry<In, Out>>();
  /** Channels with `match`, replaced (not mutated) on change so dispatch can iterate it safely. */
  private matchers: readonly ChannelEntry<In, Out>[] = [];
  private finished: { reason: ClosedReason; error: unknown } | undefined;
  /** True while a link is up and its replay has been sent: new channels subscribe at once. */
  private linkReady = false;

  constructor(
    private readonly wire: ChannelWire<Out>,
    private readonly keyOf: (message: Out) => string,
    private readonly route: ((message: In) => string | undefined) | undefined,
    private readonly scheduler: SchedulerLike,
  ) {}

  /** Active channels. */
  get size(): number {
    return this.entries.size;
  }

  /** A cold Observable whose first subscriber subscribes on the server. */
  channel(spec: ChannelSpec<In, Out>): Observable<In> {
    const key = this.validate(spec);
    return new Observable<In>((subscriber) => {
      if (this.finished) {
        this.end(subscriber);
        return undefined;
      }
      this.join(key, spec, subscriber);
      return () => this.leave(key, subscriber);
    });
  }

  /**
   * Sends every active channel's `subscribe` on a new link, in first-subscribed order, and
   * calls `done(count)` once every ack is in (rejected and timed-out channels not counted).
   */
  replay(restoring: boolean, done: (count: number) => void): void {
    this.linkReady = true;
    let pending = 1;
    let count = 0;
    const settle = (confirmed: boolean): void => {
      if (confirmed) count++;
      if (--pending === 0) done(count);
    };
    for (const entry of [...this.entries.values()]) {
      pending++;
      this.subscribeOnLink(entry, restoring, settle);
    }
    settle(false);
  }

  /** The link is gone: pending acks are void; channels wait for the next link. */
  linkLost(): void {
    this.linkReady = false;
    for (const entry of this.awaitingAck) {
      entry.ackTimer?.unsubscribe();
      entry.ackTimer = undefined;
      entry.settle = undefined;
    }
    this.awaitingAck.clear();
  }

  /** Hands an inbound message to the channels it belongs to. */
  dispatch(message: In): void {
    if (this.awaitingAck.size > 0) this.checkAcks(message);
    if (this.route) {
      const key = this.routeKey(message);
      const entry = key === undefined ? undefined : this.entries.get(key);
      if (entry) this.deliver(entry, message);
    }
    for (const entry of this.matchers) {
      let matches: boolean;
      try {
        matches = entry.spec.match!(message);
      } catch (error) {
        this.failChannel(entry, error); // as RxJS `filter` does with a throwing predicate
        continue;
      }
      if (matches) this.deliver(entry, message);
    }
  }

  /** The `route` key of a message; a `route` that throws routes it nowhere. */
  private routeKey(message: In): string | undefined {
    try {
      return this.route!(message);
    } catch {
      return undefined;
    }
  }

  /** The connection ended: channels complete (manual close) or error. */
  finish(reason: ClosedReason, error: unknown): void {
    this.finished = { reason, error };
    this.linkLost();
    const entries = [...this.entries.values()];
    this.entries.clear();
    this.matchers = [];
    for (const entry of entries) for (const subscriber of entry.subscribers) this.end(subscriber);
  }

  private validate(spec: ChannelSpec<In, Out>): string {
    if (typeof spec !== 'object' || spec === null) throw new ConfigError('channel', spec, 'a channel spec');
    if (spec.subscribe === undefined) throw new ConfigError('channel.subscribe', spec.subscribe, 'a message or a function');
    requireOptionalFunction('channel.match', spec.match);
    requireOptionalFunction('channel.ack', spec.ack);
    if (spec.ackTimeout !== undefined) requireDuration('channel.ackTimeout', spec.ackTimeout);
    if (!spec.match && !this.route) {
      throw new ConfigError('channel.match', spec.match, 'a function (or the connection option `route`)');
    }
    if (spec.key !== undefined) {
      if (typeof spec.key !== 'string') throw new ConfigError('channel.key', spec.key, 'a string');
      return spec.key;
    }
    if (typeof spec.subscribe === 'function') {
      throw new ConfigError('channel.key', undefined, 'a key when `subscribe` is a function');
    }
    return this.keyOf(spec.subscribe as Out);
  }

  private join(key: string, spec: ChannelSpec<In, Out>, subscriber: Subscriber<In>): void {
    const existing = this.entries.get(key);
    if (existing) {
      existing.subscribers.add(subscriber);
      return;
    }
    const entry: ChannelEntry<In, Out> = {
      key,
      spec,
      subscribers: new Set([subscriber]),
      last: undefined,
      ackTimer: undefined,
      settle: undefined,
    };
    this.entries.set(key, entry);
    if (spec.match) this.matchers = [...this.matchers, entry];
    // Offline (or before the replay of a new link), the replay will send it: exactly once.
    if (this.linkReady) this.subscribeOnLink(entry, false, undefined);
  }

  private leave(key: string, subscriber: Subscriber<In>): void {
    const entry = this.entries.get(key);
    if (!entry || !entry.subscribers.delete(subscriber) || entry.subscribers.size > 0) return;
    this.retire(entry);
  }

  /** Forgets a channel and, when a link is up, sends its `unsubscribe`. */
  private retire(entry: ChannelEntry<In, Out>): void {
    this.forget(entry);
    if (this.linkReady && entry.spec.unsubscribe !== undefined) {
      this.wire.sendNow(this.messageFor(entry.spec.unsubscribe, entry, false));
    }
  }

  private forget(entry: ChannelEntry<In, Out>): void {
    this.entries.delete(entry.key);
    if (entry.spec.match) this.matchers = this.matchers.filter((other) => other !== entry);
    this.stopWaiting(entry, false);
  }

  private subscribeOnLink(
    entry: ChannelEntry<In, Out>,
    restoring: boolean,
    settle: ((confirmed: boolean) => void) | undefined,
  ): void {
    let message: Out;
    try {
      message = this.messageFor(entry.spec.subscribe, entry, restoring);
    } catch (error) {
      this.reject(entry, undefined, error);
      settle?.(false);
      return;
    }
    if (!entry.spec.ack) {
      const sent = this.wire.sendNow(message);
      settle?.(sent);
      return;
    }
    // Wait for the ack before sending: a reply may arrive while `sendNow` runs.
    const timeout = entry.spec.ackTimeout ?? DEFAULT_ACK_TIMEOUT;
    entry.settle = settle;
    entry.ackTimer = this.scheduler.schedule(() => {
      this.reject(entry, undefined, new Error(`no ack within ${timeout} ms`));
    }, timeout);
    this.awaitingAck.add(entry);
    if (!this.wire.sendNow(message)) this.stopWaiting(entry, false);
  }

  private checkAcks(message: In): void {
    for (const entry of [...this.awaitingAck]) {
      let verdict: boolean | Error;
      try {
        verdict = entry.spec.ack!(message);
      } catch (error) {
        verdict = error instanceof Error ? error : new Error(String(error));
      }
      if (verdict === true) this.stopWaiting(entry, true);
      else if (verdict instanceof Error) this.reject(entry, message, verdict);
    }
  }

  private stopWaiting(entry: ChannelEntry<In, Out>, confirmed: boolean): void {
    if (!this.awaitingAck.delete(entry)) return;
    entry.ackTimer?.unsubscribe();
    entry.ackTimer = undefined;
    const settle = entry.settle;
    entry.settle = undefined;
    settle?.(confirmed);
  }

  private reject(entry: ChannelEntry<In, Out>, serverMessage: In | undefined, cause: unknown): void {
    this.forget(entry);
    const error = new SubscriptionRejectedError(entry.key, serverMessage, cause);
    for (const subscriber of [...entry.subscribers]) subscriber.error(error);
  }

  /** A channel's own callback threw: that channel errors and leaves the server; others go on. */
  private failChannel(entry: ChannelEntry<In, Out>, error: unknown): void {
    if (this.entries.get(entry.key) !== entry) return;
    this.retire(entry);
    for (const subscriber of [...entry.subscribers]) subscriber.error(error);
  }

  private deliver(entry: ChannelEntry<In, Out>, message: In): void {
    entry.last = message;
    for (const subscriber of entry.subscribers) subscriber.next(message);
  }

  private messageFor(message: ChannelMessage<In, Out>, entry: ChannelEntry<In, Out>, restoring: boolean): Out {
    if (typeof message !== 'function') return message;
    const context: ChannelContext<In> = entry.last === undefined ? { restoring } : { restoring, last: entry.last };
    return (message as (context: ChannelContext<In>) => Out)(context);
  }

  private end(subscriber: Subscriber<In>): void {
    const { reason, error } = this.finished!;
    if (reason === 'manual') subscriber.complete();
    else subscriber.error(new ConnectionClosedError(reason, error));
  }
}
