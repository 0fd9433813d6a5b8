import type { IPublishPacket, Packet } from 'mqtt-packet';
import type { Observable } from 'rxjs';
import { ackedSender, type AckedSender, type Connection } from '../../lib';
import type { PacketIds } from './packet-ids';

/** Default of {@link InflightOptions.maxQos2}: mosquitto's default `max_inflight_messages`. */
export const DEFAULT_MAX_INFLIGHT_QOS2 = 20;

/** The longest timer `setTimeout` keeps (about 24.8 days): a PUBREL is never given up. */
const NEVER_MS = 2 ** 31 - 1;

/** Options of {@link InflightPublishes}. */
export interface InflightOptions {
  /**
   * Ms from `publish()` to the PUBACK (QoS 1) or PUBREC (QoS 2) before it fails with the
   * core's `AckTimeoutError` and is no longer resent.
   * @default the core's acked send: 30000
   */
  timeout?: number;
  /** QoS 2 publishes written and not yet completed (PUBCOMP) at once. @default 20 */
  maxQos2?: number;
}

/** A QoS 2 publish waiting for a place in the window. */
interface Waiting {
  readonly packet: IPublishPacket;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * QoS 1 and 2 publishes on the core's acked send (`ackedSender`): each PUBLISH is kept until
 * its PUBACK (QoS 1) or PUBREC (QoS 2) and written again, with DUP, on every new link after the
 * subscriptions are restored and before the offline buffer; a QoS 2 publish then hands its
 * PUBREL to a second acked sender, kept (never timed out) until PUBCOMP and resent the same
 * way (MQTT 3.1.1 §4.4). Offline, a publish waits in the core's offline buffer in order with
 * QoS 0 ones. Packet ids stay here: an id is held from `publish()` until the exchange ends, so
 * none is reused while the broker may still answer it.
 *
 * At most `maxQos2` QoS 2 publishes are written and not yet completed; later ones wait,
 * unwritten (their timeout not started), for a place. mosquitto holds a 3.1.1 client's QoS 2
 * PUBLISH until its PUBREL and accepts at most `max_inflight_messages` (20 by default) so held:
 * beyond that it answers PUBREC and drops the message (its log says `rc151`, quota exceeded),
 * which a 3.1.1 client cannot see. A burst of QoS 2 publishes resent after a reconnect would
 * lose all but 20 of them.
 */
export class InflightPublishes {
  private readonly publishes: AckedSender<Packet, Packet>;
  private readonly releases: AckedSender<Packet, Packet>;
  /** QoS 2 publishes written (in the window), by packet id: waiting for PUBREC, then PUBCOMP. */
  private readonly qos2 = new Map<number, 'publish' | 'release'>();
  private readonly waiting: Waiting[] = [];
  private readonly maxQos2: number;
  private open = 0;
  private redelivered = 0;
  private admitting = false;

  constructor(
    conn: Connection<Packet, Packet>,
    private readonly ids: PacketIds,
    options: InflightOptions = {},
  ) {
    this.maxQos2 = options.maxQos2 ?? DEFAULT_MAX_INFLIGHT_QOS2;
    this.publishes = ackedSender(conn, {
      id: (packet) => packet.messageId!,
      ackOf: (packet) => (packet.cmd === 'puback' || packet.cmd === 'pubrec' ? packet.messageId : undefined),
      redeliver: (packet) => {
        this.redelivered++;
        return { ...(packet as IPublishPacket), dup: true };
      },
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    });
    this.releases = ackedSender(conn, {
      id: (packet) => packet.messageId!,
      ackOf: (packet) => (packet.cmd === 'pubcomp' ? packet.messageId : undefined),
      timeout: NEVER_MS,
    });
  }

  /** QoS 1 and 2 publishes not yet completed (waiting for a place, for PUBACK, PUBREC or PUBCOMP). */
  get size(): number {
    return this.open;
  }

  /** Publishes written again with DUP on a later link (each counted once, however many links). */
  get resent(): number {
    return this.redelivered;
  }

  /**
   * Publishes at QoS 1 or 2; settles at PUBACK or PUBCOMP. Rejects with what the core's acked
   * send threw or errored with (`BufferOverflowError`, `AckTimeoutError`, `ConnectionClosedError`).
   */
  add(topic: string, payload: string | Buffer, retain: boolean, qos: 1 | 2): Promise<void> {
    let messageId: number;
    try {
      messageId = this.ids.hold();
    } catch (error) {
      return Promise.reject(error);
    }
    const packet: IPublishPacket = { cmd: 'publish', messageId, topic, payload, qos, dup: false, retain };
    this.open++;
    return new Promise<void>((resolve, reject) => {
      const entry: Waiting = { packet, resolve, reject };
      if (qos === 1) this.acked(entry, () => this.publishes.send(packet));
      else if (this.qos2.size < this.maxQos2) this.start(entry);
      else this.waiting.push(entry);
    });
  }

  /**
   * A PUBREC the acked send did not take (its publish already released, timed out or unknown):
   * answered with PUBREL at once when it is no QoS 2 publish of ours (§4.3.3: the broker waits
   * for it); a duplicate PUBREC of one of ours is ignored, its PUBREL is kept and resent.
   */
  strayPubrec(messageId: number): Packet | undefined {
    return this.qos2.has(messageId) ? undefined : { cmd: 'pubrel', messageId };
  }

  /** The connection is over: QoS 2 publishes still waiting for a place fail with `error`. */
  abort(error: unknown): void {
    for (const entry of this.waiting.splice(0)) this.finish(entry, error);
  }

  /** A QoS 2 publish takes a place: PUBLISH until PUBREC, then PUBREL until PUBCOMP. */
  private start(entry: Waiting): void {
    const messageId = entry.packet.messageId!;
    this.qos2.set(messageId, 'publish');
    let released = false;
    const fail = (error: unknown): void => {
      this.qos2.delete(messageId);
      this.finish(entry, error);
      this.admitNext();
    };
    const published = this.sendOrFail(() => this.publishes.send(entry.packet), fail);
    published?.subscribe({
      next: () => {
        released = true;
        this.qos2.set(messageId, 'release');
        const completed = this.sendOrFail(() => this.releases.send({ cmd: 'pubrel', messageId }), fail);
        completed?.subscribe({
          complete: () => {
            this.qos2.delete(messageId);
            this.finish(entry, undefined);
            this.admitNext();
          },
          error: fail,
        });
      },
      error: (error: unknown) => {
        if (!released) fail(error);
      },
    });
  }

  /** QoS 1: the PUBLISH until PUBACK. */
  private acked(entry: Waiting, send: () => Observable<Packet>): void {
    this.sendOrFail(send, (error) => this.finish(entry, error))?.subscribe({
      complete: () => this.finish(entry, undefined),
      error: (error: unknown) => this.finish(entry, error),
    });
  }

  /** `send()`, or undefined after `fail` with what it threw (the message was not accepted). */
  private sendOrFail(send: () => Observable<Packet>, fail: (error: unknown) => void): Observable<Packet> | undefined {
    try {
      return send();
    } catch (error) {
      fail(error);
      return undefined;
    }
  }

  /** Places are free: the oldest waiting QoS 2 publishes take them (a loop, not a recursion). */
  private admitNext(): void {
    if (this.admitting) return;
    this.admitting = true;
    try {
      while (this.waiting.length > 0 && this.qos2.size < this.maxQos2) this.start(this.waiting.shift()!);
    } finally {
      this.admitting = false;
    }
  }

  /** The exchange is over: the id is free again, the promise settles. */
  private finish(entry: Waiting, error: unknown): void {
    this.ids.release(entry.packet.messageId!);
    this.open--;
    if (error === undefined) entry.resolve();
    else entry.reject(error);
  }
}
