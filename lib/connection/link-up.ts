import type { SchedulerLike } from 'rxjs';
import type { Thrown } from '../guard';
import type { HandshakeOptions } from '../options';
import type { Frame } from '../serializer';
import { Handshake } from './handshake';
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
 * flush. Every step checks that the unit is still current, so a link that ends (or a
 * `close()`) at any point stops the rest, including steps waiting for an ack or a promise.
 *
 * @internal
 */
export class LinkUp<In, Out> {
  private cancelled = false;
  private readonly handshake: Handshake<In, Out> | undefined;

  constructor(
    private readonly link: Link,
    private readonly host: LinkUpHost<Out>,
    handshake: (HandshakeOptions<In, Out> & { timeout: number }) | undefined,
  ) {
    this.handshake = handshake
      ? new Handshake(link, handshake, (message) => host.encode(message), host.scheduler, host.serial, () =>
          this.linkOpen(),
        )
      : undefined;
  }

  /** Starts the sequence (the socket has just opened). */
  start(): void {
    if (this.handshake) this.handshake.start();
    else this.linkOpen();
  }

  /** A message while the handshake is pending goes to its `ack`. */
  received(message: In): void {
    this.handshake?.received(message);
  }

  /** The link ended or the connection closed: nothing more happens. */
  cancel(): void {
    this.cancelled = true;
    this.handshake?.cancel();
  }

  private linkOpen(): void {
    if (this.cancelled || this.link.phase !== 'handshake') return;
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
    return !this.cancelled && this.link.phase === 'restoring';
  }
}
