import type { Serializer } from '../../lib';
import { harness } from '../support/harness';
import { testScheduler } from '../support/marbles';

const text: Serializer<string, string> = { serialize: (m) => m, deserialize: (d) => String(d) };

describe('conn.buffered (#11)', () => {
  it('counts what waits in the offline buffer: up while offline, 0 once flushed after the restore (#11)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(scheduler, { serializer: text }, {}, 1_000);
      const seen: Array<[string, number]> = [];
      h.conn.events$.subscribe((e) => seen.push([e.type, h.conn.buffered]));
      h.at(10, () => h.server.drop());
      h.at(20, () => {
        h.conn.send('a');
        h.conn.send('b');
        seen.push(['sent', h.conn.buffered]);
      });
      h.at(500, () => seen.push(['later', h.conn.buffered]));
      scheduler.flush();
      expect(seen).toEqual([
        ['Connecting', 0],
        ['Connected', 0],
        ['Disconnected', 0],
        ['Reconnecting', 0],
        ['sent', 2],
        ['Connecting', 2],
        ['Reconnected', 2],
        ['SubscriptionsRestored', 2], // the flush comes right after this all-clear
        ['later', 0],
        ['Disconnected', 0],
        ['Closed', 0],
      ]);
      expect(h.server.connections[1].received).toEqual(['a', 'b']);
    });
  });
});
