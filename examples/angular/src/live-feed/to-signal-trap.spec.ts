import { DestroyRef, Injectable, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { TestBed } from '@angular/core/testing';
import { TestScheduler } from 'rxjs/testing';
import { connect } from 'rx-reconnect';
import { TestServer } from 'rx-reconnect/testing';
import { LIVE_FEED_OPTIONS } from './live-feed.options';
import { LiveFeedService } from './live-feed.service';
import { provideLiveFeed } from './provide-live-feed';

/** The service written the obvious way: `toSignal(state$)` with its default cleanup. */
@Injectable()
class NaiveFeed {
  private readonly connection = connect(inject(LIVE_FEED_OPTIONS));
  readonly state = toSignal(this.connection.state$, { requireSync: true });
  readonly state$ = this.connection.state$;

  constructor() {
    inject(DestroyRef).onDestroy(() => this.connection.close());
  }
}

describe('the toSignal trap: a state signal after its injector is destroyed', () => {
  function destroyedWhileConnected<T extends { state: () => string }>(service: new () => T): string[] {
    const seen: string[] = [];
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold }) => {
      const server = new TestServer();
      TestBed.configureTestingModule({
        providers: [
          provideLiveFeed({ url: 'ws://feed.test/ws', WebSocket: server.WebSocket }),
          { provide: NaiveFeed, useClass: NaiveFeed },
        ],
      });
      const feed = TestBed.inject(service);
      cold('10ms x').subscribe(() => {
        seen.push(feed.state());
        TestBed.resetTestingModule();
        seen.push(feed.state());
        expect(server.open).toEqual([]); // closed in both cases: only the signal differs
      });
    });
    return seen;
  }

  it('plain toSignal(state$) unsubscribes first (same DestroyRef) and stays at "connected"', () => {
    expect(destroyedWhileConnected(NaiveFeed)).toEqual(['connected', 'connected']);
  });

  it('LiveFeedService (manualCleanup; state$ completes after "closed") reads "closed"', () => {
    expect(destroyedWhileConnected(LiveFeedService)).toEqual(['connected', 'closed']);
  });
});
