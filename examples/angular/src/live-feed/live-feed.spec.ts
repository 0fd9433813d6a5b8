import { TestBed } from '@angular/core/testing';
import { map, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { ConnectionEvent, ConnectionState } from 'rx-reconnect';
import { connectionState, provideConnection } from 'rx-reconnect/angular';
import { TestServer } from 'rx-reconnect/testing';
import { btcPrices, LIVE_FEED, type FeedCommand } from './live-feed';

/** One event as a short label carrying the fields this timeline is about. */
function label(e: ConnectionEvent<FeedCommand>): string {
  switch (e.type) {
    case 'Connecting':
      return `Connecting #${e.attempt}`;
    case 'Disconnected':
      return `Disconnected ${e.reason}${e.permanent ? ' permanent' : ''}`;
    case 'Reconnecting':
      return `Reconnecting #${e.attempt} in ${e.delay}ms`;
    case 'SubscriptionsRestored':
      return `SubscriptionsRestored ${e.count}`;
    case 'Closed':
      return `Closed ${e.reason}, ${e.unsent.length} unsent`;
    default:
      return e.type;
  }
}

describe('the LIVE_FEED connection under TestBed, on virtual time', () => {
  let scheduler: TestScheduler;

  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    // Any timer that escapes virtual time would be counted here.
    jest.useFakeTimers();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('lives through a drop and is closed with its injector: events, channel data, state signal', () => {
    const signalSeen: Array<[number, ConnectionState]> = [];
    let server!: TestServer;

    // TestServer, connect() (inside TestBed.inject: provideConnection makes it) and every timer of the connection must
    // start inside run(): outside it they would run on real timers.
    scheduler.run(({ expectObservable }) => {
      server = new TestServer();
      TestBed.configureTestingModule({
        providers: [provideConnection(LIVE_FEED, { url: 'ws://feed.test/ws', WebSocket: server.WebSocket, retry: { jitter: 0 } })],
      });
      const feed = TestBed.inject(LIVE_FEED);
      const state = connectionState(feed);
      const btc$ = btcPrices(feed);
      const sample = (): void => {
        signalSeen.push([scheduler.now(), state()]);
      };
      const at = (ms: number, work: () => void): void => {
        timer(ms).subscribe(() => {
          work();
          sample();
        });
      };
      sample();

      at(5, () => undefined);
      at(10, () => server.send({ channel: 'ticker', symbol: 'BTC', price: 100 }));
      at(20, () => server.drop()); // abrupt: no close frame
      at(50, () => feed.send({ op: 'order', symbol: 'BTC', qty: 1 })); // offline: buffered
      at(130, () => server.send({ channel: 'ticker', symbol: 'BTC', price: 101 }));
      at(140, () => feed.send({ op: 'order', symbol: 'BTC', qty: 2 })); // online: sent at once
      at(200, () => TestBed.resetTestingModule()); // destroys the injector: DestroyRef closes

      expectObservable(feed.events$.pipe(map(label))).toBe('(ab) 16ms (cd) 96ms (efg) 75ms (hi|)', {
        a: 'Connecting #0',
        b: 'Connected',
        c: 'Disconnected error',
        d: 'Reconnecting #1 in 100ms',
        e: 'Connecting #1',
        f: 'Reconnected',
        g: 'SubscriptionsRestored 1',
        h: 'Disconnected manual permanent',
        i: 'Closed manual, 0 unsent',
      });
      expectObservable(btc$.pipe(map((tick) => tick.price))).toBe('10ms a 119ms b 69ms |', { a: 100, b: 101 });
      expectObservable(feed.state$).toBe('(ab) 16ms c 99ms d 79ms (e|)', {
        a: 'connecting',
        b: 'connected',
        c: 'reconnecting',
        d: 'connected',
        e: 'closed',
      });
    });

    expect(signalSeen).toEqual([
      [0, 'connecting'],
      [5, 'connected'],
      [10, 'connected'],
      [20, 'connected'], // the drop reaches the client 0 ms later, through the scheduler
      [50, 'reconnecting'],
      [130, 'connected'],
      [140, 'connected'],
      [200, 'closed'],
    ]);

    const subscribe = { op: 'subscribe', channel: 'ticker', symbol: 'BTC' };
    expect(server.connections.map((c) => c.received)).toEqual([
      [subscribe],
      // After the reconnect: the channel first, then the buffered order, then the live one.
      [subscribe, { op: 'order', symbol: 'BTC', qty: 1 }, { op: 'order', symbol: 'BTC', qty: 2 }],
    ]);
    // Nothing is left pending: no open link, no virtual action, no real timer.
    expect(server.open).toEqual([]);
    expect(server.connections.map((c) => c.readyState)).toEqual([WebSocket.CLOSED, WebSocket.CLOSED]);
    expect(server.last.closeCode).toBe(1000);
    expect(scheduler.actions).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });
});
