/**
 * Inbound QoS 2 (MQTT 3.1.1 §4.3.3, the receiver's side): a PUBLISH is delivered when it first
 * arrives and its packet id is kept, answered with PUBREC, until the broker's PUBREL (answered
 * with PUBCOMP). A PUBLISH with an id still kept — the broker's retransmission with DUP after a
 * reconnect, its PUBREC lost — is answered with PUBREC again and not delivered twice.
 *
 * The ids belong to the broker's session: they survive a reconnect that finds the session
 * (CONNACK `sessionPresent`) and are forgotten when it does not ({@link reset}).
 */
export class InboundQos2 {
  private readonly pending = new Set<number>();

  /** PUBLISH packets received and not yet released by PUBREL. */
  get size(): number {
    return this.pending.size;
  }

  /** A QoS 2 PUBLISH with `messageId` arrived: true the first time (deliver it), false for a retransmission. */
  receive(messageId: number): boolean {
    if (this.pending.has(messageId)) return false;
    this.pending.add(messageId);
    return true;
  }

  /** A PUBREL: the id may be used for a new message from now on. */
  release(messageId: number): void {
    this.pending.delete(messageId);
  }

  /** The broker has no session for the client (a clean start): nothing is pending any more. */
  reset(): void {
    this.pending.clear();
  }
}
