import type { IPublishPacket, Packet } from 'mqtt-packet';
import type { PacketIds } from './packet-ids';

interface Entry {
  readonly packet: IPublishPacket;
  /** Written on some link: a later write is a retransmission and carries DUP. */
  written: boolean;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * QoS 1 publishes from PUBLISH to PUBACK. Each is written only while a link is up and restored,
 * with a control send that never buffers (`sendNow`), so this store alone decides what goes out
 * again: on every new link, after the subscriptions are restored, every publish not yet acked is
 * written again — with DUP if it was written before — in the order they were made. The core's
 * offline buffer is not used for them: it would send again what this store resends.
 */
export class InflightPublishes {
  /** Retransmissions (PUBLISH with DUP) written so far. */
  resent = 0;
  private online = false;
  private readonly entries = new Map<number, Entry>();

  constructor(
    /** Writes on the current link at once; false when no link is open. */
    private readonly write: (packet: Packet) => boolean,
    private readonly ids: PacketIds,
  ) {}

  /** QoS 1 publishes waiting for their PUBACK. */
  get size(): number {
    return this.entries.size;
  }

  /** Keeps a QoS 1 publish until its PUBACK, and writes it now if a link is up. Settles at PUBACK. */
  add(topic: string, payload: string | Buffer, retain: boolean): Promise<void> {
    const messageId = this.ids.hold();
    return new Promise<void>((resolve, reject) => {
      const entry: Entry = {
        packet: { cmd: 'publish', messageId, topic, payload, qos: 1, dup: false, retain },
        written: false,
        resolve,
        reject,
      };
      this.entries.set(messageId, entry);
      if (this.online) this.writeEntry(entry);
    });
  }

  /** A link is up and restored: write every publish not yet acked, oldest first. */
  resume(): void {
    this.online = true;
    for (const entry of this.entries.values()) {
      if (!this.writeEntry(entry)) return;
    }
  }

  /** The link is lost: keep everything for the next one. */
  pause(): void {
    this.online = false;
  }

  /** A PUBACK: the publish with that id is done. False for an id not in flight (a late duplicate). */
  ack(messageId: number): boolean {
    const entry = this.entries.get(messageId);
    if (!entry) return false;
    this.entries.delete(messageId);
    this.ids.release(messageId);
    entry.resolve();
    return true;
  }

  /** The connection is over: every publish still waiting fails with `error`. */
  abort(error: unknown): void {
    const entries = [...this.entries.values()];
    this.entries.clear();
    this.online = false;
    for (const entry of entries) {
      this.ids.release(entry.packet.messageId ?? 0);
      entry.reject(error);
    }
  }

  private writeEntry(entry: Entry): boolean {
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
