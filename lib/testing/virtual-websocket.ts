import type { SchedulerLike } from 'rxjs';
import { ReadyState, type WebSocketLike } from '../transport/websocket-like';

/** The server side of a {@link VirtualWebSocket}: what the socket reports to. */
export interface VirtualPeer {
  readonly scheduler: SchedulerLike;
  /** A socket was constructed. */
  connected(socket: VirtualWebSocket): void;
  /** The socket sent a frame. */
  frame(socket: VirtualWebSocket, data: unknown): void;
  /** The socket asked to close (code and reason as given). */
  closing(socket: VirtualWebSocket, code: number | undefined, reason: string | undefined): void;
  /** The socket sent a protocol ping: return true to answer it with a pong. */
  pinged(socket: VirtualWebSocket): boolean;
}

/**
 * A `'pong'` listener (shown inline in the docs: it is not a type of its own).
 *
 * @inline
 */
type Listener = () => void;

/**
 * An in-memory WebSocket for tests with the browser API, driven by a `TestServer` on the
 * scheduler the server was given, so it runs on `TestScheduler` virtual time.
 *
 * Like a real socket, it never calls a handler (`onopen`, `onmessage`, `onclose`,
 * `onerror`, `'pong'`) from inside a call made on it (`send`, `close`, `ping`, `terminate`)
 * or from inside the server call that caused the event: every event reaches it through
 * the scheduler, 0 ms later in virtual time (so marble frames do not move), in the order
 * the server caused them. An event for a socket that has closed in the meantime is
 * dropped, as a real socket would drop it.
 */
export class VirtualWebSocket implements WebSocketLike {
  static readonly CONNECTING = ReadyState.Connecting;
  static readonly OPEN = ReadyState.Open;
  static readonly CLOSING = ReadyState.Closing;
  static readonly CLOSED = ReadyState.Closed;

  readyState: number = ReadyState.Connecting;
  binaryType = 'blob';
  /** The subprotocol the server picked ('' when none). */
  protocol = '';
  onopen: ((event: never) => unknown) | null = null;
  onmessage: ((event: never) => unknown) | null = null;
  onclose: ((event: never) => unknown) | null = null;
  onerror: ((event: never) => unknown) | null = null;

  constructor(
    private readonly peer: VirtualPeer,
    /** The URL it was opened with. */
    readonly url: string,
    /** The subprotocols it asked for. */
    readonly protocols: readonly string[] = [],
  ) {
    peer.connected(this);
  }

  send(data: string | ArrayBufferLike | ArrayBufferView): void {
    if (this.readyState === ReadyState.Connecting) {
      throw new Error('VirtualWebSocket: send() while CONNECTING');
    }
    if (this.readyState !== ReadyState.Open) return; // like browsers: discarded after close
    this.peer.frame(this, data);
  }

  close(code?: number, reason?: string): void {
    if (this.readyState === ReadyState.Closing || this.readyState === ReadyState.Closed) return;
    const wasConnecting = this.readyState === ReadyState.Connecting;
    this.readyState = ReadyState.Closing;
    this.peer.closing(this, code, reason);
    this.peer.scheduler.schedule(() => {
      if (wasConnecting) this.fire('onerror', { type: 'error', message: 'closed before the connection was established' });
      this.finishClose(wasConnecting ? 1006 : (code ?? 1005), reason ?? '', !wasConnecting);
    });
  }

  // ---- driven by the server --------------------------------------------------------------
  // The server* methods fire handlers at once: they are called only from actions on the
  // scheduler (through deliver() or the server's own scheduled work), never from inside a
  // call the client made.

  /** @internal Runs `event` on the scheduler after `delay` ms (0: later in the same frame). */
  deliver(event: () => void, delay = 0): void {
    this.peer.scheduler.schedule(event, delay);
  }

  /** @internal The server accepted the connection. */
  serverOpen(protocol: string): void {
    if (this.readyState !== ReadyState.Connecting) return;
    this.readyState = ReadyState.Open;
    this.protocol = protocol;
    this.fire('onopen', { type: 'open' });
  }

  /** @internal The server refused the upgrade with an HTTP status. */
  serverRefuse(status: number): void {
    if (this.readyState !== ReadyState.Connecting) return;
    this.fire('onerror', { type: 'error', message: `Unexpected server response: ${status}` });
    this.finishClose(1006, '', false);
  }

  /** @internal A frame from the server. */
  serverMessage(data: unknown): void {
    if (this.readyState !== ReadyState.Open) return;
    this.fire('onmessage', { type: 'message', data });
  }

  /** @internal The server ended the link: with a close frame, or abruptly (1006). */
  serverClose(code: number, reason: string): void {
    if (this.readyState === ReadyState.Closed) return;
    const abrupt = code === 1006;
    if (abrupt) this.fire('onerror', { type: 'error', message: 'connection dropped' });
    this.finishClose(code, reason, !abrupt);
  }

  /** @internal Ends the socket and fires `onclose`. */
  protected finishClose(code: number, reason: string, wasClean: boolean): void {
    if (this.readyState === ReadyState.Closed) return;
    this.readyState = ReadyState.Closed;
    this.fire('onclose', { type: 'close', code, reason, wasClean });
  }

  private fire(handler: 'onopen' | 'onmessage' | 'onclose' | 'onerror', event: object): void {
    const listener = this[handler] as ((event: object) => unknown) | null;
    listener?.call(this, event);
  }
}

/**
 * A {@link VirtualWebSocket} with `ws`'s Node extras: `ping()`, `terminate()` and `'pong'`
 * events, so the connection's default protocol-ping heartbeat runs against it.
 */
export class PingableVirtualWebSocket extends VirtualWebSocket {
  private readonly pongListeners = new Set<Listener>();

  constructor(
    private readonly pingPeer: VirtualPeer,
    url: string,
    protocols: readonly string[] = [],
  ) {
    super(pingPeer, url, protocols);
  }

  /** `ws`-style protocol ping; answered with a `'pong'` unless the server is black-holed. */
  ping(): void {
    if (this.readyState !== ReadyState.Open) return;
    if (this.pingPeer.pinged(this)) {
      this.pingPeer.scheduler.schedule(() => {
        // Like an EventEmitter, with the socket as `this`.
        if (this.readyState === ReadyState.Open) for (const listener of [...this.pongListeners]) listener.call(this);
      });
    }
  }

  /**
   * `ws`-style teardown without a closing handshake: `CLOSING` at once, `onclose` (1006)
   * through the scheduler, as `ws` emits `'close'` only once the TCP socket has closed.
   */
  terminate(): void {
    if (this.readyState === ReadyState.Closed) return;
    if (this.readyState !== ReadyState.Closing) this.pingPeer.closing(this, undefined, undefined);
    this.readyState = ReadyState.Closing;
    this.deliver(() => this.finishClose(1006, '', false));
  }

  /** `ws`-style listener registration, for `'pong'` only. */
  on(event: 'pong', listener: Listener): this {
    if (event === 'pong') this.pongListeners.add(listener);
    return this;
  }

  /** Removes a listener added with {@link on}. */
  off(event: 'pong', listener: Listener): this {
    if (event === 'pong') this.pongListeners.delete(listener);
    return this;
  }
}
