/**
 * What only Node's `ws` (and sockets shaped like it) can do, kept out of the generic socket so
 * that browser bundles can leave it out: in the ESM build this module is reached through
 * `#node-socket`, which outside the `node` condition is no-node-socket.ts (scripts/build.mjs).
 * In lib/ and the CommonJS build it is imported as it is.
 */
import type { SchedulerLike, Subscription } from 'rxjs';
import { ABNORMAL_CLOSURE, NORMAL_CLOSURE, NO_STATUS } from '../close-codes';
import type { Frame } from '../serializer';
import {
  HANDLE,
  listenThroughProperties,
  onRawError,
  selectedProtocol,
  stopListeningThroughProperties,
  type RawSocket,
  type RawSocketHandle,
} from './dom-socket';
import type { Socket, SocketEvents } from './socket';
import { flattenHeaders, UpgradeRefusedError, type UpgradeResponse } from './upgrade-failure';
import { CLOSED, CONNECTING, OPEN, type WebSocketLike } from './websocket-like';

export { upgradeFailureDetails } from './upgrade-failure';

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

/** A raw socket with the extras, owned by a {@link NodeSocket}. */
type NodeRawSocket = RawSocket & NodeSocketExtras & { [HANDLE]?: NodeSocket };

/**
 * Ms a closing handshake may take before the socket is terminated. `ws` would otherwise wait
 * 30 s for the close frame of a peer that stopped reading, holding the process open.
 */
export const CLOSE_GRACE_MS = 1_000;

/**
 * A {@link NodeSocket} for `raw` when it has `ws`'s extras (`ping`, `terminate`, `on`, `off`);
 * undefined for any other socket (it gets the browser API's handle).
 */
export function openNodeSocket(raw: WebSocketLike, events: SocketEvents, scheduler: SchedulerLike): Socket | undefined {
  return hasNodeExtras(raw) ? new NodeSocket(raw, events, scheduler) : undefined;
}

function hasNodeExtras(socket: WebSocketLike): socket is NodeRawSocket {
  const candidate = socket as Partial<NodeSocketExtras>;
  return (
    typeof candidate.ping === 'function' &&
    typeof candidate.terminate === 'function' &&
    typeof candidate.on === 'function' &&
    typeof candidate.off === 'function'
  );
}

// `ws`'s own events, for Node: stored as they are (one listener is no array), where each `on*`
// property costs a closure, its context and a `MessageEvent` per message. Shared functions with
// the socket as `this`, as the `on*` handlers of dom-socket.ts are.
function onNodeOpen(this: NodeRawSocket): void {
  const handle = this[HANDLE];
  handle?.opened();
  handle?.events.socketOpened();
}
function onNodeMessage(this: NodeRawSocket, data: { toString(): string }, isBinary: boolean): void {
  this[HANDLE]?.events.socketMessage(isBinary ? data : data.toString());
}
function onNodeError(this: NodeRawSocket, error: unknown): void {
  // A refused upgrade's details outlive the error `ws` reports when we abort that upgrade.
  if (!(this[HANDLE]?.lastError instanceof UpgradeRefusedError)) onRawError.call(this, { error });
}
function onNodeClose(this: NodeRawSocket, code: number, reason: { toString(): string }): void {
  this[HANDLE]?.transportClosed(code, reason.toString());
}
function onRawPong(this: NodeRawSocket): void {
  this[HANDLE]?.events.socketPong();
}
/** `ws` hands us a refused upgrade's response instead of failing with only its status. */
function onUnexpectedResponse(this: NodeRawSocket, _request: unknown, response: UpgradeResponse): void {
  const handle = this[HANDLE];
  if (handle) handle.lastError = new UpgradeRefusedError(response.statusCode ?? 0, flattenHeaders(response.headers));
  // Listening makes ending the handshake our job: terminate() aborts the request and reports close.
  this.terminate();
}

/** Replaces `ws`'s `close()` on the instance: `ws` calls it itself for a peer's close frame. */
function observedClose(this: NodeRawSocket, code?: number, reason?: string | Uint8Array): void {
  (Object.getPrototypeOf(this) as WebSocketLike).close.call(this, code, reason as string | undefined);
  this[HANDLE]?.closeCalled(code, reason);
}

/**
 * @internal A socket with Node `ws`'s extras: protocol pings, `terminate()`, and (where it is an
 * EventEmitter, as `ws` is) its own events rather than the `on*` properties, including the
 * response of a refused upgrade.
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
export class NodeSocket implements Socket, RawSocketHandle {
  readonly canPing = true;
  lastError: unknown = undefined;
  /** The raw socket is released: no more events go to `events` (reported closed, or disposed). */
  private released = false;
  /** Our own `close()` call is under way (any other call comes from the transport). */
  private closingOurselves = false;
  private grace: Subscription | undefined = undefined;
  /** The socket is an EventEmitter (`ws`): its own events are listened to, not the `on*` properties. */
  private readonly emitter: boolean;
  /** Protocol pongs are listened to (only while our own pings need them). */
  private pongs = false;

  constructor(
    private readonly raw: NodeRawSocket,
    readonly events: SocketEvents,
    private readonly scheduler: SchedulerLike,
  ) {
    raw[HANDLE] = this;
    raw.binaryType = 'arraybuffer';
    this.emitter = typeof (raw as { emit?: unknown }).emit === 'function';
    if (this.emitter) {
      // The error and close listeners stay for the socket's whole life: a late error is recorded
      // (never unhandled), a late close ends the grace timer.
      raw.on('open', onNodeOpen);
      raw.on('message', onNodeMessage);
      raw.on('error', onNodeError);
      raw.on('close', onNodeClose);
      raw.on('unexpected-response', onUnexpectedResponse);
    } else listenThroughProperties(raw);
    raw.close = observedClose;
  }

  /**
   * The socket opened: the listeners only an opening socket needs go (each event type
   * listened to costs an idle `ws` socket an entry in its listener table).
   */
  opened(): void {
    if (this.emitter) {
      this.raw.off('open', onNodeOpen);
      this.raw.off('unexpected-response', onUnexpectedResponse);
    }
  }

  listenForPongs(): void {
    if (!this.released && !this.pongs) {
      this.pongs = true;
      this.raw.on('pong', onRawPong);
    }
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

  ping(): void {
    if (this.raw.readyState === OPEN) this.raw.ping();
  }

  dispose(abrupt: boolean, code: number = NORMAL_CLOSURE, reason?: string): void {
    if (!this.released) this.detach();
    const state = this.raw.readyState;
    if (state === CLOSED) return;
    try {
      if (abrupt) this.raw.terminate();
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
        this.raw.terminate();
      } catch {
        // Nothing more can be done with this socket.
      }
    }
  }

  transportClosed(code: number, reason: string): void {
    if (this.released) {
      this.grace?.unsubscribe(); // a close that comes later only ends the grace timer
      return;
    }
    this.detach();
    this.events.socketClosed(code, reason, this.lastError);
  }

  /** `close()` was called on the raw socket: by us, or by `ws` for the peer. */
  closeCalled(code: number | undefined, reason: string | Uint8Array | undefined): void {
    if (this.closingOurselves || this.released) return;
    const peerCode = code ?? NO_STATUS;
    const peerReason = typeof reason === 'string' ? reason : reason === undefined ? '' : textOf(reason);
    const errorBefore = this.lastError;
    this.scheduler.schedule(() => {
      if (this.released) return;
      this.detach();
      this.terminateAfterGrace();
      // An error reported with (just after) the close means the frame was broken, not sent.
      if (this.lastError !== errorBefore) this.events.socketClosed(ABNORMAL_CLOSURE, '', this.lastError);
      else this.events.socketClosed(peerCode, peerReason, undefined);
    });
  }

  private detach(): void {
    this.released = true;
    const raw = this.raw;
    if (this.pongs) raw.off('pong', onRawPong);
    if (this.emitter) {
      raw.off('open', onNodeOpen);
      raw.off('message', onNodeMessage);
      raw.off('unexpected-response', onUnexpectedResponse);
    } else stopListeningThroughProperties(raw);
  }

  private terminateAfterGrace(): void {
    if (this.grace !== undefined || this.raw.readyState === CLOSED) return;
    const raw = this.raw;
    this.grace = this.scheduler.schedule(() => raw.terminate(), CLOSE_GRACE_MS);
  }
}

function textOf(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
