import { DEVELOPMENT } from '../development';
import { Observable } from '../rx';
import type { Subscriber, Subscription } from 'rxjs';
import { ABNORMAL_CLOSURE } from '../close-codes';
import { DisconnectError } from '../errors/disconnect-error';
import { guarded, settleUserValue, threw } from '../guard';
import { Heartbeat, type HeartbeatTarget } from '../liveness/heartbeat';
import { DEFAULT_HEARTBEAT_OPTIONS, resolveWebSocketUrl, validateTransportOptions, type HandshakeOptions } from '../options';
import type { Decoder } from '../codec/codec';
import type { Frame } from '../serializer';
import { upgradeFailureDetails } from '../transport/node-socket';
import { openSocket, type Socket, type SocketEvents } from '../transport/socket';
import type { LinkHost } from './link-host';

export type { LinkHost };

/**
 * Where a link stands. `resolving` (waiting for the URL factory) → `opening` (socket
 * connecting) → `handshake` → `restoring` (announced, channels being replayed) → `live`
 * (flushed: `send()` writes straight to it) → `ended`.
 */
export type LinkPhase = 'resolving' | 'opening' | 'handshake' | 'restoring' | 'live' | 'ended';

/**
 * One attempt and, if it opens, the link it becomes: a socket, its connect timeout, its
 * link-up sequence (see {@link linkUp}) and its heartbeat. A failed attempt errors its subscriber with a {@link DisconnectError};
 * unsubscribing before the link is up tears everything down (that is how `close()` ends an
 * attempt). Once up, the link is the connection's alone: {@link end} closes it, and its loss
 * goes to {@link LinkHost.lost}. Every socket and timer callback enters the connection's
 * queue before it touches anything.
 *
 * @internal
 */
export class Link implements SocketEvents, HeartbeatTarget {
  phase: LinkPhase = 'resolving';
  url = '';
  /** Inbound frames so far (messages and pongs): liveness and ack ordering count on it. */
  framesHeard = 0;
  /** The link's own decoder, when the connection has a codec (made once the socket is open, before the handshake). */
  decoder: Decoder<unknown> | undefined = undefined;
  /** When a frame was last written: kept only for an outbound heartbeat (undefined without one). */
  writtenAt: number | undefined = undefined;
  // Every field is set here, so each has its slot in the object from the start (none added later).
  private socket: Socket | undefined = undefined;
  private connectTimer: Subscription | undefined = undefined;
  /** The handshake's timeout, while it runs. */
  private handshakeTimer: Subscription | undefined = undefined;
  /** The link's liveness, once it is up (when it has a heartbeat): wake-ups and pongs go to it. */
  heartbeat: Heartbeat | undefined = undefined;
  /** The attempt's subscriber, until the link is up (or the attempt fails). */
  private subscriber: Subscriber<void> | undefined;
  /** The attempt number this link was opened by. */
  readonly attempt: number;

  private constructor(
    private readonly host: LinkHost,
    subscriber: Subscriber<void>,
  ) {
    this.subscriber = subscriber;
    // Last, once the link is whole: it becomes the connection's link of the moment.
    this.attempt = host.beginAttempt(this);
  }

  /**
   * An attempt as an Observable: subscribing starts it. It emits once and completes when the
   * link is up (what a circuit breaker counts as success), or errors when the attempt fails;
   * unsubscribing before then ends the attempt. Once up, the link lives on its own: the
   * attempt loop that made it is over (nothing of it is kept while connected), and its loss
   * goes to {@link LinkHost.lost}.
   */
  static attempt$(host: LinkHost): Observable<void> {
    return new Observable<void>((subscriber) => {
      const link = new Link(host, subscriber);
      link.start();
      // Unsubscribed before the attempt ended: end it (a link already up is not the loop's).
      return () => {
        if (link.subscriber !== undefined) link.end();
      };
    });
  }

  /** True once the socket is open and the handshake done. */
  get isUp(): boolean {
    return this.phase === 'restoring' || this.phase === 'live';
  }

  /** True when a frame can be written now. */
  canWrite(): boolean {
    return this.phase !== 'ended' && this.socket !== undefined && this.socket.isOpen();
  }

  /** Writes a frame; a transport that throws fails the link. Returns whether it was written. */
  write(frame: Frame): boolean {
    if (!this.canWrite()) return false;
    try {
      this.socket!.send(frame);
      if (this.writtenAt !== undefined) this.writtenAt = this.host.scheduler.now();
      return true;
    } catch (error) {
      this.fail(new DisconnectError('error', { cause: error, message: 'the transport refused a frame' }));
      return false;
    }
  }

  /** Fails the attempt (or drops the link) with `error`, ending the socket. */
  fail(error: DisconnectError, abrupt = true): void {
    if (!this.stop(abrupt)) return;
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber !== undefined) subscriber.error(error);
    else this.host.lost(this, error);
  }

  private start(): void {
    const { connectTimeout, scheduler, serial } = this.host;
    this.connectTimer = scheduler.schedule(
      () => serial.run(() => this.fail(new DisconnectError('timeout', { message: `not open after ${connectTimeout} ms` }))),
      connectTimeout,
    );
    const url = guarded(this.host.pool.pick, { attempt: this.attempt }, this.host.pool);
    if (threw(url)) {
      this.fail(new DisconnectError('error', { cause: url.error, message: 'url factory threw' }));
      return;
    }
    settleUserValue(
      url,
      (resolved) => serial.run(() => this.open(resolved)),
      (error) => serial.run(() => this.fail(new DisconnectError('error', { cause: error, message: 'url factory rejected' }))),
    );
  }

  private open(given: unknown): void {
    if (this.phase !== 'resolving') return;
    let url: string;
    try {
      // A factory's result is resolved here, against the page as it is now (relative, http(s)).
      url = resolveWebSocketUrl('url', given);
    } catch (error) {
      this.fail(new DisconnectError('fatal', { cause: error, message: (error as Error).message }));
      return;
    }
    this.url = url;
    this.phase = 'opening';
    this.host.connecting(this, url);
    if (this.hasEnded()) return;
    const transport = this.host.transport;
    const options =
      typeof transport === 'function' ? guarded(transport, { attempt: this.attempt, url }) : transport;
    if (threw(options)) {
      this.fail(new DisconnectError('error', { cause: options.error, message: 'transport options factory threw' }));
      return;
    }
    settleUserValue(
      options,
      (resolved) => this.host.serial.run(() => this.openSocket(url, resolved)),
      (error) =>
        this.host.serial.run(() =>
          this.fail(new DisconnectError('error', { cause: error, message: 'transport options factory rejected' })),
        ),
    );
  }

  private openSocket(url: string, options: unknown): void {
    if (this.phase !== 'opening' || this.socket !== undefined) return;
    try {
      validateTransportOptions('transport', options);
    } catch (error) {
      this.fail(new DisconnectError('fatal', { cause: error, message: (error as Error).message }));
      return;
    }
    let socket: Socket;
    try {
      socket = openSocket(this.host.WebSocketImpl, url, this.host.protocols, options, this, this.host.scheduler);
    } catch (error) {
      // The WebSocket constructor threw (a malformed URL, say).
      this.fail(new DisconnectError('error', { cause: error, message: errorMessage(error) }));
      return;
    }
    // The socket was made while the link ended (a constructor that called close()): end it too.
    if (this.hasEnded()) socket.dispose(true);
    else this.socket = socket;
  }

  /** Read afresh: user code (a WebSocket constructor) may have ended the link meanwhile. */
  private hasEnded(): boolean {
    return this.phase === 'ended';
  }

  // ---- The link-up sequence ---------------------------------------------------------------
  //
  // What happens between the socket opening and the link being live, as one cancellable unit:
  // handshake → `Connected`/`Reconnected` → channel replay → acks → `SubscriptionsRestored` →
  // flush. Every step checks that the link is still in the phase the step expects, so a link
  // that ends (a `close()` ends it) at any point stops the rest, including steps waiting for
  // an ack or a promise.
  //
  // The handshake (when there is one) sends `handshake.message` (awaiting it when it is a
  // promise), then waits for `handshake.ack`. While it waits, every frame goes to `ack`
  // (heartbeat pongs are not recognised yet). It fails the link on a timeout or a throwing
  // message, and fatally when `ack` returns an `Error`.

  /** Starts the link-up sequence (the socket is open, its decoder made): the handshake, or the link-up. */
  private linkUp(): void {
    const { handshake, serial } = this.host;
    if (!handshake) {
      this.handshakeDone();
      return;
    }
    const { timeout } = handshake;
    this.handshakeTimer = this.host.scheduler.schedule(
      () =>
        serial.run(() => this.fail(new DisconnectError('timeout', { message: `handshake not done within ${timeout} ms` }))),
      timeout,
    );
    const message = guarded(handshake.message, undefined, handshake);
    if (threw(message)) this.handshakeFailed(message.error);
    else {
      settleUserValue(
        message,
        (resolved) => serial.run(() => this.sendHandshake(resolved)),
        (error) => serial.run(() => this.handshakeFailed(error)),
      );
    }
  }

  /** A message while the handshake is pending (the link in its `handshake` phase) goes to its `ack`: is it the ack? */
  handshakeReceived(message: unknown): void {
    const handshake = this.host.handshake;
    if (!handshake?.ack) return;
    const verdict = guarded<unknown, AckVerdict>(ackVerdict, message, handshake);
    if (threw(verdict)) this.handshakeFailed(verdict.error);
    else if (verdict === true) this.handshakeDone();
    else if (verdict !== false) {
      this.fail(new DisconnectError('fatal', { cause: verdict.refusal, message: `handshake rejected: ${verdict.text}` }));
    }
  }

  /** The handshake message, resolved: sent, unless the handshake is over (acked first, or failed). */
  private sendHandshake(message: unknown): void {
    if (this.phase !== 'handshake') return;
    const frame = this.host.encode(message);
    if (threw(frame)) this.handshakeFailed(frame.error);
    // A link that cannot take it is closing: its close event fails the attempt.
    else if (this.write(frame) && !this.host.handshake!.ack) this.handshakeDone();
  }

  /** The handshake message could not be made or sent: the attempt fails (nothing, once the handshake is over). */
  private handshakeFailed(error: unknown): void {
    if (this.phase === 'handshake') this.fail(new DisconnectError('error', { cause: error, message: 'handshake message failed' }));
  }

  /** The handshake is done: the link is open for business, and the rest of the sequence goes on. */
  private handshakeDone(): void {
    if (this.phase !== 'handshake') return;
    this.phase = 'restoring';
    this.connectTimer?.unsubscribe();
    this.connectTimer = undefined;
    this.handshakeTimer?.unsubscribe();
    this.handshakeTimer = undefined;
    this.startHeartbeat();
    const subscriber = this.subscriber!;
    subscriber.next();
    // The attempt is over: its loop completes and is released; the link outlives it.
    this.subscriber = undefined;
    subscriber.complete();
    const { host } = this;
    const restoring = host.announce(this);
    if (this.phase !== 'restoring') return;
    host.replay(this, restoring, (count) => {
      if ((this.phase as LinkPhase) !== 'restoring') return;
      if (restoring) host.restored(count);
      // The buffer goes out once the all-clear has reached every subscriber: what a handler
      // sends meanwhile is buffered behind it, and a handler that closes keeps it in `unsent`.
      host.serial.deliver(() => {
        if ((this.phase as LinkPhase) === 'restoring') host.flush(this);
      });
    });
  }

  // ---- SocketEvents: every socket callback enters the connection's queue first ----------

  /** @internal */
  socketOpened(): void {
    this.host.serial.run(() => {
      if (this.phase !== 'opening') return;
      const mismatch = this.subprotocolMismatch();
      if (mismatch !== undefined) {
        this.fail(new DisconnectError('error', { subprotocolMismatch: true, message: mismatch }), false);
        return;
      }
      this.phase = 'handshake';
      const decoder = this.host.codec.decoderFor({ url: this.url, attempt: this.attempt });
      if (threw(decoder)) {
        this.fail(new DisconnectError('error', { cause: decoder.error, message: 'codec.decoder() failed' }));
        return;
      }
      this.decoder = decoder;
      this.linkUp();
    });
  }

  /** Why the server's subprotocol does not fit the request (transports that open anyway). */
  private subprotocolMismatch(): string | undefined {
    const selected = this.socket?.protocol;
    const requested = this.host.protocols;
    if (selected === undefined) return undefined;
    const list = requested === undefined ? [] : ([] as string[]).concat(requested);
    if (selected === '') return list.length ? 'server selected no subprotocol' : undefined;
    if (list.includes(selected)) return undefined;
    return `server selected subprotocol ${selected}${list.length ? ', which was not requested' : ' but none was requested'}`;
  }

  /** @internal */
  socketMessage(data: unknown): void {
    const { serial } = this.host;
    serial.enter();
    try {
      this.framesHeard++;
      if (this.phase !== 'ended') this.host.frame(this, data);
    } finally {
      serial.exit();
    }
  }

  /** @internal */
  socketPong(): void {
    this.framesHeard++;
  }

  /** @internal */
  socketClosed(code: number, reason: string, error: unknown): void {
    this.host.serial.run(() => {
      if (this.phase === 'ended') return;
      this.fail(
        // 1006: no close frame came (the connection broke).
        new DisconnectError(code !== ABNORMAL_CLOSURE ? 'server-closed' : 'error', {
          code,
          // A refused upgrade's status, headers and Retry-After (Node `ws` only: none in a browser build).
          ...upgradeFailureDetails(error, !this.isUp),
          cause: error,
          message: reason || (error !== undefined ? errorMessage(error) : `close code ${code}`),
        }),
        false,
      );
    });
  }

  private startHeartbeat(): void {
    const options = this.host.heartbeat;
    const socket = this.socket;
    if (options === false || socket === undefined) return;
    if (options === 'default' && !socket.canPing) return;
    // A heartbeat option comes resolved with its defaults filled in (resolveHeartbeat): both are set.
    const { interval, timeout } = (options === 'default' ? DEFAULT_HEARTBEAT_OPTIONS : options) as typeof DEFAULT_HEARTBEAT_OPTIONS;
    if (options === 'default' || options.message === undefined) socket.listenForPongs?.(); // our probes are pings
    // Outbound: writes are timed from now on, and the heartbeat keeps the link from going quiet.
    if (options !== 'default' && options.outbound === true) this.writtenAt = this.host.scheduler.now();
    this.heartbeat = new Heartbeat(interval, timeout, this.host.scheduler, this);
  }

  // ---- HeartbeatTarget ---------------------------------------------------------------------

  /** @internal */
  sendProbe(): void {
    this.host.serial.run(() => {
      if (!this.canWrite()) return;
      const options = this.host.heartbeat;
      if (options === false || options === 'default' || options.message === undefined) {
        this.socket!.ping?.();
        if (this.writtenAt !== undefined) this.writtenAt = this.host.scheduler.now();
        return;
      }
      const frame = guarded(this.host.pingFrame, options, this.host);
      if (threw(frame)) {
        this.fail(new DisconnectError('error', { cause: frame.error, message: 'heartbeat message failed' }));
      } else this.write(frame);
    });
  }

  /** @internal */
  probeUnanswered(timeout: number): void {
    this.host.serial.run(() =>
      this.fail(new DisconnectError('stale', { message: `no frame within ${timeout} ms of a probe` })),
    );
  }

  /** Ends the link (its timers stopped, its socket disposed): false when it had ended already. */
  private stop(abrupt: boolean, code?: number, reason?: string): boolean {
    if (this.phase === 'ended') return false;
    this.phase = 'ended';
    this.connectTimer?.unsubscribe();
    this.handshakeTimer?.unsubscribe();
    this.heartbeat?.stop();
    this.socket?.dispose(abrupt, code, reason);
    return true;
  }

  /**
   * Ends the link from our side, closing with `code` and `reason` (`close()`'s), or 1000: a
   * lazy rest, an abandoned attempt.
   */
  end(code?: number, reason?: string): void {
    this.subscriber = undefined;
    this.stop(false, code, reason);
  }
}

function errorMessage(error: unknown): string {
  // A browser reports a failed WebSocket with a bare Event: it gives no detail, on purpose.
  if (typeof Event === 'function' && error instanceof Event) return DEVELOPMENT ? 'WebSocket error (the browser gives no detail)' : 'WebSocket error';
  try {
    // An Error's message, or any object's string `message` (a getter may throw: this is a transport's value).
    const message = (error as { message?: unknown } | null | undefined)?.message;
    return typeof message === 'string' ? message : String(error);
  } catch {
    return 'unprintable error';
  }
}

/**
 * `ack`'s verdict on a message, read inside the guard (an `Error` result is user data: its
 * `instanceof` and its `message` getter may throw): true, false, or a rejection.
 */
function ackVerdict(this: HandshakeOptions<unknown, unknown>, message: unknown): AckVerdict {
  const verdict: unknown = this.ack!(message);
  if (verdict === true) return true;
  return verdict instanceof Error ? { refusal: verdict, text: String(verdict.message) } : false;
}

/** @internal True (acked), false (not this message), or the server's refusal. */
type AckVerdict = boolean | { readonly refusal: Error; readonly text: string };
