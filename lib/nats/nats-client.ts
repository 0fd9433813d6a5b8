import {
  asyncScheduler,
  defer,
  filter,
  firstValueFrom,
  map,
  Observable,
  Subject,
  take,
  tap,
  throwError,
  type SchedulerLike,
} from 'rxjs';
import {
  ConfigError,
  connect,
  ConnectionClosedError,
  type Connection,
  type ConnectionEvent,
  type ConnectionState,
} from '../index';
import { isAuthError } from './auth-error';
import { natsCodec } from './codec';
import { encodeOp } from './encoder';
import { describeArgument } from './errors/describe';
import { NatsArgumentError } from './errors/nats-argument-error';
import { NatsError } from './errors/nats-error';
import { NatsFlushTimeoutError } from './errors/nats-flush-timeout-error';
import { permissionError } from './errors/nats-permission-error';
import { FlushBarrier } from './flush-barrier';
import type { NatsHeadersInit } from './headers';
import { toMsg, type NatsMsg } from './msg';
import { MAX_TIMER_MS, type ResolvedNatsOptions } from './nats-connect-options';
import type {
  NatsConnection,
  NatsFlushOptions,
  NatsPublishOptions,
  NatsRequestOptions,
  NatsStats,
  NatsSubscribeOptions,
} from './nats-connection';
import type { NatsClientOp, NatsInfo, NatsMsgOp, NatsServerOp } from './ops';
import { connectOp } from './connect-op';
import { registerInternals } from './internal';
import { LameDuckDeparture } from './lame-duck-departure';
import { coreWebSocket, linkSocketConstructor } from './standby-socket';
import { DEFAULT_MAX_PAYLOAD, publishedSize, publishOp } from './publish-op';
import { RequestInbox } from './request-inbox';
import { ServerPool } from './server-pool';
import { shuffled } from './shuffle';
import { Subscriptions } from './subscriptions';

/** The channel key of a subscription: `route` returns it for the subscription's `MSG`s. */
function sidKey(sid: number): string {
  return `sid:${sid}`;
}

type InfoOp = Extract<NatsServerOp, { op: 'INFO' }>;

/** @internal A promise resolved from outside: the `INFO` of the link being opened. */
interface InfoWaiter {
  readonly promise: Promise<NatsInfo>;
  resolve(info: NatsInfo): void;
}

function infoWaiter(): InfoWaiter {
  let resolve: (info: NatsInfo) => void = () => undefined;
  const promise = new Promise<NatsInfo>((done) => (resolve = done));
  return { promise, resolve };
}

/**
 * The NATS protocol on one core {@link Connection}: `CONNECT` is the handshake (acked by the
 * `PONG` to the `PING` sent with it), subscriptions are core channels keyed by sid and
 * dispatched by `route`, server `PING`s are answered with `sendNow`, and the URL factory walks a
 * {@link ServerPool}.
 *
 * @internal
 */
export class NatsClient implements NatsConnection {
  private readonly conn: Connection<NatsServerOp, NatsClientOp>;
  private readonly pool: ServerPool;
  private readonly scheduler: SchedulerLike;
  private readonly errorsSubject = new Subject<NatsError>();
  private readonly flushes: FlushBarrier;
  private readonly inbox: RequestInbox;
  private readonly subs = new Subscriptions();
  private nextSid = 1;
  /** Fail fast on the first connection (`waitOnFirstConnect: false`) until a link is up; then the user's limit. */
  private failFast: { readonly maxAttempts: number } | undefined;
  /** Leaving a server in lame-duck mode (spread over `lameDuckSpread`, a handover by default). */
  private readonly departure: LameDuckDeparture;
  private linkInfo = infoWaiter();
  private lastInfo: NatsInfo | undefined;
  private server: string | undefined;
  /** The server of the newest link (set when its socket opens, before its INFO). */
  private linkUrl: string | undefined;
  /** Operations `handshake.ack` has seen: the core also delivers them to `messages$`, where they are not handled twice. */
  private readonly handshakeOps = new WeakSet<NatsServerOp>();
  /** `drain()` was called: no new subscription or publish. */
  private draining = false;
  private readonly counters = { inMsgs: 0, inBytes: 0, outMsgs: 0, outBytes: 0, reconnects: 0 };
  /** Answers a received message (`msg.respond()`). */
  private readonly respond = (subject: string, data: string | Uint8Array | undefined, options?: { headers?: NatsHeadersInit }): void =>
    this.publish(subject, data, options?.headers === undefined ? {} : { headers: options.headers });

  constructor(private readonly options: ResolvedNatsOptions) {
    this.scheduler = options.passed.scheduler ?? asyncScheduler;
    const servers = options.noRandomize ? options.servers : shuffled(options.servers, Math.random);
    this.pool = new ServerPool(servers, () => this.scheduler.now());
    const retry = options.passed.retry;
    const userMax = retry === false ? undefined : (retry?.maxAttempts ?? Infinity);
    // Fail fast: each configured server once (n − 1 retries), each retry at once (see onEvent).
    if (!options.waitOnFirstConnect && typeof userMax === 'number') this.failFast = { maxAttempts: userMax };
    const Impl = options.passed.WebSocket ?? coreWebSocket();
    this.departure = new LameDuckDeparture(options, this.scheduler, this.pool, {
      server: () => this.server,
      mustLeave: () => this.mustLeave(),
      sids: () => this.subs.sids(),
      sendNow: (op) => this.conn.sendNow(op),
      flush: () => firstValueFrom(this.flush()),
      reconnect: () => this.conn.reconnect(),
    }, Impl);
    this.flushes = new FlushBarrier(() => this.conn.send({ op: 'PING' }));
    this.inbox = new RequestInbox({
      scheduler: this.scheduler,
      subscribe: (subject) => this.subscribeOps(subject),
      publish: (subject, data, reply, headers) => this.publish(subject, data, { reply, ...(headers === undefined ? {} : { headers }) }),
      message: (op) => toMsg(op, this.respond),
    });
    this.conn = connect<NatsServerOp, NatsClientOp>({
      ...options.passed,
      ...(this.failFast && retry !== false
        ? { retry: { ...retry, maxAttempts: Math.min(this.failFast.maxAttempts, servers.length - 1) } }
        : {}),
      ...(Impl === undefined
        ? {}
        : { WebSocket: linkSocketConstructor(Impl, (url) => this.departure.take(url), (frame) => this.mayWrite(frame)) }),
      url: () => this.pool.pick(),
      codec: {
        encode: natsCodec.encode,
        // Called for every link once its socket is open, just before the handshake starts.
        decoder: (link) => {
          this.linkUrl = link.url;
          this.linkInfo = infoWaiter();
          return natsCodec.decoder(link);
        },
      },
      handshake: {
        message: () => this.connectMessage(),
        ack: (op) => this.handshakeAck(op),
      },
      route: (op) => (op.op === 'MSG' ? sidKey(op.sid) : undefined),
    });
    // Subscribed in the tick connect() returns: the first Connecting is seen.
    this.conn.events$.subscribe((event) => this.onEvent(event));
    this.conn.messages$.subscribe({ next: (op) => this.onOp(op), error: () => undefined });
    // JetStream (lib/nats/jetstream) reaches the inner connection through this, not through NatsConnection.
    registerInternals(this, {
      conn: this.conn,
      scheduler: this.scheduler,
      nextSid: () => this.nextSid++,
      channelKey: sidKey,
      published: (size, send) => this.published(size, send),
    });
  }

  get events$(): Observable<ConnectionEvent<NatsClientOp>> {
    return this.conn.events$;
  }

  get state$(): Observable<ConnectionState> {
    return this.conn.state$;
  }

  get errors$(): Observable<NatsError> {
    return this.errorsSubject.asObservable();
  }

  get buffered(): number {
    return this.conn.buffered;
  }

  get servers(): readonly string[] {
    return this.pool.servers;
  }

  get currentServer(): string | undefined {
    return this.server;
  }

  get info(): NatsInfo | undefined {
    return this.lastInfo;
  }

  stats(): NatsStats {
    return { ...this.counters };
  }

  subscribe(subject: string, options: NatsSubscribeOptions = {}): Observable<NatsMsg> {
    if (typeof options !== 'object' || options === null) {
      return throwError(() => new NatsArgumentError('options', options, 'an object or undefined'));
    }
    const { queue, max } = options;
    if (max !== undefined && !(typeof max === 'number' && Number.isSafeInteger(max) && max > 0)) {
      return throwError(() => new NatsArgumentError('options.max', max, 'a whole number greater than 0'));
    }
    return this.subscribeOps(subject, queue, max).pipe(map((op) => toMsg(op, this.respond)));
  }

  publish(subject: string, data?: string | Uint8Array, options: NatsPublishOptions = {}): void {
    const { op, size } = publishOp(subject, data, options, this.lastInfo);
    this.published(size, () => this.conn.send(op));
  }

  /** Every publish, JetStream's included: refused while draining, counted once accepted. */
  private published<T>(size: number, send: () => T): T {
    if (this.draining) throw new NatsError('the connection is draining: no new publish');
    const result = send();
    this.counters.outMsgs++;
    this.counters.outBytes += size;
    return result;
  }

  request(subject: string, data?: string | Uint8Array, options: NatsRequestOptions = {}): Observable<NatsMsg> {
    const timeout = options.timeout ?? this.options.requestTimeout;
    if (typeof timeout !== 'number' || !(timeout > 0 && timeout <= MAX_TIMER_MS)) {
      return throwError(() => new ConfigError('timeout', timeout, `a number of ms greater than 0 and at most ${MAX_TIMER_MS}`));
    }
    return this.inbox.request(subject, data, timeout, options.headers);
  }

  flush(options: NatsFlushOptions = {}): Observable<void> {
    const timeout = options.timeout ?? this.options.flushTimeout;
    if (typeof timeout !== 'number' || !(timeout > 0 && timeout <= MAX_TIMER_MS)) {
      return throwError(() => new ConfigError('timeout', timeout, `a number of ms greater than 0 and at most ${MAX_TIMER_MS}`));
    }
    return defer(
      () =>
        new Observable<void>((subscriber) => {
          const leave = this.flushes.add(subscriber);
          if (subscriber.closed) return leave;
          const deadline = this.scheduler.schedule(() => subscriber.error(new NatsFlushTimeoutError(timeout)), timeout);
          return () => {
            deadline.unsubscribe();
            leave();
          };
        }),
    );
  }

  drain(): Observable<void> {
    return new Observable<void>((subscriber) => {
      if (this.draining) {
        subscriber.error(new NatsError('drain() was already called'));
        return undefined;
      }
      this.draining = true;
      const finish = (error?: unknown): void => {
        this.subs.completeAll();
        this.conn.close();
        if (error === undefined) {
          subscriber.next();
          subscriber.complete();
        } else subscriber.error(error);
      };
      try {
        // The server stops sending to them; what it sent before arrives before the flush's PONG.
        for (const sid of this.subs.sids()) this.conn.send({ op: 'UNSUB', sid });
      } catch (error) {
        finish(error);
        return undefined;
      }
      return this.flush().subscribe({ error: (error: unknown) => finish(error), complete: () => finish() });
    });
  }

  close(): void {
    this.conn.close();
  }

  /** A subscription's raw `MSG` operations (the request inbox reads their status). */
  private subscribeOps(subject: string, queue?: string, max?: number): Observable<NatsMsgOp> {
    return defer(() => {
      if (this.draining) return throwError(() => new NatsError('the connection is draining: no new subscription'));
      const sid = this.nextSid++;
      const sub = { op: 'SUB' as const, subject, ...(queue === undefined ? {} : { queue }), sid };
      encodeOp(sub); // a subject or queue the protocol cannot carry errors here, before any channel exists
      let delivered = 0;
      const messages$ = this.conn
        .channel({
          key: sidKey(sid),
          // With max, the server unsubscribes by itself after what is left of it (also after a restore).
          subscribe: max === undefined ? sub : () => ({ ...sub, max: max - delivered }),
          unsubscribe: { op: 'UNSUB', sid },
        })
        .pipe(filter((op): op is NatsMsgOp => op.op === 'MSG'));
      const limited$ = max === undefined ? messages$ : messages$.pipe(tap(() => delivered++), take(max));
      return new Observable<NatsMsgOp>((subscriber) => {
        // A refusal by the server names the subject: it errors this Observable (and so sends UNSUB).
        this.subs.add(sid, subject, queue, {
          fail: (error) => subscriber.error(error),
          complete: () => subscriber.complete(),
        });
        const channel = limited$.subscribe(subscriber);
        return () => {
          this.subs.delete(sid);
          channel.unsubscribe();
        };
      });
    });
  }

  /** `CONNECT` (with the `PING` its `PONG` acks), once the link's `INFO` says what the server supports. */
  private async connectMessage(): Promise<NatsClientOp> {
    return connectOp(await this.linkInfo.promise, this.options);
  }

  /**
   * Whether a frame may be written on the link: not a publish larger than the link's server takes
   * (it was checked against another server's `max_payload` and buffered across a failover). This
   * server would close the link for it, losing what follows; it is dropped instead, and reported.
   */
  private mayWrite(frame: unknown): boolean {
    const limit = this.lastInfo?.max_payload ?? DEFAULT_MAX_PAYLOAD;
    const size = publishedSize(frame, limit);
    if (size === undefined || size <= limit) return true;
    this.errorsSubject.next(
      new NatsError(`a buffered publish of ${size} bytes was dropped: it exceeds the max_payload of ${limit} bytes of ${this.server ?? 'the new server'}`),
    );
    return false;
  }

  /** Every operation of a link until its handshake is done. */
  private handshakeAck(op: NatsServerOp): boolean | Error {
    this.handshakeOps.add(op);
    switch (op.op) {
      case 'INFO':
        this.onInfo(op);
        this.linkInfo.resolve(op.info);
        return false;
      case 'PONG':
        return true;
      case 'PING':
        this.conn.sendNow({ op: 'PONG' });
        return false;
      case '-ERR': {
        const error = serverError(op.message);
        if (isAuthError(op.message)) return error;
        this.errorsSubject.next(error);
        return false;
      }
      default:
        return false;
    }
  }

  /** Every operation after the handshake (messages of subscriptions are the channels' business). */
  private onOp(op: NatsServerOp): void {
    if (this.handshakeOps.has(op)) return;
    switch (op.op) {
      case 'MSG':
        this.counters.inMsgs++;
        this.counters.inBytes += op.data.length;
        return;
      case 'PING':
        // Never buffered: a PONG is for this link only.
        this.conn.sendNow({ op: 'PONG' });
        return;
      case 'PONG':
        this.flushes.pong();
        return;
      case 'INFO':
        this.onInfo(op);
        if (op.info.ldm) this.departure.lame();
        return;
      case '-ERR':
        this.onServerError(op.message);
        return;
      default:
        return;
    }
  }

  /** A `-ERR` that does not end the link: a refused subscription errors its Observable; every one is on `errors$`. */
  private onServerError(message: string): void {
    const refused = permissionError(message);
    if (refused?.operation === 'subscribe') this.subs.refuse(refused);
    this.errorsSubject.next(refused ?? serverError(message));
  }

  private onInfo({ info, malformedConnectUrls }: InfoOp): void {
    this.lastInfo = info;
    for (const entry of malformedConnectUrls ?? []) {
      this.errorsSubject.next(
        new NatsError(`skipped a malformed entry of INFO.connect_urls: ${describeArgument(entry)} (expected host:port)`),
      );
    }
    if (this.linkUrl !== undefined) this.pool.setLame(this.linkUrl, info.ldm === true);
    const listed = info.connect_urls;
    if (!listed) return;
    if (!this.options.ignoreDiscoveredServers) this.pool.discover(listed);
    // A healthy server lists the cluster's members; a node in lame-duck mode is left out until it is back.
    if (!info.ldm) this.pool.listed(listed);
  }

  /** Whether the link's server is in lame-duck mode and another one is known (not while draining: the link ends soon anyway). */
  private mustLeave(): boolean {
    const url = this.server;
    return !this.draining && url !== undefined && this.pool.lame(url) && this.pool.hasAlternativeTo(url);
  }

  private onEvent(event: ConnectionEvent<NatsClientOp>): void {
    switch (event.type) {
      case 'Connected':
        this.server = event.url;
        if (this.failFast) {
          // Connected once: from now on outages follow the user's retry policy.
          const { maxAttempts } = this.failFast;
          this.failFast = undefined;
          this.conn.retry({ maxAttempts });
        }
        this.flushes.linkLive();
        this.departure.linkLive();
        return;
      case 'Reconnecting':
        // Failing fast on the first connection: the next configured server at once.
        if (this.failFast) this.conn.retry();
        return;
      case 'Reconnected':
        this.counters.reconnects++;
        this.server = event.url;
        this.departure.linkLive();
        return;
      case 'SubscriptionsRestored':
        this.flushes.linkLive();
        return;
      case 'Disconnected':
        this.server = undefined;
        this.departure.linkLost();
        // Draining: nothing more can come from the lost link, and no subscription is made again on
        // the next one (the drain's flush goes on there, for the publishes).
        if (this.draining) this.subs.completeAll();
        this.pool.failed();
        this.flushes.linkLost();
        return;
      case 'Closed':
        this.server = undefined;
        this.departure.close();
        this.flushes.close(new ConnectionClosedError(event.reason, event.error));
        this.errorsSubject.complete();
        return;
      default:
        return;
    }
  }
}

function serverError(message: string): NatsError {
  return new NatsError(`server error: ${message}`, { serverMessage: message });
}
