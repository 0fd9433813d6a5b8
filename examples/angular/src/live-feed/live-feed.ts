import { InjectionToken } from '@angular/core';
import type { Observable } from 'rxjs';
import type { Connection } from 'rx-reconnect';

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

/** The app's live connection: provided with `provideConnection(LIVE_FEED, options)`, injected with `inject(LIVE_FEED)`. */
export const LIVE_FEED = new InjectionToken<Connection<Tick, FeedCommand>>('LIVE_FEED');

const BTC = { op: 'subscribe', channel: 'ticker', symbol: 'BTC' } as const;

/** BTC prices; the server subscription is sent with the first subscriber and after every reconnect. */
export function btcPrices(feed: Connection<Tick, FeedCommand>): Observable<Tick> {
  return feed.channel({
    key: 'ticker:BTC',
    subscribe: BTC,
    unsubscribe: { ...BTC, op: 'unsubscribe' },
    match: (m) => m.channel === 'ticker' && m.symbol === 'BTC',
  });
}
