import { TestBed } from '@angular/core/testing';
import { map, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { connectionState, provideConnection } from 'rx-reconnect/angular';
import { TestServer } from 'rx-reconnect/testing';
import { btcPrices, LIVE_FEED } from './live-feed';

describe('the LIVE_FEED connection with lazy: true', () => {
  it('opens nothing on injection, connects for the first channel subscriber, idles after the last leaves', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    let server!: TestServer;
    const signalSeen: Array<[number, string]> = [];

    scheduler.run(({ expectObservable }) => {
      server = new TestServer();
      TestBed.configureTestingModule({
        providers: [provideConnection(LIVE_FEED, { url: 'ws://feed.test/ws', WebSocket: server.WebSocket, lazy: { idleAfter: 1000 } })],
      });
      const feed = TestBed.inject(LIVE_FEED);
      const state = connectionState(feed);
      const sample = (): void => {
        signalSeen.push([scheduler.now(), state()]);
      };
      sample();
      // A component showing prices from 10 ms to 50 ms (a route visited, then left).
      timer(10).subscribe(() => {
        const prices = btcPrices(feed).subscribe();
        timer(40).subscribe(() => prices.unsubscribe());
      });
      timer(20).subscribe(sample);
      timer(1100).subscribe(() => {
        sample();
        TestBed.resetTestingModule();
        sample();
      });

      expectObservable(feed.events$.pipe(map((e) => e.type))).toBe('10ms (ab) 1036ms (cd) 46ms (e|)', {
        a: 'Connecting',
        b: 'Connected',
        c: 'Disconnected',
        d: 'Idle',
        e: 'Closed',
      });
    });

    expect(signalSeen).toEqual([
      [0, 'idle'],
      [20, 'connected'],
      [1100, 'idle'],
      [1100, 'closed'],
    ]);
    expect(server.connections).toHaveLength(1);
    expect(server.last.received).toEqual([
      { op: 'subscribe', channel: 'ticker', symbol: 'BTC' },
      { op: 'unsubscribe', channel: 'ticker', symbol: 'BTC' },
    ]);
    expect(server.last.closeCode).toBe(1000);
    expect(server.open).toEqual([]);
  });
});
