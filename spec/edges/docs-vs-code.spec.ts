import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NotConnectedError, type ConnectionState } from '../../lib';
import { harness } from '../support/harness';
import { testScheduler } from '../support/marbles';

/**
 * Issue #16, item 4: the TSDoc users read in their editor must say what the code does. Each
 * case shows the behaviour, then checks the doc comment that describes it.
 */

const ROOT = path.resolve(__dirname, '../..');

/** The TSDoc comment right before `declaration` in `file` (its text, `*` margins removed). */
function docBefore(file: string, declaration: RegExp): string {
  const source = readFileSync(path.join(ROOT, file), 'utf8');
  const match = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*${declaration.source}`).exec(source);
  if (!match) throw new Error(`no doc comment before ${declaration} in ${file}`);
  return match[1]!.replace(/^\s*\* ?/gm, '').replace(/\s+/g, ' ');
}

type Msg = { op?: string; topic?: string; ack?: string };

describe('Reconnected is not always followed by SubscriptionsRestored (#16 item 4)', () => {
  it('a link lost during its restore: Reconnected, then Disconnected, no SubscriptionsRestored for it', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 1_000);
      // The server acks only on the first link: the second one is dropped while its restore waits.
      h.server.messages$.subscribe(({ connection, message }) => {
        if ((message as Msg).op === 'sub' && connection.index === 0) connection.send({ ack: 'x' });
      });
      h.conn
        .channel({ key: 'x', subscribe: { op: 'sub', topic: 'x' }, match: (m) => m.topic === 'x', ack: (m) => m.ack === 'x' })
        .subscribe({ error: () => undefined });
      h.at(10, () => h.server.drop());
      h.at(150, () => h.server.drop()); // the second link (up at 110) still waits for its ack
      scheduler.flush();
      const types = h.timeline.filter(([t]) => t >= 100 && t <= 200).map(([, e]) => e.split(' ')[0]);
      expect(types).toEqual(['Connecting', 'Reconnected', 'Disconnected', 'Reconnecting']);
    });
  });

  it('lib/events.ts says so: the Reconnected doc no longer promises "always"', () => {
    const reconnected = docBefore('lib/events.ts', /export interface ReconnectedEvent/);
    expect(reconnected).not.toMatch(/always followed/i);
    expect(reconnected).toMatch(/unless this link is lost first/);
    expect(docBefore('lib/events.ts', /export interface SubscriptionsRestoredEvent/)).toMatch(/unless that link is lost/);
  });
});

describe('buffer: false during the channel restore (#16 item 4)', () => {
  it('send() throws NotConnectedError while state is already "connected"; sendNow() writes; after the restore send() writes', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, { buffer: false }, {}, 500);
      h.server.messages$.subscribe(({ connection, message }) => {
        if ((message as Msg).op === 'sub') scheduler.schedule(() => connection.send({ ack: 'x' }), 50);
      });
      h.conn
        .channel({ key: 'x', subscribe: { op: 'sub', topic: 'x' }, match: (m) => m.topic === 'x', ack: (m) => m.ack === 'x' })
        .subscribe();
      let during: { state: ConnectionState; error: unknown; sentNow: boolean } | undefined;
      h.at(20, () => {
        let error: unknown;
        try {
          h.conn.send({ op: 'early' });
        } catch (thrown) {
          error = thrown;
        }
        during = { state: h.conn.state, error, sentNow: h.conn.sendNow({ op: 'control' }) };
      });
      h.at(100, () => h.conn.send({ op: 'late' }));
      scheduler.flush();
      expect(during!.state).toBe('connected');
      expect(during!.error).toBeInstanceOf(NotConnectedError);
      expect(during!.sentNow).toBe(true);
      expect(h.server.connections[0]!.received.map((m) => (m as Msg).op)).toEqual(['sub', 'control', 'late']);
    });
  });

  it('lib/connection/connection.ts says so, next to send() and sendNow()', () => {
    const send = docBefore('lib/connection/connection.ts', /send\(message: Out\): void;/);
    expect(send).toMatch(/throws `NotConnectedError` although `state` is `'connected'`/);
    const sendNow = docBefore('lib/connection/connection.ts', /sendNow\(message: Out\): boolean;/);
    expect(sendNow).toMatch(/`send\(\)` throws `NotConnectedError` although `state` is already `'connected'`/);
  });
});
