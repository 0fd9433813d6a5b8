import { BufferOverflowError } from './errors/buffer-overflow-error';
import type { BufferOptions } from './options';
import type { Frame } from './serializer';
import { frameSize } from './frame-size';

/** @internal Told when its buffered message is written (an acked send's pending message). */
export interface WriteWatcher {
  written(): void;
}

/** @internal A message accepted by `send()` while offline, kept with its serialized frame. */
export interface OutboxEntry<Out> {
  readonly message: Out;
  readonly frame: Frame;
  readonly bytes: number;
  /** Told when the flush writes it (acked sends); none for plain `send()`. */
  readonly watcher: WriteWatcher | undefined;
}

/**
 * The bounded offline send buffer: FIFO, limited in messages and bytes. `push` throws
 * {@link BufferOverflowError} instead of dropping anything.
 *
 * @internal
 */
export class Outbox<Out> {
  private queued: OutboxEntry<Out>[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly limits: Required<BufferOptions>) {}

  /** Messages waiting. */
  get size(): number {
    return this.queued.length - this.head;
  }

  /** Appends a message and returns its entry, or throws {@link BufferOverflowError} when a limit would be broken. */
  push(message: Out, frame: Frame, watcher?: WriteWatcher): OutboxEntry<Out> {
    const bytes = frameSize(frame);
    const broken =
      this.size + 1 > this.limits.maxMessages ? 'maxMessages' : this.bytes + bytes > this.limits.maxBytes ? 'maxBytes' : undefined;
    if (broken !== undefined) throw new BufferOverflowError(broken, this.limits[broken], this.size, this.bytes, bytes);
    const entry = { message, frame, bytes, watcher };
    this.queued.push(entry);
    this.bytes += bytes;
    return entry;
  }

  /** Takes `entry` out wherever it stands (an acked send that timed out), if it is here. */
  remove(entry: OutboxEntry<Out>): void {
    const index = this.queued.indexOf(entry, this.head);
    if (index < 0) return;
    this.queued.splice(index, 1);
    this.bytes -= entry.bytes;
  }

  /** Removes and returns the oldest entry (it is about to be written). */
  shift(): OutboxEntry<Out> | undefined {
    const entry = this.queued[this.head];
    if (!entry) return undefined;
    this.bytes -= entry.bytes;
    this.head++;
    if (this.head === this.queued.length) {
      this.queued = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queued.length) {
      this.queued = this.queued.slice(this.head);
      this.head = 0;
    }
    return entry;
  }

  /** Puts back an entry {@link shift} took but could not write: it is the oldest again. */
  restore(entry: OutboxEntry<Out>): void {
    if (this.head > 0) this.queued[--this.head] = entry;
    else this.queued.unshift(entry);
    this.bytes += entry.bytes;
  }

  /** Empties the buffer and returns its messages, oldest first. */
  drain(): Out[] {
    const messages = this.queued.slice(this.head).map((entry) => entry.message);
    this.queued = [];
    this.head = 0;
    this.bytes = 0;
    return messages;
  }
}
