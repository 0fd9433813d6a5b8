import type { SchedulerLike, Subscription } from 'rxjs';
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
  /** No more events go to `events` (reported closed, or disposed). */
  let detached = false;
  /** Our own `close()` call is under way (any other call comes from the transport). */
  let closingOurselves = false;
  let grace: Subscription | undefined;
  const onPong = (): void => events.pong();

  raw.binaryType = 'arraybuffer';
  raw.onopen = (() => events.open()) as WebSocketLike['onopen'];
  raw.onmessage = ((event: { data: unknown }) => events.message(event.data)) as WebSocketLike['onmessage'];
  raw.onerror = ((event: { error?: unknown; message?: unknown }) => {
    lastError = event.error ?? event;
  }) as WebSocketLike['onerror'];
  raw.onclose = ((event: { code?: number; reason?: string }) => {
    if (detached) return;
    detach();
    events.closed(event.code ?? CloseCode.Abnormal, event.reason ?? '', lastError);
  }) as WebSocketLike['onclose'];
  node?.on('pong', onPong);
  if (node) observePeerClose(raw);

  function detach(): void {
    detached = true;
    raw.onopen = raw.onmessage = null;
    raw.onerror = ignoreError as WebSocketLike['onerror'];
    // A close that comes later only ends the grace timer.
    raw.onclose = (() => grace?.unsubscribe()) as WebSocketLike['onclose'];
    node?.off('pong', onPong);
  }

  /** `ws` calls `close()` itself when the peer's close frame (or a broken frame) arrives. */
  function observePeerClose(socket: WebSocketLike): void {
    const nativeClose = socket.close;
    socket.close = function (this: WebSocketLike, code?: number, reason?: string | Uint8Array): void {
      nativeClose.call(this, code, reason as string | undefined);
      if (closingOurselves || detached) return;
      const peerCode = code ?? CloseCode.NoStatus;
      const peerReason = typeof reason === 'string' ? reason : reason === undefined ? '' : textOf(reason);
      const errorBefore = lastError;
      scheduler.schedule(() => {
        if (detached) return;
        detach();
        terminateAfterGrace();
        // An error reported with (just after) the close means the frame was broken, not sent.
        if (lastError !== errorBefore) events.closed(CloseCode.Abnormal, '', lastError);
        else events.closed(peerCode, peerReason, undefined);
      });
    };
  }

  function terminateAfterGrace(): void {
    if (!node || grace !== undefined || raw.readyState === ReadyState.Closed) return;
    grace = scheduler.schedule(() => node.terminate(), CLOSE_GRACE_MS);
  }

  return {
    canPing: node !== undefined,
    isOpen: () => raw.readyState === ReadyState.Open,
    send: (frame) => raw.send(frame),
    ping: () => {
      if (node && raw.readyState === ReadyState.Open) node.ping();
    },
    dispose: (abrupt, code = CloseCode.Normal, reason) => {
      const wasDetached = detached;
      if (!wasDetached) detach();
      const state = raw.readyState;
      if (state === ReadyState.Closed) return;
      try {
        if (abrupt && node) node.terminate();
        else if (state === ReadyState.Connecting || state === ReadyState.Open) {
          closingOurselves = true;
          raw.close(code, reason);
          closingOurselves = false;
          terminateAfterGrace();
        } else terminateAfterGrace(); // closing already: the peer gets the grace, no more
      } catch {
        closingOurselves = false;
        // A transport that refuses to close (a reason it will not send, say) is ended abruptly.
        try {
          node?.terminate();
        } catch {
          // Nothing more can be done with this socket.
        }
      }
    },
  };
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
