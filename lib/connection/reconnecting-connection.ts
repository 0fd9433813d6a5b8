import { EMPTY, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { frameKey } from '../channels/frame-key';
import { ChannelRegistry, type ChannelHost } from '../channels/registry';
import type { ChannelSpec } from '../channels/channel-spec';
import { CloseCode } from '../close-codes';
import { ConfigError } from '../errors/config-error';
import { CircuitOpenError } from '../errors/circuit-open-error';
import { ConnectionClosedError } from '../errors/connection-closed-error';
import { DeserializeError } from '../errors/deserialize-error';
import { DisconnectError, isDisconnectError, type DisconnectReason } from '../errors/disconnect-error';
import { NotConnectedError } from '../errors/not-connected-error';
import type { ClosedReason, ConnectionEvent } from '../events';
import { guarded, threw, Thrown } from '../guard';
import type { HeartbeatOptions, ResolvedOptions, ResolvedRetryOptions } from '../options';
import { Outbox } from '../outbox';
import { CircuitBreakerPolicy } from '../retry/circuit-breaker-policy';
import type { Codec, Decoder } from '../codec/codec';
import { eachDecoded } from '../codec/each-decoded';
import { checkFrame, type Frame, type Serializer } from '../serializer';
import type { ConnectionState } from '../state';
import { Rest, type RestHost } from './rest';
import { Termination } from './termination';
import { onRealAsyncClock, onSameClock } from './clock-check';
import { ClockMixUpError } from '../errors/clock-mix-up-error';
import { defaultWake$ } from '../liveness/default-wake';
import { defaultWebSocket } from '../transport/default-websocket';
import type { WebSocketConstructor } from '../transport/websocket-like';
import type { UrlPool } from '../url-pool';
import { requireCloseReason, requireCount } from '../validate';
import type { Connection, RetryNowOptions } from './connection';
import { Lifecycle } from './lifecycle';
import { Link, type LinkHost } from './link';
import { LinkUp, type LinkUpHost } from './link-up';
import { Outage } from './outage';
import { planRetry } from './retry-plan';
import { Serial } from './serial';
import { Multicast } from './multicast';
import { AttemptWait } from './attempt-wait';
import { runAttemptLoop, scheduleStart, type AttemptLoopHost, type StartHost } from './attempt-loop';

/** A permanent `Disconnected` on its way to subscribers: `retry()` from a handler resumes. */
interface PendingGiveUp {
  resume: boolean;
}

/**
 * The connection: attempts (each a {@link Link}) resubscribed by RxJS `retry({ delay })`,
 * where `delay` is {@link planRetry} plus the circuit breaker, and the link-up sequence
 * ({@link LinkUp}). Everything runs through one {@link Serial} queue: socket and timer
 * callbacks and public calls do their work at once, and what they emit is delivered to
 * subscribers in order once that work is done.
 */
export class ReconnectingConnection<In, Out>
  implements Connection<In, Out>, LinkHost, LinkUpHost<Out>, ChannelHost<Out>, RestHost, AttemptLoopHost, StartHost
{
  /** Every lifecycle event (see {@link Connection.events$}). */
  get events$(): Observable<ConnectionEvent<Out>> {
    return this.lifecycle.events$;
  }

  /** The current state, then every change (see {@link Connection.state$}). */
  get state$(): Observable<ConnectionState> {
    return this.lifecycle.state$;
  }

  readonly messages$: Observable<In>;

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
  private readonly messages: Multicast<In>;
  private readonly serializer: Serializer<In, Out>;
  /** The per-link codec, when one replaces the serializer. */
  private readonly codec: Codec<In, Out> | undefined;
  private readonly isPong: ((message: In) => boolean) | undefined;
  /** The offline buffer, made on the first send that needs it. */
  private outbox: Outbox<Out> | undefined = undefined;
  /** The channels, made on the first `channel()` call. */
  private channels: ChannelRegistry<In, Out> | undefined = undefined;
  private readonly outage: Outage;
  private readonly breaker: CircuitBreakerPolicy | undefined;
  /** The `wake$` subscription, while it lasts. */
  private wakes: Subscription | undefined = undefined;

  /** The attempt or link of the moment (none while waiting, or after close). */
  private link: Link | undefined = undefined;
  /** That link's link-up sequence, once its socket opened. */
  private sequence: LinkUp<In, Out> | undefined = undefined;
  /** The wait for the next attempt: `retry()` and wake-ups end it early (made on the first wait). */
  private wait: AttemptWait | undefined = undefined;
  /** Set while a permanent `Disconnected` is being delivered. */
  private giveUp: PendingGiveUp | undefined = undefined;
  /** The attempt the latest `Disconnected` reported: what `stopRetry()` during a wait reports. */
  private lastAttemptMade = 0;
  /** The limit of consecutive failed attempts in force (`retry({ maxAttempts })` changes it). */
  private maxAttempts: number;
  /** `stopRetry()` was called: the next loss is terminal. */
  private stopRequested = false;
  /** The loss `reconnect()` caused: not a failure, it starts a fresh series at once. */
  private forcedLoss: DisconnectError | undefined = undefined;
  /** `lazy`: when the connection rests and wakes (none without `lazy`). */
  private readonly rest: Rest | undefined;
  /** The attempt loop (retry pipeline) while one runs. */
  private attempts: Subscription | undefined = undefined;
  /** The scheduled start of the attempt loop, until it runs. */
  private starting: Subscription | undefined = undefined;
  /** Made on the real clock with the default scheduler (see {@link onSameClock}). */
  private readonly startedReal: boolean;
  /** Set once, when the connection ends (why, and what ended it): every public call checks it. */
  private closed: { readonly reason: ClosedReason; readonly error: unknown } | undefined = undefined;
  // The options it needs after construction, each in a field of its own (the resolved options
  // object is not kept: one object less per connection).
  private readonly retryOptions: ResolvedRetryOptions;
  private readonly buffer: ResolvedOptions<In, Out>['buffer'];
  private readonly transport: ResolvedOptions<In, Out>['transport'];
  private readonly handshake: ResolvedOptions<In, Out>['handshake'];
  private readonly route: ResolvedOptions<In, Out>['route'];

  constructor(
    options: ResolvedOptions<In, Out>,
    private readonly pool: UrlPool,
  ) {
    this.retryOptions = options.retry;
    this.buffer = options.buffer;
    this.transport = options.transport;
    this.handshake = options.handshake;
    this.route = options.route;
    this.scheduler = options.scheduler;
    this.startedReal = onRealAsyncClock(options.scheduler);
    this.WebSocketImpl = options.WebSocket ?? defaultWebSocket();
    this.protocols = options.protocols;
    this.connectTimeout = options.connectTimeout;
    this.heartbeat = options.heartbeat as HeartbeatOptions<unknown, unknown> | false | 'default';
    this.serializer = options.serializer;
    this.codec = options.codec;
    this.isPong = options.heartbeat && options.heartbeat !== 'default' ? options.heartbeat.isPong : undefined;
    this.maxAttempts = options.retry.maxAttempts;
    this.rest = options.lazy === false ? undefined : new Rest(options.lazy.idleAfter, this);
    this.lifecycle = new Lifecycle<Out>(this.serial, this.rest ? 'idle' : 'connecting');
    this.messages = new Multicast<In>(this.rest ? () => this.serial.run(() => this.rest!.demandChanged()) : undefined);
    this.messages$ = this.messages.observable;
    this.outage = new Outage(options.scheduler, options.retry.stableAfter);
    this.breaker = options.circuitBreaker
      ? new CircuitBreakerPolicy({ ...options.circuitBreaker, scheduler: options.scheduler })
      : undefined;

    const wake$ = options.wake$ ?? defaultWake$();
    if (wake$) {
      // A wake$ that errors or completes stops waking; the connection goes on.
      const wakes = guarded(
        (source: Observable<unknown>) =>
          source.subscribe({ next: () => this.serial.run(() => this.wake()), error: () => undefined }),
        wake$,
      );
      if (!threw(wakes)) this.wakes = wakes;
    }
    if (!this.rest) this.starting = scheduleStart(this.scheduler, this, 1);
  }

  channel(spec: ChannelSpec<In, Out>): Observable<In> {
    return (this.channels ??= this.createChannels()).channel(spec);
  }

  send(message: Out): void {
    if (this.closed !== undefined) throw new ConnectionClosedError(this.closed.reason);
    const frame = this.encodeUnguarded(message);
    this.serial.enter();
    try {
      const link = this.link;
      if (link !== undefined && link.phase === 'live' && link.write(frame)) return;
      if (!this.buffer) throw new NotConnectedError();
      (this.outbox ??= new Outbox<Out>(this.buffer)).push(message, frame);
      this.rest?.demandChanged(); // `lazy`: the message needs a link
    } finally {
      this.serial.exit();
    }
  }

  sendNow(message: Out): boolean {
    if (this.closed !== undefined) return false;
    const frame = this.encodeUnguarded(message);
    const link = this.link;
    if (link === undefined || !link.canWrite()) return false;
    this.serial.enter();
    try {
      return link.write(frame);
    } finally {
      this.serial.exit();
    }
  }

  reconnect(): void {
    if (this.closed !== undefined) throw new ConnectionClosedError(this.closed.reason);
    this.serial.run(() => {
      this.stopRequested = false;
      const link = this.link;
      if (this.giveUp) this.giveUp.resume = true;
      else if (this.rest?.idle) this.rest.wake();
      else if (link !== undefined && link.isUp) {
        const loss = new DisconnectError('manual', { message: 'reconnect()' });
        this.forcedLoss = loss;
        link.fail(loss, false);
      } else this.attemptNow();
    });
  }

  retry(options?: RetryNowOptions): void {
    if (this.closed !== undefined) throw new ConnectionClosedError(this.closed.reason);
    if (options?.maxAttempts !== undefined) {
      requireCount('retry().maxAttempts', options.maxAttempts);
      this.maxAttempts = options.maxAttempts;
    }
    this.serial.run(() => {
      this.stopRequested = false;
      if (this.giveUp) this.giveUp.resume = true;
      else this.attemptNow();
    });
  }

  stopRetry(): void {
    if (this.closed !== undefined) return;
    this.serial.run(() => {
      this.stopRequested = true;
      if (this.giveUp) {
        this.giveUp.resume = false;
        return;
      }
      const link = this.link;
      if (link !== undefined && !link.isUp) {
        link.fail(new DisconnectError('manual', { message: 'stopRetry() during an attempt' }));
      } else if (this.waiting) {
        const stopped = new DisconnectError('manual', { message: 'stopRetry()' });
        this.announceGiveUp('manual', stopped, this.lastAttemptMade, (resumed) => {
          if (!resumed) this.finish('stopped', undefined);
          else if (this.waiting) {
            this.freshSeries(stopped);
            this.wait!.endNow();
          }
        });
      }
    });
  }

  close(code: number = CloseCode.Normal, reason?: string): void {
    requireCloseReason(reason);
    if (this.closed !== undefined) return;
    if (code !== CloseCode.Normal && !(Number.isInteger(code) && code >= 3000 && code <= 4999)) {
      throw new ConfigError('close(code)', code, '1000 or an application code in 3000-4999');
    }
    if (!onSameClock(this.scheduler, this.startedReal)) {
      // Its timers are real: close for real once run() has returned (a plain macrotask, the one
      // timer not on the scheduler, which is the thing in the wrong mode here), and say so now.
      setTimeout(() => this.close(code, reason), 0);
      throw new ClockMixUpError();
    }
    this.serial.run(() => {
      if (this.closed !== undefined) return;
      const link = this.link;
      if (link !== undefined) {
        link.closeCode = code;
        link.closeReason = reason;
        if (link.isUp) {
          this.lifecycle.emit({ type: 'Disconnected', reason: 'manual', code, permanent: true, attempt: 0, maxAttempts: this.maxAttempts });
        }
      }
      this.finish('manual', undefined);
    });
  }

  // ---- LinkHost ----------------------------------------------------------------------------

  nextAttempt(): number {
    return this.outage.attempt;
  }

  attach(link: Link): void {
    this.link = link;
    this.sequence = undefined;
  }

  pickUrl(attempt: number): unknown {
    return this.pool.pick({ attempt });
  }

  transportOptions(attempt: number, url: string): unknown {
    const transport = this.transport;
    return typeof transport === 'function' ? transport({ attempt, url }) : transport;
  }

  connecting(link: Link, url: string): void {
    this.lifecycle.emit({ type: 'Connecting', attempt: link.attempt, url });
  }

  opened(link: Link): void {
    if (link !== this.link) return;
    const codec = this.codec;
    if (codec !== undefined) {
      const decoder = guarded(codec.decoder, { url: link.url, attempt: link.attempt }, codec);
      if (threw(decoder) || typeof decoder !== 'function') {
        const cause = threw(decoder) ? decoder.error : new TypeError('codec.decoder() did not return a function');
        link.fail(new DisconnectError('error', { cause, message: 'codec.decoder() failed' }));
        return;
      }
      link.decoder = decoder as (frame: unknown) => Iterable<unknown>;
    }
    this.sequence = new LinkUp<In, Out>(link, this, this.handshake);
    this.sequence.start();
  }

  frame(link: Link, data: unknown): void {
    const seq = link.framesHeard;
    if (link.decoder !== undefined) {
      eachDecoded<In>(
        link.decoder as Decoder<In>,
        data,
        (message) => this.inbound(link, message, seq),
        () => link.phase !== 'ended',
        (error) => this.invalid(new DeserializeError(error), data),
      );
      return;
    }
    const message = guarded(this.serializer.deserialize, data, this.serializer);
    if (threw(message)) {
      this.invalid(new DeserializeError(message.error), data);
      return;
    }
    this.inbound(link, message, seq);
  }

  /** One inbound message: the handshake, a pong, channel acks, then delivery. */
  private inbound(link: Link, message: In, seq: number): void {
    if (link.phase === 'handshake') this.sequence?.received(message);
    else if (this.isPong !== undefined && link.awaitingPong) {
      const pong = guarded(this.isPong, message);
      if (threw(pong)) this.invalid(pong.error, message);
      else if (pong === true && link.consumePong()) return;
    }
    this.channels?.checkAcks(message, seq);
    if (this.serial.mayDeliverNow) this.dispatch(message);
    else this.serial.deliver(() => this.dispatch(message));
  }

  pingFrame(): Frame | undefined {
    const heartbeat = this.heartbeat;
    if (!heartbeat || heartbeat === 'default' || heartbeat.message === undefined) return undefined;
    const message = typeof heartbeat.message === 'function' ? (heartbeat.message as () => Out)() : heartbeat.message;
    return this.encodeUnguarded(message as Out);
  }

  // ---- LinkUpHost and ChannelHost ----------------------------------------------------------

  /** One of our messages as a frame, through the codec or the serializer (user code: may throw). */
  private encodeUnguarded(this: ReconnectingConnection<In, Out>, message: Out): Frame {
    const codec = this.codec;
    if (codec !== undefined) return checkFrame(codec.encode(message), 'codec.encode()');
    return checkFrame(this.serializer.serialize(message));
  }

  encode(message: Out): Frame | Thrown {
    return guarded(this.encodeUnguarded, message, this);
  }

  announce(link: Link): boolean {
    const { first, downtime } = this.outage.linkUp();
    if (first) this.lifecycle.emit({ type: 'Connected', url: link.url });
    else this.lifecycle.emit({ type: 'Reconnected', attempt: link.attempt, url: link.url, downtime });
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
    // Taken out before it is written: a transport that closes inside the write cannot leave a
    // written frame in `Closed.unsent`.
    for (let entry = outbox?.shift(); entry !== undefined; entry = outbox!.shift()) {
      if (!link.write(entry.frame)) {
        outbox!.restore(entry);
        break;
      }
      if (link.phase !== 'restoring') break;
    }
    if (link.phase === 'restoring') link.phase = 'live';
    if (this.link === link) this.sequence = undefined; // its work is done: nothing kept while live
    this.rest?.unneeded();
  }

  channelsChanged(): void {
    this.rest?.demandChanged();
  }

  invalid(error: unknown, data: unknown): void {
    this.lifecycle.emit({ type: 'InvalidMessage', error, data });
  }

  // ---- the lifecycle -----------------------------------------------------------------------

  /** @internal The first attempt's time has come (see {@link scheduleStart}). */
  begin(starting: Subscription): void {
    if (this.starting === starting) this.starting = undefined; // spent: nothing kept for it
    this.serial.run(() => this.start());
  }

  /** @internal The first hop is done: the second is an action of its own (see {@link scheduleStart}). */
  secondHop(): void {
    this.starting = scheduleStart(this.scheduler, this, 2);
  }

  private start(): void {
    if (this.closed !== undefined || this.rest?.idle) return;
    this.runAttempts(undefined);
  }

  /** Runs the attempt loop ({@link runAttemptLoop}), its first failure `loss` when a link was lost. */
  private runAttempts(loss: DisconnectError | undefined): void {
    const attempts = runAttemptLoop(this, loss);
    // Kept after the fact: if the connection closed (or went idle) while the first attempt
    // started, this loop (and its socket) ends at once.
    if (this.closed !== undefined || this.rest?.idle) attempts?.unsubscribe();
    else this.attempts = attempts;
  }

  /** @internal AttemptLoopHost: one attempt, guarded by the breaker. */
  attempt$(): Observable<void> {
    const attempt$ = Link.attempt$(this);
    return this.breaker ? attempt$.pipe(this.breaker.operator<void>()) : attempt$;
  }

  /** @internal AttemptLoopHost: the loop completed (a link is up) or ended the connection. */
  loopEnded(loop: Subscription | undefined, failed: boolean, error: unknown): void {
    if (this.attempts === loop) this.attempts = undefined;
    if (!failed) return;
    if (error instanceof Termination) this.finish(error.reason, error.cause);
    else this.finish('fatal', error);
  }

  /** @internal LinkHost: the link of the moment, up until now, is lost: the next attempt loop starts. */
  lost(link: Link, error: DisconnectError): void {
    if (link !== this.link || this.closed !== undefined) return;
    this.attempts?.unsubscribe(); // none runs while a link is up; never two at once
    this.attempts = undefined;
    this.runAttempts(error);
  }

  // ---- lazy: connect while something needs the link ------------------------------------------

  // RestHost: what the Rest of a lazy connection asks of it (methods: no closure per connection).

  /** @internal Something needs a link: a `messages$` subscriber, a channel, a buffered send. */
  needed(): boolean {
    return this.messages.count > 0 || (this.channels?.size ?? 0) > 0 || (this.outbox?.size ?? 0) > 0;
  }

  /** @internal Not ended, and no give-up being delivered. */
  mayRest(): boolean {
    return this.closed === undefined && this.giveUp === undefined;
  }

  /** @internal Leaves the rest: the attempt loop afresh, attempt 0. */
  startAfresh(): void {
    // The rest ended the outage, and its breaker with it: waking is a fresh start (attempt 0 now).
    this.outage.restart();
    this.breaker?.reset();
    this.starting = scheduleStart(this.scheduler, this, 1);
  }

  /** @internal `lazy`: ends the link or outage (no retry); the connection rests until something needs a link. */
  settleIdle(): void {
    const link = this.link;
    if (link?.isUp) {
      // Permanent: no retry follows (Idle does); the state stays until Idle makes it 'idle'.
      this.lifecycle.emit({ type: 'Disconnected', reason: 'manual', code: CloseCode.Normal, permanent: true, attempt: 0, maxAttempts: this.maxAttempts });
    }
    this.wait?.forget();
    this.sequence?.cancel();
    this.sequence = undefined;
    this.outage.failed(link?.wentUp ?? false);
    this.link = undefined;
    this.channels?.linkLost();
    // Not started yet (woken and unneeded again within the same frame): nothing was announced,
    // so the rest goes on without a second Idle.
    const started = this.attempts !== undefined || link !== undefined;
    this.stopAttempts(link); // ends the attempt or link of the moment (its socket closes with 1000)
    if (started) this.lifecycle.emit({ type: 'Idle' });
  }

  private createChannels(): ChannelRegistry<In, Out> {
    const channels = new ChannelRegistry<In, Out>(
      this,
      (message) => frameKey(this.encodeUnguarded(message)),
      this.route,
    );
    // Made after the end: late subscribers complete or error as the connection did.
    if (this.closed) channels.finish(this.closed.reason, this.closed.error);
    else if (this.link?.isUp) channels.useLink(this.link);
    return channels;
  }

  private dispatch(message: In): void {
    this.messages.next(message);
    this.channels?.dispatch(message);
  }

  /** @internal AttemptLoopHost: `retry()`'s delay: decide, announce, then wait for the backoff, a breaker probe or a nudge. */
  afterFailure(error: unknown): Observable<unknown> {
    if (this.closed !== undefined) return EMPTY;
    if (error instanceof CircuitOpenError) {
      // Refused by an open breaker (no attempt made): wait until it allows the probe.
      return this.waitFor(Math.max(0, Math.min(error.retryIn, this.remaining())));
    }
    const failure = isDisconnectError(error) ? error : new DisconnectError('error', { cause: error });
    const link = this.link;
    const wasUp = link?.wentUp ?? false;
    this.link = undefined;
    this.sequence?.cancel();
    this.sequence = undefined;
    this.channels?.linkLost();
    this.outage.failed(wasUp);
    if (!wasUp) this.pool.rotate();
    const made = wasUp ? 0 : (link?.attempt ?? this.outage.attempt);
    this.lastAttemptMade = made;
    if (failure === this.forcedLoss) {
      // reconnect(): not a failure — a fresh series, its first attempt now.
      this.forcedLoss = undefined;
      this.emitDisconnected('manual', failure, made, false);
      this.freshSeries(failure);
      return this.waitFor(0);
    }
    const plan = planRetry(this.retryOptions, failure, {
      attempt: this.outage.attempt,
      everConnected: this.outage.everConnected,
      elapsed: this.outage.elapsed(),
      maxAttempts: this.maxAttempts,
      stopRequested: this.stopRequested,
    });
    if (plan.kind === 'give-up') {
      const reason = plan.reason === 'fatal' ? 'fatal' : failure.reason;
      return new Observable<void>((subscriber) => {
        this.announceGiveUp(reason, failure, made, (resumed) => {
          if (this.closed !== undefined) subscriber.complete();
          else if (!resumed) subscriber.error(new Termination(plan.reason, plan.error));
          else {
            this.freshSeries(failure);
            subscriber.add(this.waitFor(0).subscribe(subscriber));
          }
        });
      });
    }
    this.emitDisconnected(failure.reason, failure, made, false);
    let delay = plan.delay;
    if (this.breaker?.phase === 'open') {
      // The probe is the next attempt, announced like any other; the outage deadline still holds.
      delay = Math.max(0, Math.min(this.breaker.retryIn(), this.remaining()));
      this.lifecycle.emit({ type: 'CircuitBreakerOpen', trips: this.breaker.trips, retryIn: delay });
    }
    this.lifecycle.emit({ type: 'Reconnecting', attempt: plan.attempt, delay, error: failure });
    this.outage.attempt = plan.attempt;
    return this.waitFor(delay);
  }

  /**
   * Emits `Disconnected{permanent: true}`, then — once it has reached every subscriber —
   * calls `then(resumed)`: true when a handler called `retry()` meanwhile.
   */
  private announceGiveUp(
    reason: DisconnectReason,
    failure: DisconnectError,
    attempt: number,
    then: (resumed: boolean) => void,
  ): void {
    this.emitDisconnected(reason, failure, attempt, true);
    const pending: PendingGiveUp = { resume: false };
    this.giveUp = pending;
    this.serial.deliver(() =>
      this.serial.run(() => {
        if (this.giveUp === pending) this.giveUp = undefined;
        then(pending.resume && this.closed === undefined);
        // `lazy`: demand that changed while the give-up was delivered (a handler that left and
        // resumed) was not acted on then: a resumed outage still rests in time.
        this.rest?.demandChanged();
      }),
    );
  }

  /** `retry()` after giving up: a fresh series, attempt 1 now, the breaker closed. */
  private freshSeries(failure: DisconnectError): void {
    this.stopRequested = false;
    this.outage.restart();
    this.breaker?.reset();
    this.lifecycle.emit({ type: 'Reconnecting', attempt: 1, delay: 0, error: failure });
    this.outage.attempt = 1;
  }

  private emitDisconnected(reason: DisconnectReason, failure: DisconnectError, attempt: number, permanent: boolean): void {
    this.lifecycle.emit({
      type: 'Disconnected',
      reason,
      ...(failure.code === undefined ? {} : { code: failure.code }),
      error: failure,
      permanent,
      attempt,
      maxAttempts: this.maxAttempts,
    });
  }

  /** Ms left before the outage deadline (`retry.timeout`). */
  private remaining(): number {
    return this.retryOptions.timeout - this.outage.elapsed();
  }

  /**
   * Ends after `delay` ms (then an open breaker lets its probe through: the wait was the
   * breaker's, or the outage deadline cut it short), or at once on `retry()` or a wake-up.
   */
  private waitFor(delay: number): Observable<void> {
    this.wait ??= new AttemptWait(this.scheduler, this.serial);
    return this.wait.for(delay, () => this.breaker?.forceProbe());
  }

  /** True while waiting for the next attempt. */
  private get waiting(): boolean {
    return this.wait?.waiting === true;
  }

  /** `retry()` or a wake-up while waiting: attempt now (an open breaker lets the probe through). */
  private attemptNow(): void {
    if (!this.waiting || this.giveUp !== undefined) return;
    this.breaker?.forceProbe();
    this.wait!.endNow();
  }

  private wake(): void {
    if (this.closed !== undefined || this.giveUp !== undefined) return;
    if (this.waiting) this.attemptNow();
    else if (this.link?.isUp) this.link.probe();
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
    this.wait?.forget();
    this.giveUp = undefined;
    this.sequence?.cancel();
    this.sequence = undefined;
    const link = this.link;
    this.link = undefined;
    this.stopAttempts(link);
    this.rest?.stop();
    this.wakes?.unsubscribe();
    this.wakes = undefined;
    const unsent = this.outbox?.drain() ?? [];
    this.lifecycle.emit({ type: 'Closed', reason, ...(error === undefined ? {} : { error }), unsent });
    this.serial.deliver(() => {
      if (reason === 'manual') this.messages.complete();
      else this.messages.error(new ConnectionClosedError(reason, error));
    });
    this.channels?.finish(reason, error);
  }
}
