import type { IPublishPacket, Packet, QoS } from 'mqtt-packet';
import type { ChannelSpec } from '../../lib';
import type { PacketIds } from './packet-ids';

/** What a subscription tells about the broker's side of it (see `SubscriptionFanout`). */
export interface SubscriptionHooks {
  /** Its SUBACK granted `granted` (not called for a refusal). */
  subscribed(filter: string, granted: QoS): void;
  /** Its UNSUBSCRIBE with packet id `messageId` is being written. */
  unsubscribing(filter: string, messageId: number): void;
}

/** SUBACK's "failure" return code (MQTT 3.1.1 §3.9.3): the broker refused the subscription. */
export const SUBACK_FAILURE = 0x80;

/** The channel key of a topic filter. */
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
 * subscriber leaves. The channel itself delivers nothing (`match` is always false): PUBLISH
 * packets are shared out among overlapping subscriptions by `SubscriptionFanout`, which
 * `hooks` keep informed of what the broker holds.
 */
export function subscriptionSpec(filter: string, qos: QoS, ids: PacketIds, hooks?: SubscriptionHooks): ChannelSpec<Packet, Packet> {
  let awaited: number | undefined;
  return {
    key: subscriptionKey(filter),
    subscribe: () => {
      awaited = ids.next();
      return { cmd: 'subscribe', messageId: awaited, subscriptions: [{ topic: filter, qos }] };
    },
    unsubscribe: () => {
      const messageId = ids.next();
      hooks?.unsubscribing(filter, messageId);
      return { cmd: 'unsubscribe', messageId, unsubscriptions: [filter] };
    },
    match: () => false,
    ack: (packet) => {
      if (packet.cmd !== 'suback' || packet.messageId !== awaited) return false;
      const granted = packet.granted[0];
      if (granted === SUBACK_FAILURE || granted === undefined) return new Error(`broker refused the subscription to ${filter}`);
      hooks?.subscribed(filter, granted as QoS);
      return true;
    },
  };
}
