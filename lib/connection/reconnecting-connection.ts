import { EMPTY, Observable, Subject } from '../rx';
import type { SchedulerLike, Subscription } from 'rxjs';
import { frameKey } from '../channels/frame-key';
import { ChannelRegistry, type ChannelHost } from '../channels/registry';
import type { ChannelSpec } from '../channels/channel-spec';
import { NORMAL_CLOSURE } from '../close-codes';
import { ConfigError } from '../errors/config-error';
import { DeserializeError } from '../errors/deserialize-error';
import { ConnectionClosedError } from '../errors/connection-closed-error';
import { DisconnectError, isDisconnectError } from '../errors/disconnect-error';
import { NotConnectedError } from '../errors/not-connected-error';
import type { ClosedReason, ConnectionEvent } from '../events';
import { guarded, threw, Thrown } from '../guard';
import type { HeartbeatOptions, ResolvedOptions } from '../options';
import { Outbox, type OutboxEntry, type WriteWatcher } from '../outbox';
import type { AckedHooks, AckHost } from '../acked/ack-host';
import type { Decoder } from '../codec/codec';
import { MessageCodec } from '../codec/message-codec';
import type { Frame } from '../serializer';
import type { ConnectionState } from '../state';
import { Rest, type RestHost } from './rest';
import { onRealAsyncClock, onSameClock } from './clock-check';
import { DEVELOPMENT } from '../development';
import { ClockMixUpError } from '../errors/clock-mix-up-error';
import { defaultWake$ } from '../liveness/default-wake';
import { defaultWebSocket } from '../transport/default-websocket';
import type { WebSocketConstructor } from '../transport/websocket-like';
import type { UrlPool } from '../url-pool';
import { requireCloseReason, requireCount } from '../validate';
import type { Connection, RetryNowOptions } from './connection';
import { Lifecycle } from './lifecycle';
import { Link, type LinkHost } from './link';
import { Serial } from './serial';
import { Multicast } from './multicast';
import { attemptLoop, scheduleStart, waitOrNudge, type StartHost } from './attempt-loop';
import {
  initialLifecycle,
  lifecycleRules,
  reduceLifecycle,
  type LifecycleEffect,
  type LifecycleInput,
  type LifecycleRules,
  type LifecycleState,
  type LifecycleStep,
} from './lifecycle-reducer';

/**
 * The connection, as wiring: the lifecycle's rules are one pure reducer
 * ({@link reduceLifecycle}); this class feeds it what happens (socket and timer callbacks,
 * public calls), queues the events it returns and performs its effects. Attempts (each a
 * {@link Link}) are resubscribed by RxJS `retry({ delay })`, whose `delay` is the wait the
 * reducer decided ({@link waitOrNudge}); the link runs its own link-up sequence. Everything
 * runs through one {@link Serial} queue: work happens at once, and what it emits is delivered
 * to subscribers in order once that work is done.
 *
 * @internal
 */
export class ReconnectingConnection<In, Out>
  implements Connection<In, Out>, LinkHost, ChannelHost<Out>, RestHost, StartHost, AckHost<In, Out>
{
  /** Every lifecycle event (see {@link Connection.events$}). */
  get events$(): Observable<ConnectionEvent<Out>> {
    return this.lifecycle.events$;
  }

  /** The current state, then every change (see {@link Connection.state$}). */
  get state$(): Observable<ConnectionState> {
    return this.lifecycle.state$;
  }

  /** Every inbound message (see {@link Connection.messages$}): a {@link Multicast}, which the connection feeds. */
  readonly messages$: Multicast<In>;

  /** The state `state$` last emitted (see {@link Connection.state}). */
  get state(): ConnectionState {
    return this.lifecycle.current;
  }

  /** Messages in the offline buffer (see {@link Connection.buffered}). */
  get buffered(): number {
    return this.outbox?.size ?? 0;
  }

  readonly serial = new Serial();
  readonly scheduler: SchedulerLike;
  readonly WebSocketImpl: WebSocketConstructor;
  readonly protocols: string | string[] | undefined;
  readonly connectTimeout: number;
  readonly heartbeat: HeartbeatOptions<unknown, unknown> | false | 'default';

  private readonly lifecycle: Lifecycle<Out>;
  /** @internal LinkHost: messages to and from frames (the serializer, or the codec). */
  readonly codec: MessageCodec<In, Out>;
  private readonly isPong: ((message: In) => boolean) | undefined;
  /** The offline buffer, made on the first send that needs it. */
  private outbox: Outbox<Out> | undefined = undefined;
  /** @internal AckHost: the acked senders (`ackedSender()`), an array made by the first one. */
  acked: AckedHooks<In, Out>[] | undefined = undefined;
  /** The channels, made on the first `channel()` call. */
  private channels: ChannelRegistry<In, Out> | undefined = undefined;
  /** What the lifecycle's rules read (the retry policy, the breaker's settings). */
  private readonly rules: LifecycleRules;
  /** The lifecycle's state: only {@link dispatch} changes it. */
  private life: LifecycleState;
  /** Ends the wait under way (`retry()`, wake-ups, a resumed give-up); made on the first wait. */
  private nudges: Subject<void> | undefined = undefined;
  /** The `wake$` subscription, while it lasts. */
  private wakes: Subscription | undefined = undefined;

  /** The attempt or link of the moment (none while waiting, or after close). */
  private link: Link | undefined = undefined;
  /** The loss `reconnect()` caused: not a failure, it starts a fresh series at once. */
  private forcedLoss: DisconnectError | undefined = undefined;
  /** `lazy`: when the connection rests and wakes (none without `lazy`). */
  private readonly rest: Rest | undefined;
  /** The attempt loop (retry pipeline) while one runs. */
  private attempts: Subscription | undefined = undefined;
  /** @internal StartHost: the scheduled start of the attempt loop, until it runs. */
  starting: Subscription | undefined = undefined;
  /** Made on the real clock with the default scheduler (see {@link onSameClock}). */
  private readonly startedReal: boolean;
  /** Set once, when the connection ends (why, and what ended it): every public call checks it. */
  private closed: { readonly reason: ClosedReason; readonly error: unknown } | undefined = undefined;
  // The options it needs after construction, each in a field of its own (the resolved options
  // object is not kept: one object less per connection).
  private readonly buffer: ResolvedOptions<In, Out>['buffer'];
  /** @internal LinkHost: the `transport` option (client options, or a factory of them). */
  readonly transport: ResolvedOptions<In, Out>['transport'];
  /** @internal LinkHost: the `handshake` option, resolved (its `timeout` filled in). */
  readonly handshake: LinkHost['handshake'];
  private readonly route: ResolvedOptions<In, Out>['route'];

  constructor(
    options: ResolvedOptions<In, Out>,
    /** @internal LinkHost: the servers, one picked per attempt. */
    readonly pool: UrlPool,
  ) {
    this.buffer = options.buffer;
    this.transport = options.transport;
    this.handshake = options.handshake as LinkHost['handshake'];
    this.route = options.route;
    this.scheduler = options.scheduler;
    this.startedReal = DEVELOPMENT && onRealAsyncClock(options.scheduler); // false in production: no call left
    this.WebSocketImpl = options.WebSocket ?? defaultWebSocket();
    this.protocols = options.protocols;
    this.connectTimeout = options.connectTimeout;
    this.heartbeat = options.heartbeat as HeartbeatOptions<unknown, unknown> | false | 'default';
    this.codec = new MessageCodec(options.serializer, options.codec);
    this.isPong = options.heartbeat && options.heartbeat !== 'default' ? options.heartbeat.isPong : undefined;
    this.rules = lifecycleRules(options.retry, options.circuitBreaker || undefined);
    this.life = initialLifecycle(this.rules, options.scheduler.now(), options.lazy !== false);
    this.rest = options.lazy === false ? undefined : new Rest(options.lazy.idleAfter, this);
    this.lifecycle = new Lifecycle<Out>(this.serial, this.rest ? 'idle' : 'connecting');
    this.messages$ = new Multicast<In>(this.rest ? () => this.serial.run(() => this.rest!.demandChanged()) : undefined);

    const wake$ = options.wake$ ?? defaultWake$();
    if (wake$) {
      // A wake$ that errors or completes stops waking; the connection goes on.
      const wakes = guarded(
        (source: Observable<unknown>) =>
          source.subscribe({ next: () => this.serial.run(() => this.dispatch({ type: 'wake' })), error: () => undefined }),
        wake$,
      );
      if (!threw(wakes)) this.wakes = wakes;
    }
    if (!this.rest) scheduleStart(this);
  }

  channel(spec: ChannelSpec<In, Out>): Observable<In> {
    return (this.channels ??= this.createChannels()).channel(spec);
  }

  send(message: Out): void {
    this.requireOpen();
    this.accept(message, this.codec.encode(message), undefined);
  }

  /** @internal Throws `ConnectionClosedError` once the connection has ended. */
  requireOpen(): void {
    if (this.closed !== undefined) throw new ConnectionClosedError(this.closed.reason);
  }

  /**
   * @internal Writes `frame` on the live link, or buffers it (and returns its entry);
   * `watcher` is told when the buffered frame is written.
   */
  accept(message: Out, frame: Frame, watcher: WriteWatcher | undefined): OutboxEntry<Out> | undefined {
    this.serial.enter();
    try {
      const link = this.link;
      if (link !== undefined && link.phase === 'live' && link.write(frame)) return undefined;
      if (!this.buffer) throw new NotConnectedError();
      const entry = (this.outbox ??= new Outbox<Out>(this.buffer)).push(message, frame, watcher);
      this.rest?.demandChanged(); // `lazy`: the message needs a link
      return entry;
    } finally {
      this.serial.exit();
    }
  }

  /** @internal AckHost: takes a buffered entry out of the offline buffer. */
  unqueue(entry: OutboxEntry<Out>): void {
    this.outbox?.remove(entry);
  }

  sendNow(message: Out): boolean {
    if (this.closed !== undefined) return false;
    const frame = this.codec.encode(message);
    const link = this.link;
    if (link === undefined) return false;
    this.serial.enter();
    try {
      return link.write(frame); // false, and nothing done, when it cannot be written now
    } finally {
      this.serial.exit();
    }
  }

  reconnect(): void {
    this.requireOpen();
    this.serial.run(() => this.dispatch({ type: 'reconnect' }));
  }

  retry(options?: RetryNowOptions): void {
    this.requireOpen();
    const maxAttempts = options?.maxAttempts;
    if (maxAttempts !== undefined) requireCount('retry().maxAttempts', maxAttempts);
    this.serial.run(() => this.dispatch({ type: 'retry', maxAttempts }));
  }

  stopRetry(): void {
    if (this.closed !== undefined) return;
    this.serial.run(() => this.dispatch({ type: 'stop' }));
  }

  close(code: number = NORMAL_CLOSURE, reason?: string): void {
    requireCloseReason(reason);
    if (this.closed !== undefined) return;
    if (code !== NORMAL_CLOSURE && !(Number.isInteger(code) && code >= 3000 && code <= 4999)) {
      throw new ConfigError('close(code)', code, DEVELOPMENT ? '1000 or an application code in 3000-4999' : '');
    }
    if (DEVELOPMENT && !onSameClock(this.scheduler, this.startedReal)) {
      // Its timers are real: close for real once run() has returned (a plain macrotask, the one
      // timer not on the scheduler, which is the thing in the wrong mode here), and say so now.
      setTimeout(() => this.close(code, reason), 0);
      throw new ClockMixUpError();
    }
    this.serial.run(() => {
      // The link of the moment closes with this code and reason (ended, the close that follows leaves it be).
      this.link?.end(code, reason);
      this.dispatch({ type: 'close', code });
    });
  }

  // ---- the lifecycle: feed the reducer, queue its events, perform its effects ------------

  /** @internal Applies one input to the lifecycle: its events are queued, then its effects performed. */
  dispatch(input: LifecycleInput): LifecycleStep {
    const result = reduceLifecycle(this.life, input, this.rules, this.scheduler.now());
    this.life = result.state;
    for (const event of result.events) this.lifecycle.emit(event);
    for (const effect of result.effects) this.perform(effect);
    return result;
  }

  private perform(effect: LifecycleEffect): void {
    switch (effect.type) {
      case 'run-attempts':
        this.runAttempts(undefined);
        return;
      case 'schedule-start':
        scheduleStart(this);
        return;
      case 'nudge':
        this.nudges?.next();
        return;
      case 'hold':
        // The wait's timer is dropped: only a nudge (a resumed give-up) starts the next attempt.
        this.stopAttempts(undefined);
        this.runAttempts('hold');
        return;
      case 'fail-link':
        if (effect.forced) this.forcedLoss = effect.error;
        this.link?.fail(effect.error, !effect.forced);
        return;
      case 'probe':
        this.link?.heartbeat?.probeNow();
        return;
      case 'rotate-url':
        this.pool.rotate();
        return;
      case 'after-delivery':
        this.serial.deliver(() => {
          this.dispatch({ type: 'give-up-delivered' });
          // `lazy`: demand that changed while the give-up was delivered (a handler that left and
          // resumed) was not acted on then: a resumed outage still rests in time.
          this.rest?.demandChanged();
        });
        return;
      case 'wake-rest':
        this.rest?.wake();
        return;
      case 'stop-attempts':
        this.stopAttempts(this.forgetLink()); // ends the attempt or link of the moment (its socket closes with 1000)
        return;
      case 'finish':
        this.finish(effect.reason, effect.error);
        return;
    }
  }

  /** The wait the reducer decided, as `retry()`'s notifier (nothing: the loop ends). */
  private waitFor(wait: number | 'hold' | undefined): Observable<unknown> {
    if (wait === undefined) return EMPTY;
    return waitOrNudge(wait, (this.nudges ??= new Subject<void>()), this.scheduler, this.serial);
  }

  /** Runs the attempt loop; `firstWait` first when a link was lost (its backoff) or a give-up holds it. */
  private runAttempts(firstWait: number | 'hold' | undefined): void {
    let done = false;
    const loop = attemptLoop(
      Link.attempt$(this),
      (error) => this.afterFailure(error),
      firstWait === undefined ? undefined : this.waitFor(firstWait),
    ).subscribe({
      complete: () => {
        done = true;
        if (this.attempts === loop) this.attempts = undefined;
      },
    });
    // Kept after the fact: if the loop ended within subscribe(), or the connection closed (or
    // went idle) while the first attempt started, nothing of it is kept.
    if (done || this.closed !== undefined || this.rest?.idle) loop.unsubscribe();
    else this.attempts = loop;
  }

  /** `retry()`'s delay: the attempt failed; the reducer decides what comes next. */
  private afterFailure(error: unknown): Observable<unknown> {
    if (this.closed !== undefined) return EMPTY;
    const failure = isDisconnectError(error) ? error : new DisconnectError('error', { cause: error });
    const link = this.forgetLink();
    return this.waitFor(this.failed(failure, link?.attempt ?? this.life.attempt, false));
  }

  /** @internal LinkHost: the link of the moment, up until now, is lost: a new attempt loop starts after its wait. */
  lost(link: Link, error: DisconnectError): void {
    if (link !== this.link || this.closed !== undefined) return;
    this.forgetLink();
    this.stopAttempts(undefined); // none runs while a link is up; never two at once
    const wait = this.failed(error, link.attempt, true);
    if (wait !== undefined) this.runAttempts(wait);
  }

  private failed(error: DisconnectError, attempt: number, wasUp: boolean): number | 'hold' | undefined {
    const forced = error === this.forcedLoss;
    if (forced) this.forcedLoss = undefined;
    return this.dispatch({ type: 'failed', error, attempt, wasUp, forced }).wait;
  }

  /** Forgets the attempt or link of the moment (its sequence and its channel wire) and returns it. */
  private forgetLink(): Link | undefined {
    const link = this.link;
    this.link = undefined;
    this.channels?.linkLost();
    return link;
  }


  // ---- LinkHost ----------------------------------------------------------------------------

  /** @internal An attempt starts now, on `link`: its number. */
  beginAttempt(link: Link): number {
    this.link = link;
    return this.dispatch({ type: 'attempt' }).state.attempt;
  }

  connecting(link: Link, url: string): void {
    this.lifecycle.emit({ type: 'Connecting', attempt: link.attempt, url });
  }

  frame(link: Link, data: unknown): void {
    const seq = link.framesHeard;
    const decoder = link.decoder as Decoder<In> | undefined;
    if (decoder === undefined) {
      // The serializer's one message per frame: no closure on the per-frame path.
      const message = this.codec.deserialize(data);
      if (threw(message)) this.invalid(new DeserializeError(message.error), data);
      else this.inbound(link, message, seq);
      return;
    }
    this.codec.decodeEach(
      decoder,
      data,
      (message) => this.inbound(link, message, seq),
      () => link.phase !== 'ended',
      (error, frame) => this.invalid(error, frame),
    );
  }

  /** One inbound message: the handshake, a pong, channel acks, then delivery. */
  private inbound(link: Link, message: In, seq: number): void {
    if (link.phase === 'handshake') link.handshakeReceived(message);
    else if (this.isPong !== undefined && link.heartbeat?.awaitingPong) {
      const pong = guarded(this.isPong, message);
      if (threw(pong)) this.invalid(pong.error, message);
      else if (pong === true && link.heartbeat.consumePong()) return;
    }
    this.channels?.checkAcks(message, seq);
    if (this.serial.mayDeliverNow) this.deliverMessage(message);
    else this.serial.deliver(() => this.deliverMessage(message));
  }

  pingFrame(heartbeat: HeartbeatOptions<unknown, unknown>): Frame {
    const message = typeof heartbeat.message === 'function' ? (heartbeat.message as () => Out)() : heartbeat.message;
    return this.codec.encode(message as Out);
  }

  // ---- LinkHost (the link-up sequence's steps) and ChannelHost -----------------------------

  encode(message: Out): Frame | Thrown {
    return this.codec.encodeGuarded(message);
  }

  announce(link: Link): boolean {
    const first = !this.life.everConnected;
    this.dispatch({ type: 'up', url: link.url, attempt: link.attempt });
    return !first;
  }

  replay(link: Link, restoring: boolean, done: (count: number) => void): void {
    if (this.channels) this.channels.replay(link, restoring, done);
    else done(0);
  }

  restored(count: number): void {
    this.lifecycle.emit({ type: 'SubscriptionsRestored', count });
  }

  flush(link: Link): void {
    const outbox = this.outbox;
    // Acked messages written on an earlier link go first: they were accepted before anything
    // the offline buffer holds.
    const resent = this.acked?.every((acked) => acked.resend(link)) ?? true;
    // Taken out before it is written: a transport that closes inside the write cannot leave a
    // written frame in `Closed.unsent`.
    for (let entry = resent ? outbox?.shift() : undefined; entry !== undefined; entry = outbox!.shift()) {
      if (!link.write(entry.frame)) {
        outbox!.restore(entry);
        break;
      }
      entry.watcher?.written();
      if (link.phase !== 'restoring') break;
    }
    if (link.phase === 'restoring') link.phase = 'live';
    this.rest?.unneeded();
  }

  channelsChanged(): void {
    this.rest?.demandChanged();
  }

  invalid(error: unknown, data: unknown): void {
    this.lifecycle.emit({ type: 'InvalidMessage', error, data });
  }

  // ---- lazy: connect while something needs the link ------------------------------------------

  // RestHost: what the Rest of a lazy connection asks of it (methods: no closure per connection).

  /** @internal Something needs a link: a `messages$` subscriber, a channel, a buffered send. */
  needed(): boolean {
    return (
      this.messages$.count > 0 ||
      (this.channels?.size ?? 0) > 0 ||
      (this.outbox?.size ?? 0) > 0 ||
      (this.acked?.some((acked) => acked.pending > 0) ?? false)
    );
  }

  /** @internal Not ended, and no give-up being delivered. */
  mayRest(): boolean {
    return this.closed === undefined && this.life.phase !== 'giving-up';
  }


  private createChannels(): ChannelRegistry<In, Out> {
    const channels = new ChannelRegistry<In, Out>(
      this,
      (message) => frameKey(this.codec.encode(message)),
      this.route,
    );
    // Made after the end: late subscribers complete or error as the connection did.
    if (this.closed) channels.finish(this.closed.reason, this.closed.error);
    else if (this.link?.isUp) channels.useLink(this.link);
    return channels;
  }

  private deliverMessage(message: In): void {
    if (this.acked) for (const acked of this.acked) acked.delivered(message);
    this.messages$.emit(message);
    this.channels?.dispatch(message);
  }

  /** Cancels the scheduled start, ends the attempt loop (and its attempt), and ends `link` if it is up. */
  private stopAttempts(link: Link | undefined): void {
    const { starting, attempts } = this;
    this.starting = this.attempts = undefined;
    starting?.unsubscribe();
    attempts?.unsubscribe();
    link?.end();
  }

  private finish(reason: ClosedReason, error: unknown): void {
    if (this.closed !== undefined) return;
    this.closed = { reason, error };
    this.stopAttempts(this.forgetLink());
    this.rest?.stop();
    this.wakes?.unsubscribe();
    this.wakes = undefined;
    // Oldest first: acked messages written and never acked, then the offline buffer.
    const unsent = (this.acked?.flatMap((acked) => acked.unsent()) ?? []).concat(this.outbox?.drain() ?? []);
    this.lifecycle.emit({ type: 'Closed', reason, ...(error === undefined ? {} : { error }), unsent });
    if (this.acked) {
      const ended = new ConnectionClosedError(reason, error);
      for (const acked of this.acked) acked.end(ended);
    }
    // `close()` completes messages$; any other end errors it.
    this.serial.deliver(() =>
      this.messages$.end(reason === 'manual' ? undefined : new ConnectionClosedError(reason, error)),
    );
    // After what is being delivered: a frame in delivery when a handler closed still reaches
    // every channel that had it when its delivery began.
    const channels = this.channels;
    if (channels !== undefined) this.serial.deliver(() => channels.finish(reason, error));
  }
}
