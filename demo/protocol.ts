/**
 * The demo's wire protocol: a tiny topic pub/sub, shared by the demo server and client.
 */
import type { ChannelSpec } from '../lib';

/** The two topics the demo server publishes. */
export const TOPICS = ['ticker:BTC', 'ticker:ETH'] as const;
export type Topic = (typeof TOPICS)[number];

/** Server → client: one tick on a topic; `seq` counts ticks per topic since the demo started. */
export interface Tick {
  readonly topic: string;
  readonly seq: number;
}

/** Client → server. */
export type ClientMessage =
  | { readonly op: 'subscribe'; readonly topic: string }
  | { readonly op: 'unsubscribe'; readonly topic: string }
  | { readonly op: 'order'; readonly id: number };

/** Parses a client frame, or returns undefined for anything that is not a {@link ClientMessage}. */
export function parseClientMessage(data: unknown): ClientMessage | undefined {
  try {
    const message = JSON.parse(String(data)) as Partial<Record<string, unknown>>;
    if ((message.op === 'subscribe' || message.op === 'unsubscribe') && typeof message.topic === 'string') {
      return { op: message.op, topic: message.topic };
    }
    if (message.op === 'order' && typeof message.id === 'number') return { op: 'order', id: message.id };
  } catch {
    // Not JSON: ignored, like any unknown frame.
  }
  return undefined;
}

/** The channel of one topic: subscribed (and re-subscribed after each reconnect) by topic. */
export function topicChannel(topic: string): ChannelSpec<Tick, ClientMessage> {
  return {
    key: topic,
    subscribe: { op: 'subscribe', topic },
    unsubscribe: { op: 'unsubscribe', topic },
    match: (message) => message.topic === topic,
  };
}
