import type { SchedulerLike, Subscription } from 'rxjs';
import { ABNORMAL_CLOSURE, NORMAL_CLOSURE, NO_STATUS } from '../close-codes';
import type { Frame } from '../serializer';
import { flattenHeaders, UpgradeRefusedError, type UpgradeResponse } from './upgrade-failure';
import { CLOSED, CONNECTING, OPEN, type WebSocketConstructor, type WebSocketLike } from './websocket-like';

/**
 * What one socket tells the link that owns it, as methods of one object (no closure per
 * socket). Each fires at most until `dispose()`.
 *
 * @internal
 */
export interface SocketEvents {
  socketOpened(): void;
  socketMessage(data: unknown): void;
  /** A protocol-level pong frame arrived (Node `ws` only). */
  socketPong(): void;
  /** The socket is finished; `error` is the last error it reported, if any. */
  socketClosed(code: number, reason: string, error: unknown): void;
}

/** @internal One WebSocket, behind the few operations a link needs. */
export interface Socket {
  /** True when the socket can send protocol pings (Node `ws`). */
  readonly canPing: boolean;
  /** The subprotocol the server selected (`''` for none; undefined where the transport does not say). */
  readonly protocol: string | undefined;
  isOpen(): boolean;
  /** Writes a frame; the caller checks `isOpen()` first. */
  send(frame: Frame): void;
  /** Sends a protocol ping; a no-op where `canPing` is false. */
  ping(): void;
  /** From now on, protocol pongs reach `socketPong()` (called when our pings start). */
  listenForPongs(): void;
  /**
   * Detaches every listener but a silent `error` one (so late errors cannot crash the
   * process) and ends the socket: a closing handshake, or at once when `abrupt`.
   */
  dispose(abrupt: boolean, code?: number, reason?: string): void;
}

/** Node `ws` extras, used when present. */
interface NodeSocketExtras {
  ping(): void;
  terminate(): void;
  on(event: 'pong' | 'open', listener: () => void): unknown;
  on(event: 'message', listener: (data: { toString(): string }, isBinary: boolean) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  on(event: 'close', listener: (code: number, reason: { toString(): string }) => void): unknown;
  on(event: 'unexpected-response', listener: (request: unknown, response: UpgradeResponse) => void): unknown;
  off(event: 'pong' | 'unexpected-response' | 'open' | 'message', listener: (...args: never[]) => void): unknown;
}


/**
 * Ms a closing handshake may take before the socket is terminated. `ws` would otherwise wait
 * 30 s for the close frame of a peer that stopped reading, holding the process open.
 */
export const CLOSE_GRACE_MS = 1_000;

function ignoreError(): void {
  // Errors after dispose have nobody left to tell; swallowing them keeps the process alive.
}

/** Where a raw socket keeps its {@link SocketHandle}, so one shared handler serves every socket. */
const HANDLE = Symbol('rx-reconnect socket handle');

type RawSocket = WebSocketLike & { [HANDLE]?: SocketHandle };

// The raw socket's handlers are shared functions (every transport calls them with the socket
// as `this`): an idle connection costs no closure per handler.
function onRawOpen(this: RawSocket): void {
  const handle = this[HANDLE];
  handle?.opened();
  handle?.events.socketOpened();
}
function onRawMessage(this: RawSocket, event: { data: unknown }): void {
  this[HANDLE]?.events.socketMessage(event.data);
}
function onRawError(this: RawSocket, event: { error?: unknown }): void {
  const handle = this[HANDLE];
  // A refused upgrade's details outlive the error `ws` reports when we abort that upgrade.
  if (handle && !(handle.lastError instanceof UpgradeRefusedError)) handle.lastError = event.error ?? event;
}
function onRawClose(this: RawSocket, event: { code?: number; reason?: string }): void {
  this[HANDLE]?.transportClosed(event.code ?? ABNORMAL_CLOSURE, event.reason ?? '');
}
// `ws`'s own events, for Node: stored as they are (one listener is no array), where each `on*`
// property costs a closure, its context and a `MessageEvent` per message.
function onNodeMessage(this: RawSocket, data: { toString(): string }, isBinary: boolean): void {
  this[HANDLE]?.events.socketMessage(isBinary ? data : data.toString());
}
function onNodeError(this: RawSocket, error: unknown): void {
  onRawError.call(this, { error });
}
function onNodeClose(this: RawSocket, code: number, reason: { toString(): string }): void {
  this[HANDLE]?.transportClosed(code, reason.toString());
}
function onRawPong(this: RawSocket): void {
  this[HANDLE]?.events.socketPong();
}
/** `ws` hands us a refused upgrade's response instead of failing with only its status. */
function onUnexpectedResponse(this: RawSocket & NodeSocketExtras, _request: unknown, response: UpgradeResponse): void {
  const handle = this[HANDLE];
  if (handle) handle.lastError = new UpgradeRefusedError(response.statusCode ?? 0, flattenHeaders(response.headers));
  // Listening makes ending the handshake our job: terminate() aborts the request and reports close.
  this.terminate();
}

/** Replaces `ws`'s `close()` on the instance: `ws` calls it itself for a peer's close frame. */
function observedClose(this: RawSocket, code?: number, reason?: string | Uint8Array): void {
  (Object.getPrototypeOf(this) as WebSocketLike).close.call(this, code, reason as string | undefined);
  this[HANDLE]?.closeCalled(code, reason);
}

/**
 * Opens a socket and routes its events to `events`. Never throws: a constructor that throws
 * (a malformed URL, say) is reported through `onConstructError`.
 *
 * Two things the transports would otherwise get wrong are handled here:
 * - **A peer that closes but keeps TCP open.** `ws` answers a close frame (or a protocol error)
 *   by calling the socket's own `close()` and then waits up to 30 s for TCP to end before it
 *   reports `close`. That call is observed: the loss is reported at once with the peer's code
 *   (after one scheduler hop, so an `error` that `ws` emits right after it is seen), and the
 *   socket is terminated if it is still not closed after {@link CLOSE_GRACE_MS}.
 * - **Ending in any state.** `dispose()` works while connecting, open or closing, and also
 *   when the transport's `close()` throws: whatever happens, nothing stays open past the grace.
 */
export function openSocket(
  WebSocketImpl: WebSocketConstructor,
  url: string,
  protocols: string | string[] | undefined,
  transportOptions: object | undefined,
  events: SocketEvents,
  onConstructError: (error: unknown) => void,
  scheduler: SchedulerLike,
): Socket | undefined {
  let raw: RawSocket;
  try {
    if (transportOptions !== undefined) raw = new WebSocketImpl(url, protocols, transportOptions);
    else raw = protocols === undefined ? new WebSocketImpl(url) : new WebSocketImpl(url, protocols);
  } catch (error) {
    onConstructError(error);
    return undefined;
  }
  return new SocketHandle(raw, events, scheduler);
}

/** @internal One raw socket and the state its shared handlers need. */
class SocketHandle implements Socket {
  readonly canPing: boolean;
  /** The last error the transport reported. */
  lastError: unknown = undefined;
  /** No more events go to `events` (reported closed, or disposed). */
  private detached = false;
  /** Our own `close()` call is under way (any other call comes from the transport). */
  private closingOurselves = false;
  private grace: Subscription | undefined = undefined;
  private readonly nodeSocket: (RawSocket & NodeSocketExtras) | undefined;
  /** The socket is an EventEmitter (`ws`): its own events are listened to, not the `on*` properties. */
  private readonly emitter: boolean;
  /** Protocol pongs are listened to (only while our own pings need them). */
  private pongs = false;

  constructor(
    private readonly raw: RawSocket,
    readonly events: SocketEvents,
    private readonly scheduler: SchedulerLike,
  ) {
    this.nodeSocket = hasNodeExtras(raw) ? raw : undefined;
    this.canPing = this.nodeSocket !== undefined;
    raw[HANDLE] = this;
    raw.binaryType = 'arraybuffer';
    const node = this.nodeSocket;
    this.emitter = node !== undefined && typeof (raw as { emit?: unknown }).emit === 'function';
    if (node && this.emitter) {
      // The error and close listeners stay for the socket's whole life: a late error is recorded
      // (never unhandled), a late close ends the grace timer.
      node.on('open', onRawOpen);
      node.on('message', onNodeMessage);
      node.on('error', onNodeError);
      node.on('close', onNodeClose);
      node.on('unexpected-response', onUnexpectedResponse);
      raw.close = observedClose;
    } else {
      raw.onopen = onRawOpen as WebSocketLike['onopen'];
      raw.onmessage = onRawMessage as WebSocketLike['onmessage'];
      raw.onerror = onRawError as WebSocketLike['onerror'];
      raw.onclose = onRawClose as WebSocketLike['onclose'];
      if (node) raw.close = observedClose;
    }
  }

  /**
   * @internal The socket opened: the listeners only an opening socket needs go (each event
   * type listened to costs an idle `ws` socket an entry in its listener table).
   */
  opened(): void {
    if (this.emitter) {
      this.nodeSocket!.off('open', onRawOpen);
      this.nodeSocket!.off('unexpected-response', onUnexpectedResponse);
    }
  }

  listenForPongs(): void {
    if (this.nodeSocket && !this.detached && !this.pongs) {
      this.pongs = true;
      this.nodeSocket.on('pong', onRawPong);
    }
  }

  /** The subprotocol the server selected (`''` for none; undefined where the transport does not say). */
  get protocol(): string | undefined {
    const protocol = (this.raw as { protocol?: unknown }).protocol;
    return typeof protocol === 'string' ? protocol : undefined;
  }

  isOpen(): boolean {
    return this.raw.readyState === OPEN;
  }

  send(frame: Frame): void {
    this.raw.send(frame);
  }

  ping(): void {
    if (this.nodeSocket && this.raw.readyState === OPEN) this.nodeSocket.ping();
  }

  dispose(abrupt: boolean, code: number = NORMAL_CLOSURE, reason?: string): void {
    if (!this.detached) this.detach();
    const state = this.raw.readyState;
    if (state === CLOSED) return;
    try {
      if (abrupt && this.nodeSocket) this.nodeSocket.terminate();
      else if (state === CONNECTING || state === OPEN) {
        this.closingOurselves = true;
        this.raw.close(code, reason);
        this.closingOurselves = false;
        this.terminateAfterGrace();
      } else this.terminateAfterGrace(); // closing already: the peer gets the grace, no more
    } catch {
      this.closingOurselves = false;
      // A transport that refuses to close (a reason it will not send, say) is ended abruptly.
      try {
        this.nodeSocket?.terminate();
      } catch {
        // Nothing more can be done with this socket.
      }
    }
  }

  /** @internal The transport reported `close`. */
  transportClosed(code: number, reason: string): void {
    if (this.detached) {
      this.grace?.unsubscribe(); // a close that comes later only ends the grace timer
      return;
    }
    this.detach();
    this.events.socketClosed(code, reason, this.lastError);
  }

  /** @internal `close()` was called on the raw socket: by us, or by `ws` for the peer. */
  closeCalled(code: number | undefined, reason: string | Uint8Array | undefined): void {
    if (this.closingOurselves || this.detached) return;
    const peerCode = code ?? NO_STATUS;
    const peerReason = typeof reason === 'string' ? reason : reason === undefined ? '' : textOf(reason);
    const errorBefore = this.lastError;
    this.scheduler.schedule(() => {
      if (this.detached) return;
      this.detach();
      this.terminateAfterGrace();
      // An error reported with (just after) the close means the frame was broken, not sent.
      if (this.lastError !== errorBefore) this.events.socketClosed(ABNORMAL_CLOSURE, '', this.lastError);
      else this.events.socketClosed(peerCode, peerReason, undefined);
    });
  }

  private detach(): void {
    this.detached = true;
    const node = this.nodeSocket;
    if (node && this.pongs) node.off('pong', onRawPong);
    if (node && this.emitter) {
      node.off('open', onRawOpen);
      node.off('message', onNodeMessage);
      node.off('unexpected-response', onUnexpectedResponse);
      return;
    }
    const raw = this.raw;
    raw.onopen = raw.onmessage = null;
    raw.onerror = ignoreError as WebSocketLike['onerror'];
  }

  private terminateAfterGrace(): void {
    const node = this.nodeSocket;
    if (!node || this.grace !== undefined || this.raw.readyState === CLOSED) return;
    this.grace = this.scheduler.schedule(() => node.terminate(), CLOSE_GRACE_MS);
  }
}

function textOf(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

function hasNodeExtras(socket: WebSocketLike): socket is WebSocketLike & NodeSocketExtras {
  const candidate = socket as Partial<NodeSocketExtras>;
  return (
    typeof candidate.ping === 'function' &&
    typeof candidate.terminate === 'function' &&
    typeof candidate.on === 'function' &&
    typeof candidate.off === 'function'
  );
}
