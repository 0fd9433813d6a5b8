import { TestBed } from '@angular/core/testing';
import { firstValueFrom, last, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ClockMixUpError } from 'rx-reconnect';
import { connectionState, provideConnection } from 'rx-reconnect/angular';
import { TestServer } from 'rx-reconnect/testing';
import { LIVE_FEED } from './live-feed';

describe('the scheduler trap: TestBed.inject outside TestScheduler.run(), destroyed inside it', () => {
  it('close() throws ClockMixUpError out of resetTestingModule(), then the library closes the connection on the real clock', async () => {
    // The mistake, on purpose: the server and the connection are made on the real clock.
    const server = new TestServer();
    TestBed.configureTestingModule({
      providers: [provideConnection(LIVE_FEED, { url: 'ws://feed.test/ws', WebSocket: server.WebSocket })],
    });
    const feed = TestBed.inject(LIVE_FEED);
    const state = connectionState(feed);
    const events = firstValueFrom(feed.events$.pipe(toArray()));

    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(() => {
      expect(() => TestBed.resetTestingModule()).toThrow(ClockMixUpError);
    });

    // Nothing was cancelled on virtual time (that is what crashed processes); right after run()
    // the library closes the connection on the real clock, so the test ends with nothing open.
    expect(state()).toBe('connecting');
    await expect(firstValueFrom(feed.state$.pipe(last()))).resolves.toBe('closed');
    const closed = (await events).at(-1);
    expect(closed).toMatchObject({ type: 'Closed', reason: 'manual' });
    expect(state()).toBe('closed');
    expect(server.connections.every((c) => c.readyState === WebSocket.CLOSED)).toBe(true);
  });
});
