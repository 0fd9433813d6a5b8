import type { SchedulerLike } from 'rxjs';
import type { Frame } from '../serializer';
import { DomSocket } from './dom-socket';
import { openNodeSocket } from './node-socket';
import type { WebSocketConstructor } from './websocket-like';

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
  /** True when the socket can send protocol pings (Node `ws`); absent otherwise. */
  readonly canPing?: boolean;
  /** The subprotocol the server selected (`''` for none; undefined where the transport does not say). */
  readonly protocol: string | undefined;
  isOpen(): boolean;
  /** Writes a frame; the caller checks `isOpen()` first. */
  send(frame: Frame): void;
  /** Sends a protocol ping (absent where the transport has none: a browser's). */
  ping?(): void;
  /** From now on, protocol pongs reach `socketPong()` (called when our pings start; absent where there are none). */
  listenForPongs?(): void;
  /**
   * Detaches every listener but a silent `error` one (so late errors cannot crash the
   * process) and ends the socket: a closing handshake, or at once when `abrupt` (where the
   * transport can).
   */
  dispose(abrupt: boolean, code?: number, reason?: string): void;
}

/**
 * Opens a socket and routes its events to `events`. A WebSocket constructor that throws (a
 * malformed URL, say) throws here.
 *
 * A socket with Node `ws`'s extras (`ping`, `terminate`, `on`, `off`) gets the handle of
 * node-socket.ts, which also guards against what `ws` would otherwise get wrong (a peer that
 * closes but keeps TCP open; ending in any state). Every other socket, and every socket in the
 * ESM build outside Node (there `./node-socket` is a stub, see scripts/build.mjs), gets a
 * {@link DomSocket}: the browser API only.
 */
export function openSocket(
  WebSocketImpl: WebSocketConstructor,
  url: string,
  protocols: string | string[] | undefined,
  transportOptions: object | undefined,
  events: SocketEvents,
  scheduler: SchedulerLike,
): Socket {
  const raw =
    transportOptions !== undefined
      ? new WebSocketImpl(url, protocols, transportOptions)
      : protocols === undefined
        ? new WebSocketImpl(url)
        : new WebSocketImpl(url, protocols);
  return openNodeSocket(raw, events, scheduler) ?? new DomSocket(raw, events);
}
