import { AsyncSubject } from 'rxjs';
import type { OutboxEntry, WriteWatcher } from '../outbox';
import type { Frame } from '../serializer';
import type { AckId } from './acked-send-options';

/**
 * One message of an acked sender, from `send()` until its ack, its timeout or the end of the
 * connection. `queued` while it sits in the offline buffer (never written); once written on a
 * link it is resent on every later one until it ends.
 */
export class PendingAck<In, Out> implements WriteWatcher {
  /** The offline buffer's entry while the message waits there; undefined once written. */
  queued: OutboxEntry<Out> | undefined = undefined;
  /** The frame written on later links (the `redeliver` form, made on the first resend). */
  again: Frame | undefined = undefined;
  /** What `send()` returned: the ack, or the error that ended the message. */
  readonly outcome = new AsyncSubject<In>();

  constructor(
    readonly id: AckId,
    readonly message: Out,
    readonly frame: Frame,
    readonly bytes: number,
    /** When it times out, on the scheduler's clock. */
    readonly deadline: number,
  ) {}

  /** The offline buffer wrote it: from now on it is resent on every new link. */
  written(): void {
    this.queued = undefined;
  }
}
