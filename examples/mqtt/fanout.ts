import type { IPublishPacket, QoS } from 'mqtt-packet';
import { topicMatches } from './topic-filter';

/**
 * What the broker sends for a PUBLISH that matches several of one client's subscriptions
 * (MQTT 3.1.1 §3.3.5): one copy (`'one'`, at least required; mosquitto 2's default), or one
 * copy per matching subscription (`'per-subscription'`, which the standard allows; mosquitto
 * with `allow_duplicate_messages true`). MQTT 3.1.1 carries no subscription identifier, so the
 * client cannot tell from a copy which it is: it must be told.
 */
export type OverlapCopies = 'one' | 'per-subscription';

/** Receives the PUBLISH packets that belong to one topic filter. */
export type FilterListener = (packet: IPublishPacket) => void;

/** Copies of one message still owed to the subscriptions that have not had theirs. */
interface Round {
  readonly payload: Buffer;
  /** Filters (with the QoS the broker granted them) that have not had their copy yet. */
  remaining: { readonly filter: string; readonly granted: QoS }[];
}

/** Rounds kept per topic: a copy the broker never sends must not leave state behind for ever. */
const MAX_ROUNDS_PER_TOPIC = 64;

/**
 * Hands each inbound PUBLISH to every subscription whose filter it matches, exactly once each.
 *
 * The broker's view of the client's subscriptions is tracked from the wire: a filter counts
 * from its SUBACK (granted QoS) until its UNSUBACK. With `'one'`, each PUBLISH goes to every
 * matching filter. With `'per-subscription'`, the copies of one message (same topic, same
 * payload) are shared out, one per matching filter: a copy of QoS q goes to a filter granted
 * exactly q if one is still owed a copy, else to one granted more (the publish's own QoS was
 * q). A filter being unsubscribed still takes (and drops) its copy until its UNSUBACK.
 *
 * A retained PUBLISH (retain flag set: sent because a subscription is new) goes only to the
 * filter whose SUBACK came last, when that filter matches it: the broker sends retained
 * messages once per SUBSCRIBE, right after its SUBACK, so an older overlapping subscription
 * that already had it does not get it again.
 */
export class SubscriptionFanout {
  /** Filters the broker has confirmed, with their granted QoS, in SUBACK order. */
  private readonly onBroker = new Map<string, QoS>();
  /** UNSUBSCRIBE packet id → filter: still on the broker until its UNSUBACK. */
  private readonly leaving = new Map<number, { readonly filter: string; readonly granted: QoS }>();
  private readonly listeners = new Map<string, Set<FilterListener>>();
  private readonly rounds = new Map<string, Round[]>();
  private lastAcked: string | undefined;

  constructor(private readonly copies: OverlapCopies = 'one') {}

  /** Delivers the PUBLISH packets of `filter` to `listener` until the returned function is called. */
  listen(filter: string, listener: FilterListener): () => void {
    let set = this.listeners.get(filter);
    if (!set) this.listeners.set(filter, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(filter) === set) this.listeners.delete(filter);
    };
  }

  /** A SUBACK granted `filter` with `granted` (0x80 refusals are not reported here). */
  subscribed(filter: string, granted: QoS): void {
    this.onBroker.delete(filter); // re-inserted last: SUBACK order
    this.onBroker.set(filter, granted);
    this.lastAcked = filter;
  }

  /** An UNSUBSCRIBE for `filter` with packet id `messageId` is being written. */
  unsubscribing(filter: string, messageId: number): void {
    const granted = this.onBroker.get(filter);
    this.onBroker.delete(filter);
    if (this.lastAcked === filter) this.lastAcked = undefined;
    // Never confirmed (refused, or unsubscribed before its SUBACK): the broker sends it nothing.
    if (granted !== undefined) this.leaving.set(messageId, { filter, granted });
  }

  /** An UNSUBACK: the filter it answers is gone from the broker. */
  unsubscribed(messageId: number): void {
    this.leaving.delete(messageId);
  }

  /**
   * The link is gone: copies still owed are forgotten (a QoS 1 copy the broker resends on the
   * next link is at least once anyway), and so are UNSUBSCRIBEs not yet answered.
   */
  linkLost(): void {
    this.rounds.clear();
    this.leaving.clear();
    this.lastAcked = undefined;
  }

  /** Filters confirmed by the broker (for tests and diagnostics). */
  get filters(): ReadonlyMap<string, QoS> {
    return this.onBroker;
  }

  /** Hands one inbound PUBLISH to the listeners of the filter(s) it belongs to. */
  deliver(packet: IPublishPacket): void {
    if (packet.retain && this.lastAcked !== undefined && topicMatches(this.lastAcked, packet.topic)) {
      this.emit(this.lastAcked, packet);
      return;
    }
    if (this.copies === 'one') {
      for (const filter of this.onBroker.keys()) if (topicMatches(filter, packet.topic)) this.emit(filter, packet);
      return;
    }
    const filter = this.claim(packet);
    if (filter !== undefined) this.emit(filter, packet);
  }

  /** `'per-subscription'`: the filter this copy is for (undefined: a leaving filter's, dropped). */
  private claim(packet: IPublishPacket): string | undefined {
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const rounds = this.rounds.get(packet.topic) ?? [];
    for (const round of rounds) {
      if (!round.payload.equals(payload)) continue;
      const at = fitting(round.remaining, packet.qos);
      if (at < 0) continue;
      const [member] = round.remaining.splice(at, 1);
      if (round.remaining.length === 0) this.dropRound(packet.topic, rounds, round);
      return this.onBroker.has(member!.filter) ? member!.filter : undefined;
    }
    const remaining = this.members(packet.topic);
    const at = fitting(remaining, packet.qos);
    // No known subscription fits: deliver to every matching one rather than lose it.
    if (at < 0) {
      for (const member of remaining) if (this.onBroker.has(member.filter)) this.emit(member.filter, packet);
      return undefined;
    }
    const [member] = remaining.splice(at, 1);
    if (remaining.length > 0) {
      rounds.push({ payload, remaining });
      if (rounds.length > MAX_ROUNDS_PER_TOPIC) rounds.shift();
      this.rounds.set(packet.topic, rounds);
    }
    return this.onBroker.has(member!.filter) ? member!.filter : undefined;
  }

  /** Every filter the broker holds for this client that matches `topic`, leaving ones included. */
  private members(topic: string): { filter: string; granted: QoS }[] {
    const members: { filter: string; granted: QoS }[] = [];
    for (const [filter, granted] of this.onBroker) if (topicMatches(filter, topic)) members.push({ filter, granted });
    // A leaving filter takes its copy under a name no listener has: the copy is dropped.
    for (const { filter, granted } of this.leaving.values()) {
      if (topicMatches(filter, topic)) members.push({ filter: `\0${filter}`, granted });
    }
    return members;
  }

  private dropRound(topic: string, rounds: Round[], round: Round): void {
    rounds.splice(rounds.indexOf(round), 1);
    if (rounds.length === 0) this.rounds.delete(topic);
  }

  private emit(filter: string, packet: IPublishPacket): void {
    const set = this.listeners.get(filter);
    if (set) for (const listener of [...set]) listener(packet);
  }
}

/** Index of the member a copy of QoS `qos` is for: granted exactly `qos`, else more; -1 if none. */
function fitting(members: readonly { granted: QoS }[], qos: QoS): number {
  const exact = members.findIndex((member) => member.granted === qos);
  return exact >= 0 ? exact : members.findIndex((member) => member.granted > qos);
}
