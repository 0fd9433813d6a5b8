/**
 * MQTT packet identifiers (1–65 535) for SUBSCRIBE, UNSUBSCRIBE and QoS 1 PUBLISH. An id held by
 * a QoS 1 publish stays reserved until its PUBACK; SUBSCRIBE and UNSUBSCRIBE ids are fresh on
 * every send, so a stale SUBACK from an earlier link can never confirm a later subscribe.
 */
export class PacketIds {
  private last = 0;
  private readonly held = new Set<number>();

  /** The next id not held, after the last one given. Throws when all 65 535 are held. */
  next(): number {
    for (let tries = 0; tries < 0xffff; tries++) {
      this.last = (this.last % 0xffff) + 1;
      if (!this.held.has(this.last)) return this.last;
    }
    throw new RangeError('No free MQTT packet id: 65535 QoS 1 publishes are waiting for PUBACK');
  }

  /** The next id, reserved until {@link release}. */
  hold(): number {
    const id = this.next();
    this.held.add(id);
    return id;
  }

  /** Frees an id reserved with {@link hold}. */
  release(id: number): void {
    this.held.delete(id);
  }
}
