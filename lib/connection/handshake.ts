import type { SchedulerLike, Subscription } from 'rxjs';
import { DisconnectError } from '../errors/disconnect-error';
import { guarded, settleUserValue, threw, type Thrown } from '../guard';
import type { HandshakeOptions } from '../options';
import type { Frame } from '../serializer';
import type { Link } from './link';
import type { Serial } from './serial';

/**
 * The handshake of one link: sends `handshake.message` (awaiting it when it is a promise),
 * then waits for `handshake.ack`. While it waits, every frame goes to `ack` (heartbeat pongs
 * are not recognised yet). It fails the link on a timeout or a throwing message, and fatally
 * when `ack` returns an `Error`. Calls `done` once, when the link may be used.
 *
 * @internal
 */
export class Handshake<In, Out> {
  private timer: Subscription | undefined = undefined;
  private settled = false;

  constructor(
    private readonly link: Link,
    private readonly options: HandshakeOptions<In, Out> & { timeout: number },
    private readonly encode: (message: Out) => Frame | Thrown,
    private readonly scheduler: SchedulerLike,
    private readonly serial: Serial,
    private readonly done: () => void,
  ) {}

  /** Starts the timeout and sends the message (kept apart from the constructor: it may finish at once). */
  start(): void {
    const { timeout } = this.options;
    this.timer = this.scheduler.schedule(
      () =>
        this.serial.run(() =>
          this.fail(new DisconnectError('timeout', { message: `handshake not done within ${timeout} ms` })),
        ),
      timeout,
    );
    const message = guarded(this.options.message, undefined, this.options);
    if (threw(message)) this.failWith(message.error);
    else {
      settleUserValue(
        message,
        (resolved) => this.serial.run(() => this.send(resolved as Out)),
        (error) => this.serial.run(() => this.failWith(error)),
      );
    }
  }

  /** An inbound message while the handshake is pending: is it the ack? */
  received(message: In): void {
    if (this.settled || !this.options.ack) return;
    const verdict = guarded<unknown, AckVerdict>(ackVerdict, message, this.options);
    if (threw(verdict)) this.failWith(verdict.error);
    else if (verdict === true) this.finish();
    else if (verdict !== false) {
      this.fail(new DisconnectError('fatal', { cause: verdict.refusal, message: `handshake rejected: ${verdict.text}` }));
    }
  }

  /** The link is gone or the connection closed: stop waiting. */
  cancel(): void {
    this.settled = true;
    this.timer?.unsubscribe();
  }

  private send(message: Out): void {
    if (this.settled) return;
    const frame = this.encode(message);
    if (threw(frame)) {
      this.failWith(frame.error);
      return;
    }
    // A link that cannot take it is closing: its close event fails the attempt.
    if (!this.link.write(frame)) return;
    if (!this.options.ack) this.finish();
  }

  private finish(): void {
    if (this.settled) return;
    this.cancel();
    this.done();
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

/**
 * `ack`'s verdict on a message, read inside the guard (an `Error` result is user data: its
 * `instanceof` and its `message` getter may throw): true, false, or a rejection.
 */
function ackVerdict(
  this: HandshakeOptions<unknown, unknown>,
  message: unknown,
): AckVerdict {
  const verdict: unknown = this.ack!(message);
  if (verdict === true) return true;
  return verdict instanceof Error ? { refusal: verdict, text: String(verdict.message) } : false;
}

/** @internal True (acked), false (not this message), or the server's refusal. */
type AckVerdict = boolean | { readonly refusal: Error; readonly text: string };
