import { PLATFORM_ID } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { ConnectionEvent } from 'rx-reconnect';
import { connectionState, provideConnection } from 'rx-reconnect/angular';
import { btcPrices, LIVE_FEED, type FeedCommand } from './live-feed';

describe('the LIVE_FEED connection during server-side rendering', () => {
  it('opens no socket: it stays idle, keeps what is sent for Closed.unsent, and closes with the injector', () => {
    const constructed: string[] = [];
    class RecordingWebSocket extends WebSocket {
      constructor(url: string) {
        constructed.push(url);
        super(url);
      }
    }
    TestBed.configureTestingModule({
      providers: [{ provide: PLATFORM_ID, useValue: 'server' }, provideConnection(LIVE_FEED, { url: 'ws://feed.test/ws', WebSocket: RecordingWebSocket })],
    });
    const feed = TestBed.inject(LIVE_FEED);
    const events: ConnectionEvent<FeedCommand>[] = [];
    feed.events$.subscribe((e) => events.push(e));
    const prices: number[] = [];
    btcPrices(feed).subscribe((tick) => prices.push(tick.price));
    feed.send({ op: 'order', symbol: 'BTC', qty: 1 });
    expect(connectionState(feed)()).toBe('idle');

    TestBed.resetTestingModule();
    expect(connectionState(feed)()).toBe('closed');
    expect(events).toEqual([{ type: 'Closed', reason: 'manual', unsent: [{ op: 'order', symbol: 'BTC', qty: 1 }] }]);
    expect(prices).toEqual([]);
    expect(constructed).toEqual([]);
  });
});
