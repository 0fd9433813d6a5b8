import type { SchedulerLike } from 'rxjs';
import type { DisconnectError } from '../errors/disconnect-error';
import type { Thrown } from '../guard';
import type { MessageCodec } from '../codec/message-codec';
import type { HandshakeOptions, HeartbeatOptions } from '../options';
import type { TransportOption } from '../options/transport-options';
import type { Frame } from '../serializer';
import type { WebSocketConstructor } from '../transport/websocket-like';
import type { UrlPool } from '../url-pool';
import type { Link } from './link';
import type { Serial } from './serial';

/** @internal What a link needs from the connection that owns it. */
export interface LinkHost {
  readonly scheduler: SchedulerLike;
  readonly serial: Serial;
  readonly WebSocketImpl: WebSocketConstructor;
  readonly protocols: string | string[] | undefined;
  readonly connectTimeout: number;
  readonly heartbeat: HeartbeatOptions<unknown, unknown> | false | 'default';
  /** An attempt starts now, on `link`: the connection's link of the moment. Returns the attempt's number. */
  beginAttempt(link: Link): number;
  /** The servers: `pick()` gives this attempt's (a URL, or a promise of one from a factory; may throw). */
  readonly pool: UrlPool;
  /** The `transport` option: client options for the socket, or a factory of them (its result may be a promise; it may throw). */
  readonly transport: TransportOption | undefined;
  /** The attempt is about to open a socket to `url`. */
  connecting(link: Link, url: string): void;
  /** Messages to and from frames: the link makes its decoder with it once its socket is open. */
  readonly codec: MessageCodec<unknown, unknown>;
  /** An inbound frame (called inside the connection's queue). */
  frame(link: Link, data: unknown): void;
  /** The application-level ping frame of `heartbeat`, whose `message` is set (may throw). */
  pingFrame(heartbeat: HeartbeatOptions<unknown, unknown>): Frame;
  /** The link, once up, is lost (its attempt loop is over: the host starts the next one). */
  lost(link: Link, error: DisconnectError): void;
  // ---- The link-up sequence's steps, as the connection performs them
  /** The `handshake` option, resolved (its `timeout` filled in), if any. */
  readonly handshake: (HandshakeOptions<unknown, unknown> & { timeout: number }) | undefined;
  /** Serializes a message of ours (guarded). */
  encode(message: unknown): Frame | Thrown;
  /** Emits `Connected` or `Reconnected`; returns true when channels are being restored. */
  announce(link: Link): boolean;
  /** Sends every channel's `subscribe` on the link; `done(count)` once every ack is in. */
  replay(link: Link, restoring: boolean, done: (count: number) => void): void;
  /** Emits `SubscriptionsRestored{count}`. */
  restored(count: number): void;
  /** Writes the offline buffer to the link, oldest first, and makes the link live. */
  flush(link: Link): void;
}
