import type { SchedulerLike, Subscription } from 'rxjs';
import { DisconnectError } from './errors/disconnect-error';
import type { Link } from './link';
import type { HandshakeOptions } from './options';
import type { Frame } from './serializer';

/**
 * The handshake of one link: sends `handshake.message` (awaiting it when it is a promise),
 * then waits for `handshake.ack`. It fails the link on a timeout or a throwing message, and
 * fatally when `ack` returns an `Error`. Calls `done` once, when the link may be used.
 */
export class Handshake<In, Out> {
  private timer: Subscription | undefined;
  private settled = false;

  constructor(
    /** The link being opened. */
    readonly link: Link,
    private readonly options: HandshakeOptions<In, Out> & { timeout: number },
    private readonly serialize: (message: Out) => Frame,
    private readonly scheduler: SchedulerLike,
    private readonly done: (link: Link) => void,
  ) {}

  /** Starts the timeout and sends the message (kept apart from the constructor: it may finish at once). */
  start(): void {
    const { timeout } = this.options;
    this.timer = this.scheduler.schedule(
      () => this.fail(new DisconnectError('timeout', { message: `handshake not done within ${timeout} ms` })),
      timeout,
    );
    let message: Out | Promise<Out>;
    try {
      message = this.options.message();
    } catch (error) {
      this.failWith(error);
      return;
    }
    if (isPromiseLike(message)) message.then((resolved) => this.send(resolved), (error: unknown) => this.failWith(error));
    else this.send(message);
  }

  /** An inbound message while the handshake is pending: is it the ack? */
  received(message: In): void {
    if (this.settled || !this.options.ack) return;
    let verdict: boolean | Error;
    try {
      verdict = this.options.ack(message);
    } catch (error) {
      this.failWith(error);
      return;
    }
    if (verdict === true) this.finish();
    else if (verdict instanceof Error) {
      this.fail(new DisconnectError('fatal', { cause: verdict, message: `handshake rejected: ${verdict.message}` }));
    }
  }

  /** The link is gone or the connection closed: stop waiting. */
  cancel(): void {
    this.settled = true;
    this.timer?.unsubscribe();
  }

  private send(message: Out): void {
    if (this.settled) return;
    let frame: Frame;
    try {
      frame = this.serialize(message);
    } catch (error) {
      this.failWith(error);
      return;
    }
    if (!this.link.canSend()) return; // the link is closing: its close event will fail the attempt
    this.link.send(frame);
    if (!this.options.ack) this.finish();
  }

  private finish(): void {
    this.cancel();
    this.done(this.link);
  }

  private failWith(error: unknown): void {
    this.fail(new DisconnectError('error', { cause: error, message: 'handshake message failed' }));
  }

  private fail(error: DisconnectError): void {
    if (this.settled) return;
    this.cancel();
    this.link.fail(error);
  }
}

/** True for a promise (or any thenable). */
export function isPromiseLike<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
