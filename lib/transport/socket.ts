import type { SchedulerLike } from 'rxjs';
import { CloseCode } from '../close-codes';
import type { Frame } from '../serializer';
import { ReadyState, type WebSocketConstructor, type WebSocketLike } from './websocket-like';

/** What one socket tells the link that owns it. Each callback fires at most until `dispose()`. */
export interface SocketEvents {
  open(): void;
  message(data: unknown): void;
  /** A protocol-level pong frame arrived (Node `ws` only). */
  pong(): void;
  /** The socket is finished; `error` is the last error it reported, if any. */
  closed(code: number, reason: string, error: unknown): void;
}

/** One WebSocket, behind the few operations a link needs. */
export interface Socket {
  /** True when the socket can send protocol pings (Node `ws`). */
  readonly canPing: boolean;
  isOpen(): boolean;
  /** Writes a frame; the caller checks `isOpen()` first. */
  send(frame: Frame): void;
  /** Sends a protocol ping; a no-op where `canPing` is false. */
  ping(): void;
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
  on(event: 'pong', listener: () => void): unknown;
  off(event: 'pong', listener: () => void): unknown;
}

/**
 * Ms a closing handshake may take before the socket is terminated. `ws` would otherwise wait
 * 30 s for the close frame of a peer that stopped reading, holding the process open.
 */
export const CLOSE_GRACE_MS = 1_000;

/** ws reports a refused upgrade as "Unexpected server response: 401". */
const UNEXPECTED_RESPONSE = /Unexpected server response: (\d{3})/;

/** The HTTP status of a refused handshake, where the transport reveals it. */
export function handshakeStatus(error: unknown): number | undefined {
  const message = error instanceof Error ? error.message : (error as { message?: unknown } | null)?.message;
  const match = typeof message === 'string' ? UNEXPECTED_RESPONSE.exec(message) : null;
  return match ? Number(match[1]) : undefined;
}

function ignoreError(): void {
  // Errors after dispose have nobody left to tell; swallowing them keeps the process alive.
}

/**
 * Opens a socket and routes its events to `events`. Never throws: a constructor that throws
 * (a malformed URL, say) is reported as a close with that error.
 */
export function openSocket(
  WebSocketImpl: WebSocketConstructor,
  url: string,
  protocols: string | string[] | undefined,
  events: SocketEvents,
  onConstructError: (error: unknown) => void,
  scheduler: SchedulerLike,
): Socket | undefined {
  let raw: WebSocketLike;
  try {
    raw = protocols === undefined ? new WebSocketImpl(url) : new WebSocketImpl(url, protocols);
  } catch (error) {
    onConstructError(error);
    return undefined;
  }
  const node = hasNodeExtras(raw) ? raw : undefined;
  let lastError: unknown;
  let disposed = false;
  const onPong = (): void => events.pong();

  raw.binaryType = 'arraybuffer';
  raw.onopen = (() => events.open()) as WebSocketLike['onopen'];
  raw.onmessage = ((event: { data: unknown }) => events.message(event.data)) as WebSocketLike['onmessage'];
  raw.onerror = ((event: { error?: unknown; message?: unknown }) => {
    lastError = event.error ?? event;
  }) as WebSocketLike['onerror'];
  raw.onclose = ((event: { code?: number; reason?: string }) => {
    detach();
    events.closed(event.code ?? CloseCode.Abnormal, event.reason ?? '', lastError);
  }) as WebSocketLike['onclose'];
  node?.on('pong', onPong);

  function detach(): void {
    disposed = true;
    raw.onopen = raw.onmessage = raw.onclose = null;
    raw.onerror = ignoreError as WebSocketLike['onerror'];
    node?.off('pong', onPong);
  }

  return {
    canPing: node !== undefined,
    isOpen: () => raw.readyState === ReadyState.Open,
    send: (frame) => raw.send(frame),
    ping: () => {
      if (node && raw.readyState === ReadyState.Open) node.ping();
    },
    dispose: (abrupt, code = CloseCode.Normal, reason) => {
      if (disposed) return;
      detach();
      try {
        if (abrupt && node) node.terminate();
        else if (raw.readyState === ReadyState.Connecting || raw.readyState === ReadyState.Open) {
          raw.close(code, reason);
          if (node && stillClosing(raw)) {
            const grace = scheduler.schedule(() => node.terminate(), CLOSE_GRACE_MS);
            raw.onclose = (() => grace.unsubscribe()) as WebSocketLike['onclose'];
          }
        }
      } catch {
        // A socket that cannot close cleanly is being abandoned anyway.
      }
    },
  };
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

/** Read afresh: `close()` has just changed it (a plain comparison would be narrowed away). */
function stillClosing(socket: WebSocketLike): boolean {
  return socket.readyState === ReadyState.Closing;
}
