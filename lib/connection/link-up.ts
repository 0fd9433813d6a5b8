import type { SchedulerLike, Subscription } from 'rxjs';
import { DisconnectError } from '../errors/disconnect-error';
import { guarded, settleUserValue, threw, type Thrown } from '../guard';
import type { HandshakeOptions } from '../options';
import type { Frame } from '../serializer';
import type { Link } from './link';
import type { Serial } from './serial';

/** @internal The steps of a link-up sequence, as the connection performs them. */
export interface LinkUpHost<Out> {
  readonly scheduler: SchedulerLike;
  readonly serial: Serial;
  /** Serializes a message of ours (guarded). */
  encode(message: Out): Frame | Thrown;
  /** Emits `Connected` or `Reconnected`; returns true when channels are being restored. */
  announce(link: Link): boolean;
  /** Sends every channel's `subscribe` on the link; `done(count)` once every ack is in. */
  replay(link: Link, restoring: boolean, done: (count: number) => void): void;
  /** Emits `SubscriptionsRestored{count}`. */
  restored(count: number): void;
  /** Writes the offline buffer to the link, oldest first, and makes the link live. */
  flush(link: Link): void;
}

/**
 * What happens between a socket opening and the link being live, as one cancellable unit:
 * handshake → `Connected`/`Reconnected` → channel replay → acks → `SubscriptionsRestored` →
 * flush. Every step checks that its link is still in the phase the step expects, so a link
 * that ends (or a `close()`, which ends it) at any point stops the rest, including steps
 * waiting for an ack or a promise.
 *
 * The handshake (when there is one) sends `handshake.message` (awaiting it when it is a
 * promise), then waits for `handshake.ack`. While it waits, every frame goes to `ack`
 * (heartbeat pongs are not recognised yet). It fails the link on a timeout or a throwing
 * message, and fatally when `ack` returns an `Error`.
 *
 * @internal
 */
export class LinkUp<In, Out> {
  /** The handshake is over (done, failed or cancelled): it sends and decides nothing more. */
  private settled = false;
  /** The handshake's timeout, while it runs. */
  private timer: Subscription | undefined = undefined;

  constructor(
    private readonly link: Link,
    private readonly host: LinkUpHost<Out>,
    private readonly handshake: (HandshakeOptions<In, Out> & { timeout: number }) | undefined,
  ) {}

  /** Starts the sequence (the socket has just opened): the handshake's timeout and message, or the link-up. */
  start(): void {
    const handshake = this.handshake;
    if (!handshake) {
      this.linkOpen();
      return;
    }
    const { timeout } = handshake;
    const { serial } = this.host;
    this.timer = this.host.scheduler.schedule(
      () =>
        serial.run(() => this.fail(new DisconnectError('timeout', { message: `handshake not done within ${timeout} ms` }))),
      timeout,
    );
    const message = guarded(handshake.message, undefined, handshake);
    if (threw(message)) this.failWith(message.error);
    else {
      settleUserValue(
        message,
        (resolved) => serial.run(() => this.send(resolved as Out)),
        (error) => serial.run(() => this.failWith(error)),
      );
    }
  }

  /** A message while the handshake is pending goes to its `ack`: is it the ack? */
  received(message: In): void {
    const handshake = this.handshake;
    if (this.settled || !handshake?.ack) return;
    const verdict = guarded<unknown, AckVerdict>(ackVerdict, message, handshake);
    if (threw(verdict)) this.failWith(verdict.error);
    else if (verdict === true) this.handshakeDone();
    else if (verdict !== false) {
      this.fail(new DisconnectError('fatal', { cause: verdict.refusal, message: `handshake rejected: ${verdict.text}` }));
    }
  }

  /**
   * The handshake stops waiting (done, failed, or its link forgotten by the connection, which
   * then ends it: the steps after the handshake stop on the link's phase).
   */
  cancel(): void {
    this.settled = true;
    this.timer?.unsubscribe();
  }

  private send(message: Out): void {
    if (this.settled) return;
    const frame = this.host.encode(message);
    if (threw(frame)) {
      this.failWith(frame.error);
      return;
    }
    // A link that cannot take it is closing: its close event fails the attempt.
    if (!this.link.write(frame)) return;
    if (!this.handshake!.ack) this.handshakeDone();
  }

  private handshakeDone(): void {
    if (this.settled) return;
    this.cancel();
    this.linkOpen();
  }

  private failWith(error: unknown): void {
    this.fail(new DisconnectError('error', { cause: error, message: 'handshake message failed' }));
  }

  private fail(error: DisconnectError): void {
    if (this.settled) return;
    this.cancel();
    this.link.fail(error);
  }

  private linkOpen(): void {
    if (this.link.phase !== 'handshake') return;
    this.link.up();
    const restoring = this.host.announce(this.link);
    if (!this.current()) return;
    this.host.replay(this.link, restoring, (count) => {
      if (!this.current()) return;
      if (restoring) this.host.restored(count);
      // The buffer goes out once the all-clear has reached every subscriber: what a handler
      // sends meanwhile is buffered behind it, and a handler that closes keeps it in `unsent`.
      this.host.serial.deliver(() =>
        this.host.serial.run(() => {
          if (this.current()) this.host.flush(this.link);
        }),
      );
    });
  }

  private current(): boolean {
    return this.link.phase === 'restoring';
  }
}

/**
 * `ack`'s verdict on a message, read inside the guard (an `Error` result is user data: its
 * `instanceof` and its `message` getter may throw): true, false, or a rejection.
 */
function ackVerdict(this: HandshakeOptions<unknown, unknown>, message: unknown): AckVerdict {
  const verdict: unknown = this.ack!(message);
  if (verdict === true) return true;
  return verdict instanceof Error ? { refusal: verdict, text: String(verdict.message) } : false;
}

/** @internal True (acked), false (not this message), or the server's refusal. */
type AckVerdict = boolean | { readonly refusal: Error; readonly text: string };
