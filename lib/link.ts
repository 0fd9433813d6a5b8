import { Observable, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import { CloseCode } from './close-codes';
import { ConfigError } from './errors/config-error';
import { DisconnectError } from './errors/disconnect-error';
import { Heartbeat } from './heartbeat';
import { DEFAULT_HEARTBEAT_OPTIONS, validateWebSocketUrl, type HeartbeatOptions } from './options';
import type { Frame } from './serializer';
import { handshakeStatus, openSocket, type Socket } from './transport/socket';
import type { WebSocketConstructor } from './transport/websocket-like';

/** What a link needs from the connection that owns it. */
export interface LinkHost {
  readonly scheduler: SchedulerLike;
  readonly WebSocketImpl: WebSocketConstructor;
  readonly protocols: string | string[] | undefined;
  readonly connectTimeout: number;
  readonly heartbeat: HeartbeatOptions<unknown, unknown> | false | 'default';
  /** The server for this attempt (a URL, or a promise of one from a factory). */
  pickUrl(attempt: number): string | Promise<string>;
  /** The attempt is about to open a socket to `url`. */
  connecting(link: Link, url: string): void;
  /** The socket is open; the host runs the handshake and calls `link.up()` when it is done. */
  socketOpened(link: Link): void;
  /** An inbound frame. */
  received(data: unknown, link: Link): void;
  /** Builds the application-level ping frame, when `heartbeat.message` is set. */
  pingFrame(): Frame | undefined;
}

/**
 * One attempt and, if it opens, the link it becomes: a socket, its connect timeout and its
 * heartbeat. It ends by erroring its subscriber with a {@link DisconnectError}; unsubscribing
 * tears everything down (that is how `close()` and `retry()` end a link).
 */
export class Link {
  /** True once the handshake is done and the connection treats this link as open. */
  isUp = false;
  url = '';
  private socket: Socket | undefined;
  private connectTimer: Subscription | undefined;
  private heartbeat: Heartbeat | undefined;
  private ended = false;
  /** Close code and reason sent when the link is torn down from our side. */
  closeCode: number = CloseCode.Normal;
  closeReason: string | undefined;

  private constructor(
    private readonly host: LinkHost,
    /** The attempt number this link was opened by. */
    readonly attempt: number,
    private readonly subscriber: Subscriber<void>,
  ) {}

  /**
   * An attempt as an Observable: subscribing starts it; it emits once, when the link is up
   * (what a circuit breaker counts as success), and ends only by erroring.
   */
  static attempt$(host: LinkHost, attempt: () => number, onStart: (link: Link) => void): Observable<void> {
    return new Observable<void>((subscriber) => {
      const link = new Link(host, attempt(), subscriber);
      onStart(link);
      link.start();
      return () => link.teardown();
    });
  }

  /** True when a frame can be written now. */
  canSend(): boolean {
    return this.socket !== undefined && this.socket.isOpen();
  }

  /** Writes a frame (check `canSend()` first). */
  send(frame: Frame): void {
    this.socket?.send(frame);
  }

  /** Fails the attempt (or drops the link) with `error`, closing the socket abruptly. */
  fail(error: DisconnectError): void {
    if (this.ended) return;
    this.ended = true;
    this.stopTimers();
    this.socket?.dispose(true, CloseCode.Normal);
    this.subscriber.error(error);
  }

  /** The handshake is done: the link is open for business. */
  up(): void {
    this.isUp = true;
    this.connectTimer?.unsubscribe();
    this.startHeartbeat();
    this.subscriber.next();
  }

  /** Probe liveness now (a wake-up while connected). */
  probe(): void {
    this.heartbeat?.probeNow();
  }

  private start(): void {
    const { connectTimeout, scheduler } = this.host;
    this.connectTimer = scheduler.schedule(
      () => this.fail(new DisconnectError('timeout', { message: `not open after ${connectTimeout} ms` })),
      connectTimeout,
    );
    let url: string | Promise<string>;
    try {
      url = this.host.pickUrl(this.attempt);
    } catch (error) {
      this.fail(new DisconnectError('error', { cause: error, message: 'url factory threw' }));
      return;
    }
    if (typeof url === 'string') this.open(url);
    else {
      url.then(
        (resolved) => this.open(resolved),
        (error: unknown) => this.fail(new DisconnectError('error', { cause: error, message: 'url factory rejected' })),
      );
    }
  }

  private open(url: string): void {
    if (this.ended) return;
    try {
      validateWebSocketUrl('url', url);
    } catch (error) {
      this.fail(new DisconnectError('fatal', { cause: error, message: (error as ConfigError).message }));
      return;
    }
    this.url = url;
    this.host.connecting(this, url);
    if (this.ended) return;
    this.socket = openSocket(
      this.host.WebSocketImpl,
      url,
      this.host.protocols,
      {
        open: () => this.host.socketOpened(this),
        message: (data) => {
          this.heartbeat?.heardFrame();
          this.host.received(data, this);
        },
        pong: () => this.heartbeat?.heardFrame(),
        closed: (code, reason, error) => this.closed(code, reason, error),
      },
      (error) => this.fail(new DisconnectError('error', { cause: error, message: errorMessage(error) })),
      this.host.scheduler,
    );
  }

  private closed(code: number, reason: string, error: unknown): void {
    if (this.ended) return;
    const status = this.isUp ? undefined : handshakeStatus(error);
    const cleanClose = code !== CloseCode.Abnormal;
    this.fail(
      new DisconnectError(cleanClose ? 'server-closed' : 'error', {
        code,
        status,
        cause: error,
        message: reason || (error !== undefined ? errorMessage(error) : `close code ${code}`),
      }),
    );
  }

  private startHeartbeat(): void {
    const options = this.host.heartbeat;
    if (options === false || !this.socket) return;
    const socket = this.socket;
    if (options === 'default' && !socket.canPing) return;
    const settings = options === 'default' ? DEFAULT_HEARTBEAT_OPTIONS : { ...DEFAULT_HEARTBEAT_OPTIONS, ...options };
    const usesMessage = options !== 'default' && options.message !== undefined;
    this.heartbeat = new Heartbeat(settings.interval, settings.timeout, this.host.scheduler, {
      probe: () => {
        if (!socket.isOpen()) return;
        if (!usesMessage) {
          socket.ping();
          return;
        }
        try {
          const frame = this.host.pingFrame();
          if (frame !== undefined) socket.send(frame);
        } catch (error) {
          this.fail(new DisconnectError('error', { cause: error, message: 'heartbeat message failed' }));
        }
      },
      stale: () =>
        this.fail(new DisconnectError('stale', { message: `no frame within ${settings.timeout} ms of a probe` })),
    });
  }

  private stopTimers(): void {
    this.connectTimer?.unsubscribe();
    this.heartbeat?.stop();
  }

  private teardown(): void {
    if (this.ended) return;
    this.ended = true;
    this.stopTimers();
    this.socket?.dispose(false, this.closeCode, this.closeReason);
  }
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
