import { DestroyRef, Injectable, InjectionToken, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { TestBed } from '@angular/core/testing';
import { TestScheduler } from 'rxjs/testing';
import { connect, type ConnectOptions } from 'rx-reconnect';
import { connectionState, provideConnection } from 'rx-reconnect/angular';
import { TestServer } from 'rx-reconnect/testing';
import { LIVE_FEED, type FeedCommand, type Tick } from './live-feed';

const NAIVE_OPTIONS = new InjectionToken<ConnectOptions<Tick, FeedCommand>>('NAIVE_OPTIONS');

/** The service written the obvious way (what rx-reconnect/angular replaces): `toSignal(state$)` with its default cleanup. */
@Injectable()
class NaiveFeed {
  private readonly connection = connect(inject(NAIVE_OPTIONS));
  readonly state = toSignal(this.connection.state$, { requireSync: true });

  constructor() {
    inject(DestroyRef).onDestroy(() => this.connection.close());
  }
}

describe('the toSignal trap: a state signal after its injector is destroyed', () => {
  function destroyedWhileConnected(state: () => () => string): { seen: string[]; open: unknown[] } {
    const seen: string[] = [];
    let server!: TestServer;
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold }) => {
      server = new TestServer();
      const options = { url: 'ws://feed.test/ws', WebSocket: server.WebSocket };
      TestBed.configureTestingModule({
        providers: [provideConnection(LIVE_FEED, options), { provide: NAIVE_OPTIONS, useValue: options }, NaiveFeed],
      });
      const read = state();
      cold('10ms x').subscribe(() => {
        seen.push(read());
        TestBed.resetTestingModule();
        seen.push(read());
      });
    });
    return { seen, open: server.open }; // closed in both cases: only the signal differs
  }

  it('plain toSignal(state$) unsubscribes first (same DestroyRef as the close) and stays at "connected"', () => {
    expect(destroyedWhileConnected(() => TestBed.inject(NaiveFeed).state)).toEqual({ seen: ['connected', 'connected'], open: [] });
  });

  it('connectionState() reads "closed": it listens until state$ completes, right after "closed"', () => {
    expect(destroyedWhileConnected(() => connectionState(TestBed.inject(LIVE_FEED)))).toEqual({ seen: ['connected', 'closed'], open: [] });
  });
});
