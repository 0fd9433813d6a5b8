import { NORMAL_CLOSURE, ABNORMAL_CLOSURE } from '../close-codes';
import type { Frame } from '../serializer';
import type { Socket, SocketEvents } from './socket';
import { CONNECTING, OPEN, type WebSocketLike } from './websocket-like';

/**
 * @internal What the shared handlers reach through a raw socket: the handle that owns it (a
 * {@link DomSocket}, or the Node `ws` handle of node-socket.ts).
 */
export interface RawSocketHandle {
  readonly events: SocketEvents;
  /** The last error the transport reported. */
  lastError: unknown;
  /** The transport reported `close`. */
  transportClosed(code: number, reason: string): void;
}

/** Where a raw socket keeps its handle, so one shared handler serves every socket. */
export const HANDLE = Symbol('rx-reconnect socket handle');

/** @internal A raw socket and the handle it is owned by. */
export type RawSocket = WebSocketLike & { [HANDLE]?: RawSocketHandle };

function ignoreError(): void {
  // Errors after dispose have nobody left to tell; swallowing them keeps the process alive.
}

// The raw socket's handlers are shared functions (every transport calls them with the socket
// as `this`): an idle connection costs no closure per handler.
function onRawOpen(this: RawSocket): void {
  this[HANDLE]?.events.socketOpened();
}
function onRawMessage(this: RawSocket, event: { data: unknown }): void {
  this[HANDLE]?.events.socketMessage(event.data);
}
/** Records the error for the close that follows (a browser's is a bare `Event`). */
export function onRawError(this: RawSocket, event: { error?: unknown }): void {
  const handle = this[HANDLE];
  if (handle) handle.lastError = event.error ?? event;
}
function onRawClose(this: RawSocket, event: { code?: number; reason?: string }): void {
  this[HANDLE]?.transportClosed(event.code ?? ABNORMAL_CLOSURE, event.reason ?? '');
}

/** Listens to `raw` through its `on*` properties (the browser API; `ws` has them too). */
export function listenThroughProperties(raw: RawSocket): void {
  raw.onopen = onRawOpen as WebSocketLike['onopen'];
  raw.onmessage = onRawMessage as WebSocketLike['onmessage'];
  raw.onerror = onRawError as WebSocketLike['onerror'];
  raw.onclose = onRawClose as WebSocketLike['onclose'];
}

/**
 * Undoes {@link listenThroughProperties} but for `onclose` (a late close is still the handle's to
 * see) and a silent `onerror` (so late errors cannot crash the process).
 */
export function stopListeningThroughProperties(raw: RawSocket): void {
  raw.onopen = raw.onmessage = null;
  raw.onerror = ignoreError as WebSocketLike['onerror'];
}

/** The subprotocol the server selected (`''` for none; undefined where the transport does not say). */
export function selectedProtocol(raw: WebSocketLike): string | undefined {
  const protocol = (raw as { protocol?: unknown }).protocol;
  return typeof protocol === 'string' ? protocol : undefined;
}

/**
 * @internal A socket with the browser API only (`on*` properties, `close()`): the native
 * `WebSocket`, and in a browser build every other transport. It cannot ping (it has no
 * `ping()`), and ending it is the transport's closing handshake.
 */
export class DomSocket implements Socket, RawSocketHandle {
  lastError: unknown = undefined;

  constructor(
    private readonly raw: RawSocket,
    readonly events: SocketEvents,
  ) {
    raw[HANDLE] = this;
    raw.binaryType = 'arraybuffer';
    listenThroughProperties(raw);
  }

  get protocol(): string | undefined {
    return selectedProtocol(this.raw);
  }

  isOpen(): boolean {
    return this.raw.readyState === OPEN;
  }

  send(frame: Frame): void {
    this.raw.send(frame);
  }

  dispose(_abrupt: boolean, code: number = NORMAL_CLOSURE, reason?: string): void {
    this.detach();
    const state = this.raw.readyState;
    if (state !== CONNECTING && state !== OPEN) return; // closing already, or closed
    try {
      this.raw.close(code, reason);
    } catch {
      // A transport that refuses to close (a reason it will not send, say) cannot be ended otherwise.
    }
  }

  transportClosed(code: number, reason: string): void {
    this.detach();
    this.events.socketClosed(code, reason, this.lastError);
  }

  /**
   * Releases the raw socket: no more events reach `events` once it reported its close or was
   * disposed of, not even a late `close` (so it is reported once).
   */
  private detach(): void {
    stopListeningThroughProperties(this.raw);
    this.raw.onclose = null;
  }
}
