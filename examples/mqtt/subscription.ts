import type { IPublishPacket, Packet, QoS } from 'mqtt-packet';
import type { ChannelSpec } from '../../lib';
import type { PacketIds } from './packet-ids';
import { topicMatches } from './topic-filter';

/** SUBACK's "failure" return code (MQTT 3.1.1 §3.9.3): the broker refused the subscription. */
export const SUBACK_FAILURE = 0x80;

/** The channel key of a topic filter; `route` returns it for a PUBLISH to that exact topic. */
export function subscriptionKey(filter: string): string {
  return `mqtt:${filter}`;
}

/** Whether a packet is a PUBLISH (the only packets a subscription delivers). */
export function isPublish(packet: Packet): packet is IPublishPacket {
  return packet.cmd === 'publish';
}

/**
 * One MQTT subscription as a channel: SUBSCRIBE with a fresh packet id every time it is written
 * (first subscribe and every restore), confirmed by the SUBACK carrying that id (`0x80` is a
 * refusal: the channel errors with `SubscriptionRejectedError`), UNSUBSCRIBE when the last
 * subscriber leaves. Exact topics are dispatched by `route`; wildcard filters by `match`.
 */
export function subscriptionSpec(filter: string, qos: QoS, ids: PacketIds): ChannelSpec<Packet, Packet> {
  let awaited: number | undefined;
  return {
    key: subscriptionKey(filter),
    subscribe: () => {
      awaited = ids.next();
      return { cmd: 'subscribe', messageId: awaited, subscriptions: [{ topic: filter, qos }] };
    },
    unsubscribe: () => ({ cmd: 'unsubscribe', messageId: ids.next(), unsubscriptions: [filter] }),
    // Reached only by what `route` does not place: wildcard filters (a topic routed to an exact
    // subscription does not also reach an overlapping wildcard one).
    match: (packet) => isPublish(packet) && topicMatches(filter, packet.topic),
    ack: (packet) => {
      if (packet.cmd !== 'suback' || packet.messageId !== awaited) return false;
      const granted = packet.granted[0];
      return granted === SUBACK_FAILURE ? new Error(`broker refused the subscription to ${filter}`) : true;
    },
  };
}
