import fc from 'fast-check';
import { BufferOverflowError, type ClosedEvent } from '../../lib';
import { testScheduler } from '../support/marbles';
import { ackedRig, type Out } from './harness';

/**
 * Random interleavings of acked sends, plain sends, acks, lost links, refused attempts,
 * timeouts and a close (some made from inside ack and event handlers), checked after each
 * run against what the acked send promises (DESIGN 0.4):
 * - every acked send ends exactly once: its ack, `AckTimeoutError`, or the end of the
 *   connection with the message in `Closed.unsent`;
 * - on every link, what the client writes is in the order it accepted it (resends of older
 *   messages first), and no message is written twice on one link;
 * - a message is never written after it timed out, and an ack counts only for a message the
 *   server's connection received;
 * - every plain send reaches a server exactly once or is in `Closed.unsent` (no loss in flight
 *   is simulated), and `Closed.unsent` is in acceptance order.
 */

type Step =
  | { kind: 'acked' }
  | { kind: 'plain' }
  | { kind: 'ack'; pick: number }
  | { kind: 'drop' }
  | { kind: 'refuse-next' }
  | { kind: 'close-in-ack-handler' }
  | { kind: 'reconnect' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'acked' as const }), weight: 4 },
  { arbitrary: fc.constant({ kind: 'plain' as const }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('ack' as const), pick: fc.nat(30) }), weight: 4 },
  { arbitrary: fc.constant({ kind: 'drop' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'refuse-next' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'close-in-ack-handler' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'reconnect' as const }), weight: 1 },
);

/** Message `n`'s index, from its id or its text. */
function indexOf(message: unknown): number {
  const m = message as Out;
  return Number(m.op === 'order' ? m.id : m.op === 'note' ? m.text : NaN);
}

describe('acked send under random interleavings (property)', () => {
  it('ends every acked send once, writes in acceptance order on every link, never after a timeout, and loses nothing', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(step, fc.integer({ min: 0, max: 120 })), { maxLength: 50 }), (script) => {
        const scheduler = testScheduler();
        scheduler.run(() => {
          const timeout = 150;
          const rig = ackedRig(scheduler, { timeout, maxMessages: 8 }, { buffer: { maxMessages: 6 } });
          const outcomes = new Map<number, string[]>();
          const timedOutAt = new Map<number, number>();
          const plain: number[] = [];
          const acked: number[] = [];
          const problems: string[] = [];
          let closed: ClosedEvent<Out> | undefined;
          let refuseNext = false;
          const restoredAt = new Map<number, number>(); // server.connections index → its SubscriptionsRestored
          const endedAt = new Map<number, number>();
          const connectingAt: number[] = []; // one socket per Connecting: server.connections[i] opened then
          rig.conn.events$.subscribe((e) => {
            if (e.type === 'Closed') closed = e;
            if (e.type === 'Connecting') connectingAt.push(scheduler.now());
            if (e.type === 'SubscriptionsRestored') restoredAt.set(connectingAt.length - 1, scheduler.now());
          });
          rig.server.mode = () => {
            const mode = refuseNext ? 'refuse' : 'accept';
            refuseNext = false;
            return mode;
          };
          let next = 0;
          let at = 1;
          for (const [s, gap] of script) {
            at += gap;
            scheduler.schedule(() => {
              if (closed) return;
              switch (s.kind) {
                case 'acked':
                case 'close-in-ack-handler': {
                  const n = next++;
                  try {
                    const ack$ = rig.sender.send({ op: 'order', id: String(n) });
                    acked.push(n);
                    const seen: string[] = [];
                    outcomes.set(n, seen);
                    ack$.subscribe({
                      next: () => {
                        seen.push('ack');
                        endedAt.set(n, scheduler.now());
                        if (s.kind === 'close-in-ack-handler') rig.conn.close();
                      },
                      error: (e: unknown) => {
                        seen.push((e as Error).name);
                        endedAt.set(n, scheduler.now());
                        if ((e as Error).name === 'AckTimeoutError') timedOutAt.set(n, scheduler.now());
                      },
                    });
                  } catch (e) {
                    if (!(e instanceof BufferOverflowError)) problems.push(`send ${n} threw ${String(e)}`);
                  }
                  return;
                }
                case 'plain': {
                  const n = next++;
                  try {
                    rig.conn.send({ op: 'note', text: String(n) });
                    plain.push(n);
                  } catch (e) {
                    if (!(e instanceof BufferOverflowError)) problems.push(`plain ${n} threw ${String(e)}`);
                  }
                  return;
                }
                case 'ack': {
                  // The server acks one of the orders its current connection received.
                  const connection = rig.server.open[0];
                  const orders = (connection?.received ?? []).filter((m) => (m as Out).op === 'order') as Out[];
                  const pick = orders[s.pick % Math.max(1, orders.length)];
                  if (connection && pick && pick.op === 'order') connection.send({ op: 'ack', id: pick.id });
                  return;
                }
                case 'drop':
                  rig.server.drop();
                  return;
                case 'refuse-next':
                  refuseNext = true;
                  return;
                case 'reconnect':
                  rig.conn.reconnect();
                  return;
              }
            }, at);
          }
          scheduler.schedule(() => rig.conn.close(), at + 1);
          scheduler.flush();

          // Every acked send ended exactly once.
          for (const n of acked) {
            const seen = outcomes.get(n)!;
            if (seen.length !== 1) problems.push(`acked ${n} ended ${seen.length} times: ${seen.join(',')}`);
          }
          // Per link: acceptance order, nothing twice, nothing after its timeout.
          rig.server.connections.forEach((connection, link) => {
            const indices = connection.received.map(indexOf);
            for (let i = 1; i < indices.length; i++) {
              if (!(indices[i]! > indices[i - 1]!)) problems.push(`link ${link} wrote ${indices.join(',')}`);
            }
          });
          // Unsent: the acked ones that did not end with an ack or a timeout, and buffered plain ones.
          const unsent = (closed?.unsent ?? []).map(indexOf);
          for (let i = 1; i < unsent.length; i++) {
            if (!(unsent[i]! > unsent[i - 1]!)) problems.push(`unsent out of order: ${unsent.join(',')}`);
          }
          for (const n of acked) {
            const outcome = outcomes.get(n)![0];
            const inUnsent = unsent.includes(n);
            if (outcome === 'ConnectionClosedError' && !inUnsent) problems.push(`acked ${n} closed but not in unsent`);
            if (outcome !== 'ConnectionClosedError' && inUnsent) problems.push(`acked ${n} ended ${outcome} yet in unsent`);
            if (outcome === 'ack' && !rig.server.connections.some((c) => c.received.some((m) => indexOf(m) === n))) {
              problems.push(`acked ${n} acked but never written`);
            }
          }
          // A timed-out message is no longer resent: no connection made after its timeout has it.
          for (const [n, time] of timedOutAt) {
            for (const [i, connection] of rig.server.connections.entries()) {
              if (connectingAt[i]! > time && connection.received.some((m) => indexOf(m) === n)) {
                problems.push(`acked ${n} written after its timeout at ${time}`);
              }
            }
          }
          // Resent: a message written on a link and still pending when a later link is restored is written on it.
          for (const [i, restored] of restoredAt) {
            const earlier = rig.server.connections.slice(0, i).flatMap((c) => c.received.map(indexOf));
            const here = rig.server.connections[i]!.received.map(indexOf);
            for (const n of acked) {
              if (earlier.includes(n) && (endedAt.get(n) ?? Infinity) > restored && !here.includes(n)) {
                problems.push(`acked ${n} pending at the restore of link ${i} (${restored}) but not resent`);
              }
            }
          }
          for (const n of plain) {
            const times = rig.server.connections.flatMap((c) => c.received).filter((m) => indexOf(m) === n).length;
            if (times + (unsent.includes(n) ? 1 : 0) !== 1) problems.push(`plain ${n} written ${times} times, unsent ${unsent.includes(n)}`);
          }
          expect(closed).toBeDefined();
          expect(problems).toEqual([]);
          expect(scheduler.now()).toBeLessThan(at + timeout + 10_000);
        });
      }),
      { numRuns: Number(process.env.RX_ACKED_RUNS ?? 300), seed: process.env.RX_ACKED_SEED === undefined ? undefined : Number(process.env.RX_ACKED_SEED) },
    );
  });
});
