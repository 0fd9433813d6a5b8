import { connect } from '../lib';
import { TestServer } from '../lib/testing';
import { summaries, testScheduler } from './support/marbles';

describe('smoke', () => {
  it('connects, loses the link, reconnects', () => {
    testScheduler().run(({ expectObservable, cold }) => {
      const server = new TestServer();
      const conn = connect({ url: 'ws://test', WebSocket: server.WebSocket, retry: { jitter: 0 } });
      cold('----x').subscribe(() => server.drop());
      cold('500ms x').subscribe(() => conn.close());
      expectObservable(summaries(conn.events$)).toBe('(ab)(cd) 96ms (efg) 391ms (hi|)', {
        a: 'Connecting 0',
        b: 'Connected',
        c: 'Disconnected error 0',
        d: 'Reconnecting 1 100',
        e: 'Connecting 1',
        f: 'Reconnected 1',
        g: 'SubscriptionsRestored 0',
        h: 'Disconnected manual 0 p',
        i: 'Closed manual 0',
      });
    });
  });
});
