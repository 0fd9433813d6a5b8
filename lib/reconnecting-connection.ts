import {
  BehaviorSubject,
  EMPTY,
  identity,
  race,
  retry,
  Subject,
  take,
  tap,
  throwError,
  timer,
  type Observable,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import { ChannelRegistry, type ChannelSpec } from './channels';
import { CloseCode } from './close-codes';
import type { Connection, RetryNowOptions } from './connection';
import { ConfigError } from './errors/config-error';
import { CircuitOpenError } from './errors/circuit-open-error';
import { ConnectionClosedError } from './errors/connection-closed-error';
import { DeserializeError } from './errors/deserialize-error';
import { DisconnectError, isDisconnectError } from './errors/disconnect-error';
import { NotConnectedError } from './errors/not-connected-error';
import type { CircuitBreakerOpenEvent, ClosedReason, ConnectionEvent, DisconnectedEvent } from './events';
import { Handshake } from './handshake';
import { Link, type LinkHost } from './link';
import { Outage } from './outage';
import type { UrlPool } from './url-pool';
import type { HeartbeatOptions, ResolvedOptions } from './options';
import { Outbox } from './outbox';
import { planRetry } from './reconnect-policy';
import { CircuitBreakerPolicy } from './retry/circuit-breaker-policy';
import { checkFrame, type Frame, type Serializer } from './serializer';
import { nextState, type ConnectionState } from './state';
import { Termination } from './termination';
import { defaultWake$ } from './transport/default-wake';
import { defaultWebSocket } from './transport/default-websocket';
import type { WebSocketConstructor } from './transport/websocket-like';
import { requireCloseReason, requireCount } from './validate';

/**
 * The connection: attempts (each a {@link Link}) resubscribed by RxJS `retry({ delay })`,
 * where `delay` is {@link planRetry} plus the circuit breaker, and the link-up sequence
 * handshake → `Connected`/`Reconnected` → channel replay → `SubscriptionsRestored` → flush.
 */
export class ReconnectingConnection<In, Out> implements Connection<In, Out>, LinkHost {
  readonly events$: Observable<ConnectionEvent<Out>>;
  readonly state$: Observable<ConnectionState>;
  readonly messages$: Observable<In>;

  readonly scheduler: SchedulerLike;
  readonly WebSocketImpl: WebSocketConstructor;
  readonly protocols: string | string[] | undefined;
  readonly connectTimeout: number;
  readonly heartbeat: HeartbeatOptions<unknown, unknown> | false | 'default';

  private readonly events = new Subject<ConnectionEvent<Out>>();
  private readonly state = new BehaviorSubject<ConnectionState>('connecting');
  private readonly messages = new Subject<In>();
  private readonly retryNow = new Subject<void>();
  private readonly serializer: Serializer<In, Out>;
  private readonly isPong: ((message: In) => boolean) | undefined;
  private readonly outbox: Outbox<Out> | undefined;
  private readonly channels: ChannelRegistry<In, Out>;
  private readonly pool: UrlPool;

  private link: Link | undefined;
  /** The link is up, restored and flushed: `send()` writes straight to it. */
  private live = false;
  private handshake: Handshake<In, Out> | undefined;
  private lifecycle: Subscription | undefined;
  private readonly background: Subscription[] = [];
  private readonly outage: Outage;
  private maxAttempts: number;
  private readonly breaker: CircuitBreakerPolicy | undefined;
  /** Waiting for the next attempt (backoff or open breaker). */
  private waiting = false;
  /** `retry()` or a wake-up came during the current wait. */
  private nudged = false;
  private stopRequested = false;
  private inPermanentHandler = false;
  private resumeRequested = false;
  private closedReason: ClosedReason | undefined;

  constructor(private readonly options: ResolvedOptions<In, Out>, pool: UrlPool) {
    this.scheduler = options.scheduler;
    this.WebSocketImpl = options.WebSocket ?? defaultWebSocket();
    this.protocols = options.protocols;
    this.connectTimeout = options.connectTimeout;
    this.heartbeat = options.heartbeat as HeartbeatOptions<unknown, unknown> | false | 'default';
    this.serializer = options.serializer;
    this.isPong = options.heartbeat && options.heartbeat !== 'default' ? options.heartbeat.isPong : undefined;
    this.outbox = options.buffer ? new Outbox<Out>(options.buffer) : undefined;
    this.maxAttempts = options.retry.maxAttempts;
    this.pool = pool;
    this.channels = new ChannelRegistry<In, Out>(
      { sendNow: (message) => this.sendProtocolMessage(message) },
      (message) => keyOf(this.serializer.serialize(message)),
      options.route,
      options.scheduler,
    );
    this.events$ = this.events.asObservable();
    this.state$ = this.state.asObservable();
    this.messages$ = this.messages.asObservable();
    this.outage = new Outage(options.scheduler, options.retry.stableAfter);
    this.breaker = options.circuitBreaker
      ? new CircuitBreakerPolicy({ ...options.circuitBreaker, scheduler: options.scheduler })
      : undefined;

    const wake$ = options.wake$ ?? defaultWake$();
    if (wake$) this.background.push(wake$.subscribe(() => this.wake()));
    // Two hops at time 0: observers that subscribe in this tick, including marble tests'
    // `expectObservable` (itself scheduled at frame 0, after this call), see `Connecting`.
    const start = (): void => this.start();
    this.background.push(
      this.scheduler.schedule<number>(
        function (hop) {
          if (hop === 0) this.schedule(1, 0);
          else start();
        },
        0,
        0,
      ),
    );
  }

  channel(spec: ChannelSpec<In, Out>): Observable<In> {
    return this.channels.channel(spec);
  }

  send(message: Out): void {
    if (this.closedReason !== undefined) throw new ConnectionClosedError(this.closedReason);
    const frame = checkFrame(this.serializer.serialize(message));
    const link = this.link;
    if (this.live && link !== undefined && link.canSend()) {
      link.send(frame);
      return;
    }
    if (!this.outbox) throw new NotConnectedError();
    this.outbox.push(message, frame);
  }

  retry(options?: RetryNowOptions): void {
    if (this.closedReason !== undefined) throw new ConnectionClosedError(this.closedReason);
    if (options?.maxAttempts !== undefined) {
      requireCount('retry().maxAttempts', options.maxAttempts);
      this.maxAttempts = options.maxAttempts;
    }
    this.stopRequested = false;
    if (this.inPermanentHandler) this.resumeRequested = true;
    else if (this.waiting) this.attemptNow();
  }

  stopRetry(): void {
    if (this.closedReason !== undefined) return;
    this.stopRequested = true;
    if (this.link !== undefined && !this.link.isUp) {
      this.link.fail(new DisconnectError('manual', { message: 'stopRetry() during an attempt' }));
    } else if (this.waiting) {
      const stopped = new DisconnectError('manual', { message: 'stopRetry()' });
      const resumed = this.announcePermanent(stopped, 'manual', this.outage.attempt);
      if (resumed) this.attemptNow();
      else this.finish('stopped', undefined);
    }
  }

  close(code: number = CloseCode.Normal, reason?: string): void {
    requireCloseReason(reason);
    if (this.closedReason !== undefined) return;
    if (code !== CloseCode.Normal && !(Number.isInteger(code) && code >= 3000 && code <= 4999)) {
      throw new ConfigError('close(code)', code, '1000 or an application code in 3000-4999');
    }
    const link = this.link;
    if (link?.isUp) {
      link.closeCode = code;
      link.closeReason = reason;
      this.emit(this.disconnected('manual', 0, true, undefined, code));
    }
    this.finish('manual', undefined);
  }

  // ---- LinkHost: what each attempt calls back -------------------------------------------

  pickUrl(attempt: number): string | Promise<string> {
    return this.pool.pick({ attempt });
  }

  connecting(link: Link, url: string): void {
    this.emit({ type: 'Connecting', attempt: link.attempt, url });
  }

  socketOpened(link: Link): void {
    const options = this.options.handshake;
    if (!options) {
      this.linkOpened(link);
      return;
    }
    const serialize = (message: Out): Frame => this.serializer.serialize(message);
    this.handshake = new Handshake(link, options, serialize, this.scheduler, (done) => this.handshakeDone(done));
    this.handshake.start();
  }

  received(data: unknown, link: Link): void {
    let message: In;
    try {
      message = this.serializer.deserialize(data);
    } catch (error) {
      this.emit({ type: 'InvalidMessage', error: new DeserializeError(error), data });
      return;
    }
    if (this.isPong !== undefined && this.isPongSafe(message)) return;
    if (this.handshake?.link === link) this.handshake.received(message);
    this.messages.next(message);
    this.channels.dispatch(message);
  }

  /** `isPong`, where a throw means "not a pong" (the message is delivered). */
  private isPongSafe(message: In): boolean {
    try {
      return this.isPong!(message);
    } catch {
      return false;
    }
  }

  pingFrame(): Frame | undefined {
    const heartbeat = this.options.heartbeat;
    if (!heartbeat || heartbeat === 'default' || heartbeat.message === undefined) return undefined;
    const message = typeof heartbeat.message === 'function' ? (heartbeat.message as () => Out)() : heartbeat.message;
    return this.serializer.serialize(message);
  }

  // ---- the lifecycle ---------------------------------------------------------------------

  private start(): void {
    if (this.closedReason !== undefined) return;
    // Each subscription to attempt$ is one attempt (it emits once, when its link is up); the
    // breaker guards each subscription, and retry() resubscribes after the delay.
    this.lifecycle = Link.attempt$(this, () => this.outage.attempt, (link) => (this.link = link))
      .pipe(
        this.breaker ? this.breaker.operator<void>() : identity,
        retry({ delay: (error: unknown) => this.afterFailure(error) }),
      )
      .subscribe({
        error: (error: unknown) => {
          if (error instanceof Termination) this.finish(error.reason, error.cause);
          else this.finish('fatal', error);
        },
      });
  }

  private handshakeDone(link: Link): void {
    this.handshake = undefined;
    this.linkOpened(link);
  }

  /** The link is open (handshake done): announce it, replay channels, then flush. */
  private linkOpened(link: Link): void {
    link.up();
    const { first, downtime } = this.outage.linkUp();
    if (first) this.emit({ type: 'Connected', url: link.url });
    else this.emit({ type: 'Reconnected', attempt: link.attempt, url: link.url, downtime });
    if (this.link !== link) return;
    this.channels.replay(!first, (count) => {
      if (this.link !== link) return;
      if (!first) this.emit({ type: 'SubscriptionsRestored', count });
      if (this.link === link) this.flush(link);
    });
  }

  private flush(link: Link): void {
    const outbox = this.outbox;
    if (outbox) {
      for (let entry = outbox.peek(); entry !== undefined && link.canSend(); entry = outbox.peek()) {
        link.send(entry.frame);
        outbox.shift();
      }
    }
    this.live = link.canSend();
  }

  /** `retry()`'s delay: decide, announce, then wait for the backoff, a breaker probe or a nudge. */
  private afterFailure(error: unknown): Observable<unknown> {
    // Refused by an open breaker (no attempt was made): wait until it allows the probe.
    if (error instanceof CircuitOpenError) {
      this.startWaiting(this.outage.attempt);
      return this.waitUntil(error.retryIn);
    }
    const failure = isDisconnectError(error) ? error : new DisconnectError('error', { cause: error });
    const link = this.link;
    const wasUp = link?.isUp ?? false;
    this.link = undefined;
    this.live = false;
    this.channels.linkLost();
    this.handshake?.cancel();
    this.handshake = undefined;
    this.outage.failed(wasUp);
    if (!wasUp) this.pool.rotate();
    const failedAttempt = wasUp ? 0 : (link?.attempt ?? this.outage.attempt);
    const plan = planRetry(this.options.retry, failure, {
      attempt: this.outage.attempt,
      everConnected: this.outage.everConnected,
      elapsed: this.outage.elapsed(),
      maxAttempts: this.maxAttempts,
      stopRequested: this.stopRequested,
    });
    if (plan.kind === 'give-up') {
      const reason = plan.reason === 'fatal' ? 'fatal' : failure.reason;
      if (!this.announcePermanent(failure, reason, failedAttempt)) {
        return throwError(() => new Termination(plan.reason, failure));
      }
      if (this.closedReason !== undefined) return EMPTY;
      // retry() from the handler: a fresh series, starting now.
      this.outage.restart();
      this.breaker?.reset();
      this.startWaiting(1);
      return this.announceAndWait(1, 0, failure);
    }
    // The wait starts before any announcement: retry() or a wake-up from a handler counts.
    this.startWaiting(plan.attempt);
    this.emit(this.disconnected(failure.reason, failedAttempt, false, failure));
    if (this.closedReason !== undefined) return EMPTY;
    if (this.breaker?.phase === 'open') {
      // The probe is the next attempt: announced like any other, `retryIn` ms from now.
      const retryIn = this.breaker.retryIn();
      const opened: CircuitBreakerOpenEvent = { type: 'CircuitBreakerOpen', trips: this.breaker.trips, retryIn };
      return this.announceAndWait(plan.attempt, retryIn, failure, opened);
    }
    return this.announceAndWait(plan.attempt, plan.delay, failure);
  }

  /**
   * Emits `Disconnected{permanent: true}`; returns true when a handler called `retry()`
   * synchronously, which turns the loss back into a retry.
   */
  private announcePermanent(failure: DisconnectError, reason: DisconnectError['reason'], attempt: number): boolean {
    this.resumeRequested = false;
    this.inPermanentHandler = true;
    try {
      this.emit(this.disconnected(reason, attempt, true, failure));
    } finally {
      this.inPermanentHandler = false;
    }
    const resumed = this.resumeRequested && this.closedReason === undefined;
    this.resumeRequested = false;
    if (resumed) this.stopRequested = false;
    return resumed;
  }

  private disconnected(
    reason: DisconnectError['reason'],
    attempt: number,
    permanent: boolean,
    failure: DisconnectError | undefined,
    code = failure?.code,
  ): DisconnectedEvent {
    return {
      type: 'Disconnected',
      reason,
      ...(code === undefined ? {} : { code }),
      ...(failure === undefined ? {} : { error: failure }),
      permanent,
      attempt,
      maxAttempts: this.maxAttempts,
    };
  }

  /**
   * Announces the next attempt (after `CircuitBreakerOpen` when the breaker just opened) and
   * waits for its time (the wait itself began in `startWaiting`).
   */
  private announceAndWait(
    attempt: number,
    delay: number,
    failure: DisconnectError,
    breakerOpened?: CircuitBreakerOpenEvent,
  ): Observable<unknown> {
    if (breakerOpened) this.emit(breakerOpened);
    if (this.closedReason === undefined) this.emit({ type: 'Reconnecting', attempt, delay, error: failure });
    return this.waitUntil(delay);
  }

  private startWaiting(attempt: number): void {
    this.outage.attempt = attempt;
    this.waiting = true;
    this.nudged = false;
  }

  /** Ends after `delay` ms, or at once after `retry()` or a wake-up. */
  private waitUntil(delay: number): Observable<unknown> {
    if (this.closedReason !== undefined) return EMPTY;
    return race(timer(this.nudged ? 0 : delay, this.scheduler), this.retryNow).pipe(
      take(1),
      tap(() => (this.waiting = false)),
    );
  }

  /** `retry()` or a wake-up while waiting: attempt now (an open breaker lets the probe through). */
  private attemptNow(): void {
    if (!this.waiting) return;
    this.breaker?.forceProbe();
    this.nudged = true;
    this.retryNow.next();
  }

  private wake(): void {
    if (this.waiting) this.attemptNow();
    else if (this.link?.isUp) this.link.probe();
  }

  private sendProtocolMessage(message: Out): boolean {
    const link = this.link;
    if (link === undefined || !link.isUp || !link.canSend()) return false;
    link.send(this.serializer.serialize(message));
    return true;
  }

  private emit(event: ConnectionEvent<Out>): void {
    const state = nextState(this.state.value, event);
    if (state !== this.state.value) this.state.next(state);
    this.events.next(event);
  }

  private finish(reason: ClosedReason, error: unknown): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.waiting = false;
    this.live = false;
    this.handshake?.cancel();
    this.handshake = undefined;
    this.outage.stop();
    for (const subscription of this.background) subscription.unsubscribe();
    this.lifecycle?.unsubscribe();
    this.link = undefined;
    const unsent = this.outbox?.drain() ?? [];
    this.emit({ type: 'Closed', reason, ...(error === undefined ? {} : { error }), unsent });
    this.events.complete();
    this.state.complete();
    if (reason === 'manual') this.messages.complete();
    else this.messages.error(new ConnectionClosedError(reason, error));
    this.channels.finish(reason, error);
  }
}

function keyOf(frame: Frame): string {
  if (typeof frame === 'string') return frame;
  const bytes = ArrayBuffer.isView(frame)
    ? new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength)
    : new Uint8Array(frame);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
