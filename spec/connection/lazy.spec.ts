import { ConfigError, connect, type ConnectionState, type Serializer } from '../../lib';
import { TestServer } from '../../lib/testing';
import { harness } from '../support/harness';
import { testScheduler } from '../support/marbles';

const text: Serializer<string, string> = { serialize: (m) => m, deserialize: (d) => String(d) };

describe('lazy: connect while something needs the link (#11)', () => {
  it('makes no attempt while only events$ and state$ are watched (#11)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(scheduler, { serializer: text, lazy: true }, {}, 10_000);
      scheduler.flush();
      expect(h.server.connections).toHaveLength(0);
      expect(h.states).toEqual(['idle', 'closed']);
      expect(h.timeline).toEqual([[10_000, 'Closed manual 0']]);
    });
  });

  it('the first channel subscriber connects; after the last leaves, idleAfter later, it rests (#11)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(scheduler, { serializer: text, lazy: { idleAfter: 500 } }, {}, 10_000);
      const ticker = h.conn.channel({ key: 't', subscribe: 'SUB t', unsubscribe: 'UNSUB t', match: (m) => m === 't' });
      let subscription = ticker.subscribe();
      h.at(100, () => subscription.unsubscribe());
      h.at(2_000, () => (subscription = ticker.subscribe()));
      h.at(3_000, () => subscription.unsubscribe());
      scheduler.flush();
      expect(h.timeline).toEqual([
        [0, 'Connecting 0'],
        [0, 'Connected'],
        [600, 'Disconnected manual 0 p'],
        [600, 'Idle'],
        [2_000, 'Connecting 0'],
        [2_000, 'Reconnected 0'],
        [2_000, 'SubscriptionsRestored 1'],
        [3_500, 'Disconnected manual 0 p'],
        [3_500, 'Idle'],
        [10_000, 'Closed manual 0'],
      ]);
      expect(h.states).toEqual(['idle', 'connecting', 'connected', 'idle', 'connecting', 'connected', 'idle', 'closed']);
      expect(h.server.connections.map((c) => c.received)).toEqual([
        ['SUB t', 'UNSUB t'],
        ['SUB t', 'UNSUB t'],
      ]);
      expect(h.server.connections.map((c) => c.closeCode)).toEqual([1000, 1000]);
    });
  });

  it('a subscriber that comes back within idleAfter keeps the same link (#11)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(scheduler, { serializer: text, lazy: { idleAfter: 500 } }, {}, 5_000);
      let subscription = h.conn.messages$.subscribe();
      h.at(100, () => subscription.unsubscribe());
      h.at(400, () => (subscription = h.conn.messages$.subscribe()));
      h.at(4_800, () => subscription.unsubscribe()); // idleAfter would end at 5 300, after close
      scheduler.flush();
      expect(h.server.connections).toHaveLength(1);
      expect(h.timeline.map(([, e]) => e)).toEqual(['Connecting 0', 'Connected', 'Disconnected manual 0 p', 'Closed manual 0']);
    });
  });

  it('send() while idle connects, delivers, then rests again; nothing is lost (#11)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(scheduler, { serializer: text, lazy: { idleAfter: 200 } }, {}, 5_000);
      h.at(1_000, () => h.conn.send('order 1'));
      scheduler.flush();
      expect(h.server.received).toEqual(['order 1']);
      expect(h.timeline).toEqual([
        [1_000, 'Connecting 0'],
        [1_000, 'Connected'],
        [1_200, 'Disconnected manual 0 p'],
        [1_200, 'Idle'],
        [5_000, 'Closed manual 0'],
      ]);
    });
  });

  it('stays connected while buffered sends wait for a server that is down, and rests once they are out (#11)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(scheduler, { serializer: text, lazy: { idleAfter: 100 } }, { mode: 'refuse' }, 5_000);
      h.at(10, () => h.conn.send('kept'));
      h.at(1_000, () => (h.server.mode = 'accept'));
      scheduler.flush();
      expect(h.server.received).toEqual(['kept']);
      const summaries = h.timeline.map(([, e]) => e);
      expect(summaries.slice(-3)).toEqual(['Disconnected manual 0 p', 'Idle', 'Closed manual 0']);
      expect(summaries.filter((e) => e === 'Idle')).toHaveLength(1);
    });
  });

  it('goes idle during an outage once nothing needs the link: the retries stop (#11)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(scheduler, { serializer: text, lazy: { idleAfter: 300 } }, { mode: 'refuse' }, 10_000);
      const subscription = h.conn.messages$.subscribe();
      h.at(500, () => subscription.unsubscribe());
      let attemptsBeforeIdle = 0;
      h.conn.events$.subscribe((e) => {
        if (e.type === 'Idle') attemptsBeforeIdle = h.server.connections.length;
      });
      scheduler.flush();
      expect(h.timeline.find(([, e]) => e === 'Idle')).toEqual([800, 'Idle']);
      expect(h.timeline.filter(([t]) => t > 800).map(([, e]) => e)).toEqual(['Closed manual 0']);
      expect(attemptsBeforeIdle).toBeGreaterThan(1); // it was retrying
      expect(h.server.connections).toHaveLength(attemptsBeforeIdle); // and then it stopped
      expect(h.states.slice(-2)).toEqual(['idle', 'closed']);
    });
  });

  it('state is synchronous and agrees with state$ inside every handler (#11)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const server = new TestServer();
      const conn = connect<string, string>({ url: 'ws://test', WebSocket: server.WebSocket, serializer: text, lazy: { idleAfter: 100 } });
      const seen: Array<[string, ConnectionState]> = [];
      let latest: ConnectionState | undefined;
      conn.state$.subscribe((state) => {
        latest = state;
        seen.push([`state$ ${state}`, conn.state]);
      });
      conn.events$.subscribe((event) => seen.push([event.type, conn.state]));
      expect(conn.state).toBe('idle');
      const subscription = conn.messages$.subscribe();
      scheduler.schedule(() => subscription.unsubscribe(), 50);
      scheduler.schedule(() => conn.close(), 1_000);
      scheduler.flush();
      for (const [what, state] of seen) if (what.startsWith('state$')) expect(what).toBe(`state$ ${state}`);
      expect(seen.filter(([what]) => !what.startsWith('state$'))).toEqual([
        ['Connecting', 'connecting'],
        ['Connected', 'connected'],
        ['Disconnected', 'connected'],
        ['Idle', 'idle'],
        ['Closed', 'closed'],
      ]);
      expect(conn.state).toBe(latest);
    });
  });

  it('reconnect() while idle connects now; close() while idle ends at once (#11)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(scheduler, { serializer: text, lazy: { idleAfter: 100 } }, {}, 5_000);
      h.at(1_000, () => h.conn.reconnect());
      h.at(2_000, () => h.conn.close());
      scheduler.flush();
      expect(h.timeline).toEqual([
        [1_000, 'Connecting 0'],
        [1_000, 'Connected'],
        [1_100, 'Disconnected manual 0 p'],
        [1_100, 'Idle'],
        [2_000, 'Closed manual 0'],
      ]);
    });
  });

  it('woken and unneeded again in one frame: no attempt, no event, and nothing trips rxjs TestScheduler.run() (#11)', () => {
    // Found by the property test: this threw "Expected a due immediate or interval" from
    // flush(), when the start's second hop was its first action rescheduled and the idle timer
    // was cancelled in the frame it was due.
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(scheduler, { serializer: text, lazy: { idleAfter: 0 } }, {}, 1_000);
      let joined = false;
      h.conn.events$.subscribe((e) => {
        if (e.type !== 'Connecting' || joined) return;
        joined = true;
        h.conn.channel({ key: 'a', subscribe: 'SUB a', match: () => false }).subscribe();
      });
      h.at(1, () => h.conn.messages$.subscribe().unsubscribe());
      expect(() => scheduler.flush()).not.toThrow();
      expect(h.timeline).toEqual([[1_000, 'Closed manual 0']]);
      expect(h.server.connections).toHaveLength(0);
    });
  });

  it('bad lazy options are ConfigErrors naming the field (#11)', () => {
    const fieldOf = (lazy: unknown): string | undefined => {
      try {
        connect({ url: 'ws://x', lazy: lazy as never }).close();
      } catch (error) {
        return error instanceof ConfigError ? error.field : 'not a ConfigError';
      }
      return undefined;
    };
    expect(fieldOf('yes')).toBe('lazy');
    expect(fieldOf({ idleAfter: -1 })).toBe('lazy.idleAfter');
    expect(fieldOf({ idleAftr: 10 })).toBe('lazy.idleAftr');
    expect(fieldOf({ idleAfter: 0 })).toBeUndefined();
  });
});
