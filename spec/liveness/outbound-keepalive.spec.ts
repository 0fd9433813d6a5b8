import type { Serializer } from '../../lib';
import { harness } from '../support/harness';
import { testScheduler } from '../support/marbles';

const text: Serializer<string, string> = { serialize: (m) => m, deserialize: (d) => String(d) };

/** Longest gap between two frames the server received (link-up counts as the first), up to `end`. */
function longestSilence(times: number[], start: number, end: number): number {
  const all = [start, ...times, end];
  let longest = 0;
  for (let i = 1; i < all.length; i++) longest = Math.max(longest, all[i] - all[i - 1]);
  return longest;
}

describe('heartbeat.outbound: a keepalive when we have been silent (#9)', () => {
  it('a receive-only client is never silent for more than interval, though inbound traffic flows (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const heartbeat = { interval: 4_000, timeout: 2_000, message: 'PINGREQ', isPong: (m: string) => m === 'PINGRESP', outbound: true };
      const h = harness<string, string>(scheduler, { serializer: text, heartbeat }, {}, 60_000);
      const arrivals: number[] = [];
      h.server.messages$.subscribe(({ connection, message }) => {
        arrivals.push(scheduler.now());
        if (message === 'PINGREQ') connection.send('PINGRESP');
      });
      // The broker publishes every 500 ms: the inbound check alone would never probe.
      for (let t = 500; t < 60_000; t += 500) h.at(t, () => h.server.send('PUBLISH'));
      const delivered: string[] = [];
      h.conn.messages$.subscribe((m) => delivered.push(m));
      scheduler.flush();
      expect(longestSilence(arrivals, 0, 60_000)).toBeLessThanOrEqual(4_000);
      expect(arrivals.length).toBe(14); // one PINGREQ per 4 s (4 s … 56 s), no more
      expect(h.timeline.map(([, e]) => e)).toEqual(['Connecting 0', 'Connected', 'Disconnected manual 0 p', 'Closed manual 0']);
      expect(delivered.filter((m) => m === 'PINGRESP')).toEqual([]); // pongs swallowed
    });
  });

  it('our own sends count: no keepalive while the client keeps talking (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const heartbeat = { interval: 1_000, timeout: 500, message: 'PING', isPong: (m: string) => m === 'PONG', outbound: true };
      const h = harness<string, string>(scheduler, { serializer: text, heartbeat }, {}, 10_000);
      h.server.messages$.subscribe(({ connection, message }) => {
        if (message === 'PING') connection.send('PONG');
      });
      for (let t = 300; t < 10_000; t += 300) h.at(t, () => h.conn.send('DATA'));
      // The server talks too, so the inbound check never probes either.
      for (let t = 250; t < 10_000; t += 250) h.at(t, () => h.server.send('NEWS'));
      scheduler.flush();
      expect(h.server.received.filter((m) => m === 'PING')).toEqual([]);
    });
  });

  it('the keepalive probe has a deadline: a broker that stops answering is stale timeout ms later (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const heartbeat = { interval: 4_000, timeout: 2_000, message: 'PINGREQ', isPong: (m: string) => m === 'PINGRESP', outbound: true };
      const h = harness<string, string>(scheduler, { serializer: text, heartbeat, retry: false }, {}, 60_000);
      let answering = true;
      h.server.messages$.subscribe(({ connection, message }) => {
        if (message === 'PINGREQ' && answering) connection.send('PINGRESP');
      });
      for (let t = 500; t < 10_000; t += 500) h.at(t, () => h.server.send('PUBLISH'));
      h.at(9_000, () => (answering = false));
      scheduler.flush();
      // Keepalives at 4 s, 8 s (answered), 12 s (not): stale at 14 s.
      expect(h.timeline.find(([, e]) => e.startsWith('Disconnected'))).toEqual([14_000, 'Disconnected stale 0 p']);
    });
  });

  it('with protocol pings (no message), the ping itself is the keepalive (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(
        scheduler,
        { serializer: text, heartbeat: { interval: 1_000, timeout: 500, outbound: true } },
        { pings: true },
        5_500,
      );
      for (let t = 100; t < 5_500; t += 100) h.at(t, () => h.server.send('NEWS'));
      scheduler.flush();
      expect(h.server.connections[0].pings).toBe(5);
    });
  });
});
