import fc from 'fast-check';
import type { Subscription } from 'rxjs';
import { BufferOverflowError, type ClosedEvent } from '../lib';
import type { TestConnection } from '../lib/testing';
import { harness } from './support/harness';
import { testScheduler } from './support/marbles';

type Msg = { op: string; topic?: string; n?: number };

const TOPICS = ['a', 'b', 'c', 'd'];

type Op =
  | { kind: 'subscribe'; topic: number }
  | { kind: 'unsubscribe'; pick: number }
  | { kind: 'send' }
  | { kind: 'drop'; code: 1006 | 1001 }
  | { kind: 'refuse' }
  | { kind: 'accept' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('subscribe' as const), topic: fc.nat(TOPICS.length - 1) }),
  fc.record({ kind: fc.constant('unsubscribe' as const), pick: fc.nat(20) }),
  fc.constant({ kind: 'send' as const }),
  fc.constant({ kind: 'send' as const }),
  fc.record({ kind: fc.constant('drop' as const), code: fc.constantFrom(1006 as const, 1001 as const) }),
  fc.constant({ kind: 'refuse' as const }),
  fc.constant({ kind: 'accept' as const }),
);

/** The server's view: the topics a connection is subscribed to, from what it received. */
function serverTopics(connection: TestConnection): string[] {
  const topics = new Set<string>();
  for (const message of connection.received as Msg[]) {
    if (message.op === 'sub') topics.add(message.topic!);
    if (message.op === 'unsub') topics.delete(message.topic!);
  }
  return [...topics].sort();
}

describe('channels and sends under random interleavings (property)', () => {
  it('after every SubscriptionsRestored the server has exactly the client’s channels; every accepted send is delivered once, in order, or returned in unsent', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(op, fc.integer({ min: 0, max: 250 })), { maxLength: 40 }), (script) => {
        const scheduler = testScheduler();
        scheduler.run(() => {
          const h = harness<Msg, Msg>(scheduler, { buffer: { maxMessages: 5 } }, {}, 20_000);
          const held: Array<{ topic: string; subscription: Subscription }> = [];
          const accepted: number[] = [];
          const mismatches: string[] = [];
          let next = 0;
          const clientTopics = () => [...new Set(held.map((s) => s.topic))].sort();
          h.conn.events$.subscribe((e) => {
            if (e.type !== 'SubscriptionsRestored' && e.type !== 'Connected') return;
            const server = serverTopics(h.server.last);
            if (JSON.stringify(server) !== JSON.stringify(clientTopics())) {
              mismatches.push(`${e.type}: server ${server} client ${clientTopics()}`);
            }
          });
          let at = 1;
          for (const [step, gap] of script) {
            at += gap;
            h.at(at, () => {
              switch (step.kind) {
                case 'subscribe': {
                  const topic = TOPICS[step.topic]!;
                  const subscription = h.conn
                    .channel({ key: topic, subscribe: { op: 'sub', topic }, unsubscribe: { op: 'unsub', topic }, match: (m) => m.topic === topic })
                    .subscribe();
                  held.push({ topic, subscription });
                  break;
                }
                case 'unsubscribe': {
                  if (held.length === 0) break;
                  const [removed] = held.splice(step.pick % held.length, 1);
                  removed!.subscription.unsubscribe();
                  break;
                }
                case 'send': {
                  const n = next++;
                  try {
                    h.conn.send({ op: 'data', n });
                    accepted.push(n);
                  } catch (error) {
                    if (!(error instanceof BufferOverflowError)) throw error;
                  }
                  break;
                }
                case 'drop':
                  h.server.drop(step.code);
                  break;
                case 'refuse':
                  h.server.mode = 'refuse';
                  break;
                case 'accept':
                  h.server.mode = 'accept';
                  break;
              }
            });
          }
          // Let the last outage end, check the live link, then close.
          h.at(at + 1, () => (h.server.mode = 'accept'));
          h.at(19_999, () => {
            if (h.server.last.isOpen) {
              const server = serverTopics(h.server.last);
              if (JSON.stringify(server) !== JSON.stringify(clientTopics())) mismatches.push(`end: server ${server} client ${clientTopics()}`);
            }
          });
          scheduler.flush();

          expect(mismatches).toEqual([]);
          const delivered = (h.server.received as Msg[]).filter((m) => m.op === 'data').map((m) => m.n!);
          const closed = h.events.at(-1) as ClosedEvent<Msg>;
          expect(closed.type).toBe('Closed');
          const unsent = closed.unsent.map((m) => m.n!);
          expect([...delivered, ...unsent]).toEqual(accepted);
        });
      }),
      { numRuns: 300 },
    );
  });
});
