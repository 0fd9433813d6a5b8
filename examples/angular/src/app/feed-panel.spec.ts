import { TestBed } from '@angular/core/testing';
import { timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { provideConnection } from 'rx-reconnect/angular';
import { TestServer } from 'rx-reconnect/testing';
import { LIVE_FEED } from '../live-feed/live-feed';
import { FeedPanel } from './feed-panel';

describe('FeedPanel, a live component', () => {
  it('shows the state and the last price, sends an order on click, and shows "closed" when the app is destroyed', () => {
    const shown: string[] = [];
    let server!: TestServer;
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(() => {
      server = new TestServer();
      TestBed.configureTestingModule({
        providers: [provideConnection(LIVE_FEED, { url: 'ws://feed.test/ws', WebSocket: server.WebSocket })],
      });
      const fixture = TestBed.createComponent(FeedPanel);
      const text = (selector: string): string => (fixture.nativeElement as HTMLElement).querySelector(selector)?.textContent?.trim() ?? '';
      const look = (): void => {
        fixture.detectChanges();
        shown.push(`${text('.state')} ${text('.price')}`);
      };
      look();
      timer(5).subscribe(look);
      timer(10).subscribe(() => server.send({ channel: 'ticker', symbol: 'BTC', price: 100 }));
      timer(15).subscribe(() => {
        look();
        (fixture.nativeElement as HTMLElement).querySelector('button')!.click();
      });
      timer(20).subscribe(() => {
        const state = TestBed.inject(LIVE_FEED);
        TestBed.resetTestingModule();
        shown.push(state.state);
      });
    });
    expect(shown).toEqual(['connecting —', 'connected —', 'connected 100', 'closed']);
    expect(server.last.received).toEqual([
      { op: 'subscribe', channel: 'ticker', symbol: 'BTC' },
      { op: 'order', symbol: 'BTC', qty: 1 },
      // resetTestingModule() destroys the component first (its price signal leaves the channel), then the app's injector.
      { op: 'unsubscribe', channel: 'ticker', symbol: 'BTC' },
    ]);
    expect(server.open).toEqual([]);
  });
});
