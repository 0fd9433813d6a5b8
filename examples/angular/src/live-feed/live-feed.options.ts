import { InjectionToken } from '@angular/core';
import type { ConnectOptions } from 'rx-reconnect';

/** A price update pushed by the feed server. */
export interface Tick {
  readonly channel: 'ticker';
  readonly symbol: string;
  readonly price: number;
}

/** What the app sends to the feed server. */
export type FeedCommand =
  | { readonly op: 'subscribe' | 'unsubscribe'; readonly channel: 'ticker'; readonly symbol: string }
  | { readonly op: 'order'; readonly symbol: string; readonly qty: number };

/** Options of the one connection {@link LiveFeedService} owns. */
export type LiveFeedOptions = ConnectOptions<Tick, FeedCommand>;

/**
 * The connection's options. Provide them with {@link provideLiveFeed}; a test provides its own
 * (`WebSocket: server.WebSocket` from `rx-reconnect/testing`).
 */
export const LIVE_FEED_OPTIONS = new InjectionToken<LiveFeedOptions>('LIVE_FEED_OPTIONS');
