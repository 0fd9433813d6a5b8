/**
 * The part of the browser `WebSocket` API the library uses. The native `WebSocket`, `ws`'s
 * `WebSocket` and the testing transport's `VirtualWebSocket` all fit it.
 */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Set to `'arraybuffer'` so binary frames arrive synchronously. */
  binaryType: string;
  /** Called once the socket is open (the library sets it; events are read, not typed). */
  onopen: ((event: never) => unknown) | null;
  /** Called with each inbound frame (`event.data`: a string or an `ArrayBuffer`). */
  onmessage: ((event: never) => unknown) | null;
  /** Called once the socket has closed (`event.code`, `event.reason`, `event.wasClean`). */
  onclose: ((event: never) => unknown) | null;
  /** Called when the transport fails; `onclose` follows. */
  onerror: ((event: never) => unknown) | null;
  /** Sends one frame: text as a string, binary as a buffer or a view of one. */
  send(data: string | ArrayBufferLike | ArrayBufferView): void;
  /** Starts the closing handshake with an optional close code and reason. */
  close(code?: number, reason?: string): void;
}

/** A constructor of {@link WebSocketLike} sockets, e.g. `WebSocket` or `ws`'s default export. */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
  /** Client options (`ws`'s third argument: headers, `maxPayload`…); browsers ignore it. */
  options?: object,
) => WebSocketLike;

/** `readyState` CONNECTING (the same in every implementation). */
export const CONNECTING = 0;
/** `readyState` OPEN. */
export const OPEN = 1;
/** `readyState` CLOSING. */
export const CLOSING = 2;
/** `readyState` CLOSED. */
export const CLOSED = 3;

/** `readyState` values, named (they are the same in every implementation). */
export const ReadyState = { Connecting: CONNECTING, Open: OPEN, Closing: CLOSING, Closed: CLOSED } as const;
