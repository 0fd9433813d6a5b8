import type { IPublishPacket, Packet } from 'mqtt-packet';
import type { PacketIds } from './packet-ids';

/** Default of {@link InflightPublishes}' QoS 2 window: mosquitto's default `max_inflight_messages`. */
export const DEFAULT_MAX_INFLIGHT_QOS2 = 20;

interface Entry {
  readonly packet: IPublishPacket;
  /** QoS 2 after PUBREC: what is owed is the PUBREL (the PUBLISH is never sent again). */
  released: boolean;
  /** Written on some link: a later write of the PUBLISH is a retransmission and carries DUP. */
  written: boolean;
  /** May be written: QoS 1 always, QoS 2 once it has a place in the window. */
  admitted: boolean;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * QoS 1 publishes from PUBLISH to PUBACK, QoS 2 from PUBLISH through PUBREC and PUBREL to
 * PUBCOMP. Each is written only while a link is up and restored, with a control send that never
 * buffers (`sendNow`), so this store alone decides what goes out again: on every new link, after
 * the subscriptions are restored, every publish not yet acked is written again — the PUBLISH with
 * DUP if it was written before, or, for a QoS 2 publish whose PUBREC came, its PUBREL (MQTT
 * 3.1.1 §4.4) — in the order they were made. The core's offline buffer is not used for them: it
 * would send again what this store resends.
 *
 * At most `maxQos2` QoS 2 publishes are written and not yet completed; later ones wait, unwritten,
 * for a place. mosquitto holds a 3.1.1 client's QoS 2 PUBLISH until its PUBREL and accepts at
 * most `max_inflight_messages` (20 by default) so held: beyond that it answers PUBREC and drops
 * the message (its log says `rc151`, quota exceeded), which a 3.1.1 client cannot see. A burst of
 * QoS 2 publishes resent after a reconnect would lose all but 20 of them.
 */
export class InflightPublishes {
  /** Retransmissions (PUBLISH with DUP) written so far. */
  resent = 0;
  private online = false;
  private readonly entries = new Map<number, Entry>();
  /** QoS 2 entries admitted (in the window), until their PUBCOMP. */
  private admittedQos2 = 0;

  constructor(
    /** Writes on the current link at once; false when no link is open. */
    private readonly write: (packet: Packet) => boolean,
    private readonly ids: PacketIds,
    /** QoS 2 publishes that may be written and not yet completed at once. */
    private readonly maxQos2 = DEFAULT_MAX_INFLIGHT_QOS2,
  ) {}

  /** QoS 1 and 2 publishes waiting for their PUBACK or PUBCOMP. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Keeps a QoS 1 or 2 publish until its PUBACK or PUBCOMP, and writes it now if a link is up.
   * Settles then.
   */
  add(topic: string, payload: string | Buffer, retain: boolean, qos: 1 | 2 = 1): Promise<void> {
    const messageId = this.ids.hold();
    return new Promise<void>((resolve, reject) => {
      const entry: Entry = {
        packet: { cmd: 'publish', messageId, topic, payload, qos, dup: false, retain },
        released: false,
        written: false,
        admitted: qos === 1 || this.admittedQos2 < this.maxQos2,
        resolve,
        reject,
      };
      if (qos === 2 && entry.admitted) this.admittedQos2++;
      this.entries.set(messageId, entry);
      if (this.online && entry.admitted) this.writeEntry(entry);
    });
  }

  /** A link is up and restored: write every publish not yet acked, oldest first. */
  resume(): void {
    this.online = true;
    for (const entry of this.entries.values()) {
      if (entry.admitted && !this.writeEntry(entry)) return;
    }
  }

  /** The link is lost: keep everything for the next one. */
  pause(): void {
    this.online = false;
  }

  /** A PUBACK: the QoS 1 publish with that id is done. False for an id not in flight (a late duplicate). */
  ack(messageId: number): boolean {
    const entry = this.entries.get(messageId);
    if (!entry || entry.packet.qos !== 1) return false;
    return this.settle(entry);
  }

  /**
   * A PUBREC: the broker has the QoS 2 publish with that id; its PUBREL is written now (and on
   * every new link until PUBCOMP). A PUBREC for an id not waiting for one (a duplicate) is
   * answered with PUBREL too (§4.3.3: the broker only needs its PUBCOMP). False then.
   */
  received(messageId: number): boolean {
    const entry = this.entries.get(messageId);
    const known = entry !== undefined && entry.packet.qos === 2 && !entry.released;
    if (known) entry.released = true;
    if (this.online && !this.write({ cmd: 'pubrel', messageId })) this.online = false;
    return known;
  }

  /** A PUBCOMP: the QoS 2 publish with that id is done. False for an id not released. */
  complete(messageId: number): boolean {
    const entry = this.entries.get(messageId);
    if (!entry || !entry.released) return false;
    return this.settle(entry);
  }

  private settle(entry: Entry): boolean {
    const messageId = entry.packet.messageId!;
    this.entries.delete(messageId);
    this.ids.release(messageId);
    if (entry.packet.qos === 2) {
      this.admittedQos2--;
      this.admitNext();
    }
    entry.resolve();
    return true;
  }

  /** A place in the QoS 2 window is free: the oldest waiting QoS 2 publish takes it. */
  private admitNext(): void {
    for (const entry of this.entries.values()) {
      if (entry.admitted) continue;
      entry.admitted = true;
      this.admittedQos2++;
      if (this.online) this.writeEntry(entry);
      return;
    }
  }

  /** The connection is over: every publish still waiting fails with `error`. */
  abort(error: unknown): void {
    const entries = [...this.entries.values()];
    this.entries.clear();
    this.admittedQos2 = 0;
    this.online = false;
    for (const entry of entries) {
      this.ids.release(entry.packet.messageId ?? 0);
      entry.reject(error);
    }
  }

  private writeEntry(entry: Entry): boolean {
    if (entry.released) {
      if (this.write({ cmd: 'pubrel', messageId: entry.packet.messageId! })) return true;
      this.online = false;
      return false;
    }
    const packet = entry.written ? { ...entry.packet, dup: true } : entry.packet;
    if (!this.write(packet)) {
      this.online = false;
      return false;
    }
    if (entry.written) this.resent++;
    entry.written = true;
    return true;
  }
}
