import type { Serializer } from '../../lib';
import { harness } from '../support/harness';
import { testScheduler } from '../support/marbles';

const text: Serializer<string, string> = { serialize: (m) => m, deserialize: (d) => String(d) };

describe('sendNow(): control sends that never buffer (#9)', () => {
  it('returns false before the socket is open, during backoff and after close; nothing reaches a later link (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(scheduler, { serializer: text }, { mode: 'manual' }, 1_000);
      const results: Array<[number, boolean]> = [];
      const tryAt = (t: number, frame: string): void => h.at(t, () => results.push([t, h.conn.sendNow(frame)]));
      tryAt(1, 'while-connecting');
      h.at(5, () => h.server.refuse(503));
      tryAt(50, 'during-backoff');
      h.at(150, () => h.server.accept());
      tryAt(200, 'live');
      h.at(300, () => h.conn.close());
      tryAt(400, 'after-close');
      scheduler.flush();
      expect(results).toEqual([
        [1, false],
        [50, false],
        [200, true],
        [400, false],
      ]);
      expect(h.server.received).toEqual(['live']);
    });
  });

  it('writes during the handshake and channel restore, ahead of the offline buffer (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(
        scheduler,
        { serializer: text, handshake: { message: () => 'CONNECT', ack: (m) => m === 'OK' } },
        {},
        1_000,
      );
      h.conn.channel({ key: 'a', subscribe: 'SUB a', match: () => false, ack: (m) => m === 'SUBACK a' }).subscribe();
      h.conn.send('buffered');
      h.conn.messages$.subscribe((m) => {
        // A server PING is answered at once, whatever phase the link is in.
        if (m === 'PING') h.conn.sendNow('PONG');
      });
      h.server.messages$.subscribe(({ connection, message }) => {
        if (message === 'CONNECT') connection.send('PING'); // before the ack: still in the handshake
        if (message === 'PONG' && connection.received.length === 2) connection.send('OK');
        if (message === 'SUB a') {
          connection.send('PING'); // while the channel's ack is pending
          scheduler.schedule(() => connection.send('SUBACK a'), 10);
        }
      });
      scheduler.flush();
      expect(h.server.received).toEqual(['CONNECT', 'PONG', 'SUB a', 'PONG', 'buffered']);
    });
  });

  it('a pong for a link that is gone is refused, not carried to the next link (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(scheduler, { serializer: text }, {}, 1_000);
      const answers: boolean[] = [];
      h.conn.messages$.subscribe((m) => {
        if (m === 'PING') scheduler.schedule(() => answers.push(h.conn.sendNow('PONG')), 20); // answered late
      });
      h.at(10, () => h.server.send('PING'));
      h.at(20, () => h.server.drop());
      scheduler.flush();
      expect(answers).toEqual([false]);
      expect(h.server.connections).toHaveLength(2);
      expect(h.server.connections[1].received).toEqual([]);
    });
  });

  it('throws for a message the serializer cannot encode, also while offline (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const serializer: Serializer<string, string> = {
        serialize: (m) => (m === 'bad' ? (42 as unknown as string) : m),
        deserialize: (d) => String(d),
      };
      const h = harness<string, string>(scheduler, { serializer }, {}, 100);
      expect(() => h.conn.sendNow('bad')).toThrow(TypeError);
      scheduler.flush();
    });
  });
});
