import type { SchedulerLike } from 'rxjs';
import type { Thrown } from '../guard';
import type { Link } from '../connection/link';
import type { Serial } from '../connection/serial';
import type { OutboxEntry, WriteWatcher } from '../outbox';
import type { Frame } from '../serializer';

/**
 * @internal What an acked sender does at the connection's turning points. The connection
 * holds only this interface: the acked send itself (lib/acked) stays out of bundles that do
 * not use it.
 */
export interface AckedHooks<In, Out> {
  /** Messages waiting for an ack (a lazy connection needs a link while there are some). */
  readonly pending: number;
  /**
   * A new link is restored (after `SubscriptionsRestored`, before the offline buffer): every
   * message written on an earlier link and not acked is written again, oldest first. False
   * when a write failed or the link ended meanwhile.
   */
  resend(link: Link): boolean;
  /** An inbound message is being delivered: an ack ends its message. */
  delivered(message: In): void;
  /** The connection is ending: the written, never-acked messages, oldest first (`Closed.unsent`). */
  unsent(): Out[];
  /** After `Closed`: every pending message's Observable errors with `ConnectionClosedError`. */
  end(error: Error): void;
}

/** @internal What an acked sender needs from its connection (a `ReconnectingConnection`). */
export interface AckHost<In, Out> {
  readonly scheduler: SchedulerLike;
  readonly serial: Serial;
  /** Throws `ConnectionClosedError` once the connection has ended. */
  requireOpen(): void;
  /** Serializes `message`, a throw as a {@link Thrown}. */
  encode(message: Out): Frame | Thrown;
  /** Writes `frame` on the live link, or buffers it (the entry is returned); throws as `send()` does. */
  accept(message: Out, frame: Frame, watcher: WriteWatcher): OutboxEntry<Out> | undefined;
  /** Takes a buffered entry out of the offline buffer. */
  unqueue(entry: OutboxEntry<Out>): void;
  /** Reports an inbound message a user function failed on (`InvalidMessage`). */
  invalid(error: unknown, data: unknown): void;
  /** The acked senders' hooks: each registers itself here (the array is made by the first). */
  acked: AckedHooks<In, Out>[] | undefined;
  /** Something that needs a link changed (`lazy`). */
  channelsChanged(): void;
}
