import { asyncScheduler, defer, filter, map, Observable, Subject, throwError, type SchedulerLike } from 'rxjs';
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
import { FlushBarrier } from './flush-barrier';
import { toMsg, type NatsMsg } from './msg';
import { MAX_TIMER_MS, type ResolvedNatsOptions } from './nats-connect-options';
import type { NatsConnection, NatsPublishOptions, NatsRequestOptions, NatsSubscribeOptions } from './nats-connection';
import type { NatsClientOp, NatsConnectInfo, NatsInfo, NatsMsgOp, NatsServerOp } from './ops';
import { RequestInbox } from './request-inbox';
import { ServerPool } from './server-pool';

/** Client name and version sent in `CONNECT`. */
const LANG = 'rx-reconnect';
const VERSION = '0.3.1';

const textEncoder = new TextEncoder();
const NO_DATA = new Uint8Array(0);

/** The channel key of a subscription: `route` returns it for the subscription's `MSG`s. */
function sidKey(sid: number): string {
  return `sid:${sid}`;
}

type InfoOp = Extract<NatsServerOp, { op: 'INFO' }>;

/** A promise resolved from outside: the `INFO` of the link being opened. */
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
 */
export class NatsClient implements NatsConnection {
  private readonly conn: Connection<NatsServerOp, NatsClientOp>;
  private readonly pool: ServerPool;
  private readonly scheduler: SchedulerLike;
  private readonly errorsSubject = new Subject<NatsError>();
  private readonly flushes: FlushBarrier;
  private readonly inbox: RequestInbox;
  private nextSid = 1;
  private linkInfo = infoWaiter();
  private lastInfo: NatsInfo | undefined;
  private server: string | undefined;
  /** The server of the newest link (set when its socket opens, before its INFO). */
  private linkUrl: string | undefined;
  /** Operations `handshake.ack` has seen: the core also delivers them to `messages$`, where they are not handled twice. */
  private readonly handshakeOps = new WeakSet<NatsServerOp>();

  constructor(private readonly options: ResolvedNatsOptions) {
    this.scheduler = options.passed.scheduler ?? asyncScheduler;
    this.pool = new ServerPool(options.servers, () => this.scheduler.now());
    this.flushes = new FlushBarrier(() => this.conn.send({ op: 'PING' }));
    this.inbox = new RequestInbox({
      scheduler: this.scheduler,
      subscribe: (subject) => this.subscribeOps(subject),
      publish: (subject, data, reply) => this.publish(subject, data, { reply }),
    });
    this.conn = connect<NatsServerOp, NatsClientOp>({
      ...options.passed,
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

  subscribe(subject: string, options: NatsSubscribeOptions = {}): Observable<NatsMsg> {
    return this.subscribeOps(subject, options.queue).pipe(map(toMsg));
  }

  publish(subject: string, data?: string | Uint8Array, options: NatsPublishOptions = {}): void {
    if (typeof subject !== 'string') throw new NatsArgumentError('subject', subject, 'a string');
    const bytes = payloadBytes(data);
    const limit = this.lastInfo?.max_payload;
    if (limit !== undefined && bytes.length > limit) {
      throw new NatsError(`payload of ${bytes.length} bytes exceeds the server's max_payload of ${limit} bytes`);
    }
    const reply = options.reply;
    this.conn.send({ op: 'PUB', subject, ...(reply === undefined ? {} : { reply }), data: bytes });
  }

  request(subject: string, data?: string | Uint8Array, options: NatsRequestOptions = {}): Observable<NatsMsg> {
    const timeout = options.timeout ?? this.options.requestTimeout;
    if (typeof timeout !== 'number' || !(timeout > 0 && timeout <= MAX_TIMER_MS)) {
      return throwError(() => new ConfigError('timeout', timeout, `a number of ms greater than 0 and at most ${MAX_TIMER_MS}`));
    }
    return this.inbox.request(subject, data, timeout);
  }

  flush(): Observable<void> {
    return defer(() => new Observable<void>((subscriber) => this.flushes.add(subscriber)));
  }

  close(): void {
    this.conn.close();
  }

  /** A subscription's raw `MSG` operations (the request inbox reads their status). */
  private subscribeOps(subject: string, queue?: string): Observable<NatsMsgOp> {
    return defer(() => {
      const sid = this.nextSid++;
      const sub: NatsClientOp = { op: 'SUB', subject, ...(queue === undefined ? {} : { queue }), sid };
      encodeOp(sub); // a subject or queue the protocol cannot carry errors here, before any channel exists
      return this.conn
        .channel({ key: sidKey(sid), subscribe: sub, unsubscribe: { op: 'UNSUB', sid } })
        .pipe(filter((op): op is NatsMsgOp => op.op === 'MSG'));
    });
  }

  /** `CONNECT` (with the `PING` its `PONG` acks), once the link's `INFO` says what the server supports. */
  private async connectMessage(): Promise<NatsClientOp> {
    const info = await this.linkInfo.promise;
    const { token, user, pass, name } = this.options;
    const connect: NatsConnectInfo = {
      protocol: 1,
      verbose: false,
      pedantic: false,
      lang: LANG,
      version: VERSION,
      ...(info.headers ? { headers: true, no_responders: true } : {}),
      ...(name === undefined ? {} : { name }),
      ...(token === undefined ? {} : { auth_token: token }),
      ...(user === undefined ? {} : { user }),
      ...(pass === undefined ? {} : { pass }),
    };
    return { op: 'CONNECT', connect };
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
      case 'PING':
        // Never buffered: a PONG is for this link only.
        this.conn.sendNow({ op: 'PONG' });
        return;
      case 'PONG':
        this.flushes.pong();
        return;
      case 'INFO':
        this.onInfo(op);
        if (op.info.ldm) this.leaveLameServer();
        return;
      case '-ERR':
        this.errorsSubject.next(serverError(op.message));
        return;
      default:
        return;
    }
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

  /** The server of the live link announced lame-duck mode: move to another one now, if any is known. */
  private leaveLameServer(): void {
    const url = this.server;
    if (url !== undefined && this.pool.lame(url) && this.pool.hasAlternativeTo(url)) this.conn.reconnect();
  }

  private onEvent(event: ConnectionEvent<NatsClientOp>): void {
    switch (event.type) {
      case 'Connected':
        this.server = event.url;
        this.flushes.linkLive();
        this.leaveLameServer();
        return;
      case 'Reconnected':
        this.server = event.url;
        this.leaveLameServer();
        return;
      case 'SubscriptionsRestored':
        this.flushes.linkLive();
        return;
      case 'Disconnected':
        this.server = undefined;
        this.pool.failed();
        this.flushes.linkLost();
        return;
      case 'Closed':
        this.server = undefined;
        this.flushes.close(new ConnectionClosedError(event.reason, event.error));
        this.errorsSubject.complete();
        return;
      default:
        return;
    }
  }
}

/** A publish's payload as bytes; throws {@link NatsArgumentError} for anything but a string, bytes or nothing. */
function payloadBytes(data: unknown): Uint8Array {
  if (data === undefined) return NO_DATA;
  if (typeof data === 'string') return textEncoder.encode(data);
  if (data instanceof Uint8Array) return data;
  throw new NatsArgumentError('data', data, 'a string, a Uint8Array or undefined');
}

function serverError(message: string): NatsError {
  return new NatsError(`server error: ${message}`, { serverMessage: message });
}
