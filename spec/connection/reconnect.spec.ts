import { ConnectionClosedError, type Serializer } from '../../lib';
import { harness } from '../support/harness';
import { testScheduler } from '../support/marbles';

const text: Serializer<string, string> = { serialize: (m) => m, deserialize: (d) => String(d) };

describe('reconnect(): a fresh link on demand (#9)', () => {
  it('while connected: Disconnected manual (not permanent), Reconnecting 1 0, a new link, channels restored (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(scheduler, { serializer: text }, {}, 1_000);
      h.conn.channel({ key: 'a', subscribe: 'SUB a', match: (m) => m === 'a' }).subscribe();
      h.at(100, () => h.conn.reconnect());
      scheduler.flush();
      expect(h.timeline).toEqual([
        [0, 'Connecting 0'],
        [0, 'Connected'],
        [100, 'Disconnected manual 0'],
        [100, 'Reconnecting 1 0'],
        [100, 'Connecting 1'],
        [100, 'Reconnected 1'],
        [100, 'SubscriptionsRestored 1'],
        [1_000, 'Disconnected manual 0 p'],
        [1_000, 'Closed manual 0'],
      ]);
      expect(h.states).toEqual(['connecting', 'connected', 'reconnecting', 'connected', 'closed']);
      // The old link was closed cleanly by us, with 1000.
      expect(h.server.connections[0].closeCode).toBe(1000);
      expect(h.server.connections[1].received).toEqual(['SUB a']);
    });
  });

  it('sends made around it go out on the new link, in order, none lost (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(scheduler, { serializer: text }, {}, 1_000);
      h.at(100, () => {
        h.conn.send('before');
        h.conn.reconnect();
        h.conn.send('after');
      });
      scheduler.flush();
      expect(h.server.connections[0].received).toEqual(['before']);
      expect(h.server.connections[1].received).toEqual(['after']);
    });
  });

  it('starts a fresh series: the forced attempt is attempt 1, so a flap right after it is attempt 2, not 3 (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(scheduler, { serializer: text, retry: { stableAfter: 10_000 } }, {}, 2_000);
      h.at(10, () => h.server.drop()); // an outage: attempt 1 after 100 ms
      h.at(500, () => h.conn.reconnect());
      h.at(600, () => h.server.drop()); // within stableAfter of the forced link: the same (fresh) series goes on
      scheduler.flush();
      const summaries = h.timeline.map(([, e]) => e);
      expect(summaries.filter((e) => e.startsWith('Reconnecting'))).toEqual([
        'Reconnecting 1 100',
        'Reconnecting 1 0',
        'Reconnecting 2 200',
      ]);
    });
  });

  it('from an events$ handler, and even with retry: false or after stopRetry() (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(scheduler, { serializer: text, retry: false }, {}, 1_000);
      let forced = false;
      h.conn.events$.subscribe((e) => {
        if (e.type === 'Connected' && !forced) {
          forced = true;
          h.conn.stopRetry();
          h.conn.reconnect(); // explicit intent wins over the earlier stopRetry()
        }
      });
      scheduler.flush();
      expect(h.timeline.map(([, e]) => e)).toEqual([
        'Connecting 0',
        'Connected',
        'Disconnected manual 0',
        'Reconnecting 1 0',
        'Connecting 1',
        'Reconnected 1',
        'SubscriptionsRestored 0',
        'Disconnected manual 0 p',
        'Closed manual 0',
      ]);
    });
  });

  it('during backoff it attempts now, like retry() (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(scheduler, { serializer: text, retry: { initialDelay: 5_000 } }, {}, 10_000);
      h.at(10, () => h.server.drop());
      h.at(20, () => h.conn.reconnect());
      scheduler.flush();
      expect(h.timeline.slice(2, 6)).toEqual([
        [10, 'Disconnected error 0'],
        [10, 'Reconnecting 1 5000'],
        [20, 'Connecting 1'],
        [20, 'Reconnected 1'],
      ]);
    });
  });

  it('stopRetry() in the wait reconnect() starts reports the attempt actually made: 0, not an older one (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(scheduler, { serializer: text }, { mode: 'refuse' }, 1_000);
      h.at(150, () => (h.server.mode = 'accept')); // attempts 0 and 1 fail, attempt 2 (at 300) connects
      h.at(500, () => {
        h.conn.reconnect();
        h.conn.stopRetry(); // during the 0 ms wait before the fresh attempt
      });
      scheduler.flush();
      expect(h.timeline.filter(([t]) => t < 500).map(([, e]) => e).slice(-2)).toEqual(['Connecting 2', 'Connected']);
      expect(h.timeline.filter(([t]) => t === 500).map(([, e]) => e)).toEqual([
        'Disconnected manual 0',
        'Reconnecting 1 0',
        'Disconnected manual 0 p',
        'Closed stopped 0',
      ]);
    });
  });

  it('throws ConnectionClosedError after Closed (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(scheduler, { serializer: text }, {}, 10);
      scheduler.flush();
      expect(() => h.conn.reconnect()).toThrow(ConnectionClosedError);
    });
  });
});
