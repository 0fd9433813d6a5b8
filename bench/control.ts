/**
 * The control channel between the bench (main thread) and its ws server (a worker thread, or
 * a child process for `--scale`, so the server's work runs on another core and its heap and
 * file descriptors do not count against the client's).
 */

/** Main → server. Every command is answered by a {@link Ack} with the same `id`. */
export type ServerCommand =
  /**
   * Send `n` small JSON messages to every open client as fast as backpressure allows:
   * `{"sym","seq","price"}` ticks, or with `topics > 0`, `{"topic":"t:<seq % topics>","seq"}`.
   * With `bytes > 0`, every tick is padded (a `"pad"` string) to exactly `bytes` bytes.
   * A `Blasted` notice follows once all were written.
   */
  | { readonly cmd: 'blast'; readonly id: number; readonly n: number; readonly topics: number; readonly bytes: number }
  /** Count inbound frames from now on; a `Received` notice follows when `n` have arrived. */
  | { readonly cmd: 'expect'; readonly id: number; readonly n: number }
  /** While on, a frame containing {@link DROP_MARKER} makes the server terminate that socket. */
  | { readonly cmd: 'drop-mode'; readonly id: number; readonly on: boolean }
  /** Terminate every client (between runs). */
  | { readonly cmd: 'reset'; readonly id: number }
  /**
   * Stop listening and terminate every client (a `down` notice), then after `ms` listen again
   * on the same port (an `up` notice).
   */
  | { readonly cmd: 'outage'; readonly id: number; readonly ms: number }
  /** Reply with the TCP accept times since the last outage's `up` (an `accepts` notice), and stop logging them. */
  | { readonly cmd: 'accepts'; readonly id: number }
  /** Close the server; the worker then ends. */
  | { readonly cmd: 'stop'; readonly id: number };

/** A frame that contains this asks the server (in drop mode) to terminate the socket. */
export const DROP_MARKER = '"op":"drop"';

/**
 * The server's first message on every connection, sent as soon as the WebSocket handshake is
 * done: `{"hello": <TCP accept time>}`, the time on the shared clock of `clock.ts`, in ms.
 */
export interface Hello {
  readonly hello: number;
}

export function isHello(message: unknown): message is Hello {
  return typeof (message as Partial<Hello> | null)?.hello === 'number';
}

/** Server → main. */
export type ServerNotice =
  | { readonly event: 'listening'; readonly port: number }
  | Ack
  | { readonly event: 'blasted'; readonly id: number; readonly n: number }
  | { readonly event: 'received'; readonly id: number; readonly n: number }
  | { readonly event: 'dropped'; readonly total: number }
  /** The outage began (`at`: shared clock, ms); `clients` were terminated. */
  | { readonly event: 'down'; readonly id: number; readonly at: number; readonly clients: number }
  /** The server listens again (`at`: shared clock, ms). */
  | { readonly event: 'up'; readonly id: number; readonly at: number }
  /** TCP accept times (shared clock, ms) since the server came back up. */
  | { readonly event: 'accepts'; readonly id: number; readonly times: readonly number[] };

/** The answer to a command: it has been applied. */
export interface Ack {
  readonly event: 'ack';
  readonly id: number;
  /** Clients connected when the command was applied. */
  readonly clients: number;
}

/** A command without its `id` (the handle numbers them). */
export type CommandBody = ServerCommand extends infer C ? (C extends unknown ? Omit<C, 'id'> : never) : never;
