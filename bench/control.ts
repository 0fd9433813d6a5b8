/**
 * The control channel between the bench (main thread) and its ws server (a worker thread,
 * so the server's work runs on another core and does not distort client-side numbers).
 */

/** Main → server. Every command is answered by a {@link Ack} with the same `id`. */
export type ServerCommand =
  /**
   * Send `n` small JSON messages to every open client as fast as backpressure allows:
   * `{"sym","seq","price"}` ticks, or with `topics > 0`, `{"topic":"t:<seq % topics>","seq"}`.
   * A `Blasted` notice follows once all were written.
   */
  | { readonly cmd: 'blast'; readonly id: number; readonly n: number; readonly topics: number }
  /** Count inbound frames from now on; a `Received` notice follows when `n` have arrived. */
  | { readonly cmd: 'expect'; readonly id: number; readonly n: number }
  /** While on, a frame containing {@link DROP_MARKER} makes the server terminate that socket. */
  | { readonly cmd: 'drop-mode'; readonly id: number; readonly on: boolean }
  /** Terminate every client (between runs). */
  | { readonly cmd: 'reset'; readonly id: number }
  /** Close the server; the worker then ends. */
  | { readonly cmd: 'stop'; readonly id: number };

/** A frame that contains this asks the server (in drop mode) to terminate the socket. */
export const DROP_MARKER = '"op":"drop"';

/** Server → main. */
export type ServerNotice =
  | { readonly event: 'listening'; readonly port: number }
  | Ack
  | { readonly event: 'blasted'; readonly id: number; readonly n: number }
  | { readonly event: 'received'; readonly id: number; readonly n: number }
  | { readonly event: 'dropped'; readonly total: number };

/** The answer to a command: it has been applied. */
export interface Ack {
  readonly event: 'ack';
  readonly id: number;
  /** Clients connected when the command was applied. */
  readonly clients: number;
}

/** A command without its `id` (the handle numbers them). */
export type CommandBody = ServerCommand extends infer C ? (C extends unknown ? Omit<C, 'id'> : never) : never;
