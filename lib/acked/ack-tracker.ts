import type { Observable, Subscription } from 'rxjs';
import { AckIdInUseError } from '../errors/ack-id-in-use-error';
import { AckTimeoutError } from '../errors/ack-timeout-error';
import { BufferOverflowError } from '../errors/buffer-overflow-error';
import { frameSize } from '../frame-size';
import { guarded, threw } from '../guard';
import type { Link } from '../connection/link';
import type { AckedHooks, AckHost } from './ack-host';
import type { AckedSender } from './acked-sender';
import type { AckId, AckedSendOptions } from './acked-send-options';
import { PendingAck } from './pending-ack';

/** {@link AckedSendOptions} with the defaults filled in. */
export type ResolvedAckedSendOptions<In, Out> = Required<Omit<AckedSendOptions<In, Out>, 'redeliver'>> &
  Pick<AckedSendOptions<In, Out>, 'redeliver'>;

/**
 * The acked send of one connection: its pending messages in the order they were accepted (a
 * `Map` by id keeps that order and finds an ack's message at once), their bounds, and one
 * timer for the oldest deadline (every message has the same timeout, so they expire in order).
 */
export class AckTracker<In, Out> implements AckedSender<In, Out>, AckedHooks<In, Out> {
  private readonly entries = new Map<AckId, PendingAck<In, Out>>();
  private bytes = 0;
  /** Fires at the oldest pending message's deadline (none while nothing is pending). */
  private timer: Subscription | undefined = undefined;

  constructor(
    private readonly host: AckHost<In, Out>,
    private readonly options: ResolvedAckedSendOptions<In, Out>,
  ) {
    (host.acked ??= []).push(this);
  }

  get pending(): number {
    return this.entries.size;
  }

  send(message: Out): Observable<In> {
    const { host, options } = this;
    host.requireOpen();
    const id = options.id(message);
    if (!isAckId(id)) throw new TypeError(`ackedSender: id(message) returned ${describe(id)}, not a string or a finite number`);
    if (this.entries.has(id)) throw new AckIdInUseError(id);
    const frame = host.encode(message);
    if (threw(frame)) throw frame.error; // what the serializer threw
    const bytes = frameSize(frame);
    if (this.entries.size + 1 > options.maxMessages) {
      throw new BufferOverflowError('maxMessages', options.maxMessages, this.entries.size, this.bytes, bytes, 'acked');
    }
    if (this.bytes + bytes > options.maxBytes) {
      throw new BufferOverflowError('maxBytes', options.maxBytes, this.entries.size, this.bytes, bytes, 'acked');
    }
    const entry = new PendingAck<In, Out>(id, message, frame, bytes, host.scheduler.now() + options.timeout);
    // Pending before it is written: whatever the write sets off finds it.
    this.entries.set(id, entry);
    this.bytes += bytes;
    try {
      entry.queued = host.accept(message, frame, entry);
    } catch (error) {
      this.forget(entry);
      throw error;
    }
    this.arm();
    return entry.outcome.asObservable();
  }

  resend(link: Link): boolean {
    for (const entry of this.entries.values()) {
      if (entry.queued !== undefined) continue; // never written: the offline buffer writes it
      const frame = entry.again ?? this.redeliverFrame(entry);
      if (frame === undefined) continue; // `redeliver` failed: that message has ended
      if (!link.write(frame) || link.phase !== 'restoring') return false;
    }
    return true;
  }

  delivered(message: In): void {
    const id = guarded(this.options.ackOf, message);
    if (threw(id)) {
      this.host.invalid(id.error, message);
      return;
    }
    if (id === undefined) return;
    const entry = this.entries.get(id);
    // An ack counts once its message was written: one still in the offline buffer was never sent.
    if (entry === undefined || entry.queued !== undefined) return;
    this.forget(entry);
    entry.outcome.next(message);
    entry.outcome.complete();
    this.host.channelsChanged();
  }

  unsent(): Out[] {
    const unsent: Out[] = [];
    for (const entry of this.entries.values()) if (entry.queued === undefined) unsent.push(entry.message);
    return unsent;
  }

  end(error: Error): void {
    const ended = [...this.entries.values()];
    this.entries.clear();
    this.bytes = 0;
    this.timer?.unsubscribe();
    this.timer = undefined;
    this.host.serial.deliver(() => {
      for (const entry of ended) entry.outcome.error(error);
    });
  }

  /** The frame a resend writes; undefined when `redeliver` (or serializing its result) failed. */
  private redeliverFrame(entry: PendingAck<In, Out>): string | ArrayBufferLike | ArrayBufferView | undefined {
    const redeliver = this.options.redeliver;
    if (redeliver === undefined) return (entry.again = entry.frame);
    const again = guarded(redeliver, entry.message);
    const frame = threw(again) ? again : this.host.encode(again);
    if (threw(frame)) {
      this.fail(entry, frame.error);
      return undefined;
    }
    return (entry.again = frame);
  }

  /** Ends `entry` with `error` (delivered after the work under way). */
  private fail(entry: PendingAck<In, Out>, error: unknown): void {
    this.forget(entry);
    if (entry.queued !== undefined) this.host.unqueue(entry.queued);
    this.host.serial.deliver(() => entry.outcome.error(error));
    this.host.channelsChanged();
  }

  private forget(entry: PendingAck<In, Out>): void {
    if (this.entries.get(entry.id) !== entry) return;
    this.entries.delete(entry.id);
    this.bytes -= entry.bytes;
    if (this.entries.size === 0) {
      this.timer?.unsubscribe();
      this.timer = undefined;
    }
  }

  /** Keeps a timer for the oldest deadline while anything is pending. */
  private arm(): void {
    if (this.timer !== undefined) return;
    const oldest = this.entries.values().next().value;
    if (oldest === undefined) return;
    const { scheduler, serial } = this.host;
    this.timer = scheduler.schedule(
      () => serial.run(() => this.expire()),
      Math.max(0, oldest.deadline - scheduler.now()),
    );
  }

  /** The timer fired: every message past its deadline ends with {@link AckTimeoutError}. */
  private expire(): void {
    this.timer = undefined;
    const now = this.host.scheduler.now();
    for (const entry of this.entries.values()) {
      if (entry.deadline > now) break;
      this.fail(entry, new AckTimeoutError(entry.id, this.options.timeout));
    }
    this.arm();
  }
}

function isAckId(id: unknown): id is AckId {
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeof value === 'number' ? String(value) : typeof value;
}
