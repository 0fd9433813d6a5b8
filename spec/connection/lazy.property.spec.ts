import fc from 'fast-check';
import type { Subscription } from 'rxjs';
import { BufferOverflowError, connect, ConnectionClosedError, type ConnectionEvent, type ConnectionState, type Serializer } from '../../lib';
import { TestServer } from '../../lib/testing';
import { testScheduler } from '../support/marbles';

/**
 * A lazy connection driven by random sequences of user and server actions, on virtual time.
 * After each run: it rests only when nothing needs it, never rests while something does, ends
 * every rest the way the contract says, and loses or repeats no accepted send.
 */

/** What the user does: at a step, or from inside an `events$` handler. */
type UserAct = 'join' | 'leave' | 'watch' | 'unwatch' | 'send' | 'reconnect' | 'close';
type ServerAct = 'push' | 'drop' | 'refuse' | 'accept';

interface Step {
  readonly gap: number;
  readonly act: Exclude<UserAct, 'close'> | ServerAct;
}

/** An `events$` subscriber that acts from inside its handler, at most `times` times. */
interface Handler {
  readonly on: ConnectionEvent['type'];
  readonly act: UserAct;
  readonly times: number;
}

interface Scenario {
  readonly idleAfter: number;
  readonly steps: readonly Step[];
  readonly handlers: readonly Handler[];
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  gap: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 700 })),
  act: fc.constantFrom('join', 'join', 'leave', 'leave', 'watch', 'unwatch', 'send', 'send', 'reconnect', 'push', 'drop', 'refuse', 'accept'),
}) as fc.Arbitrary<Step>;

const handlerArb: fc.Arbitrary<Handler> = fc.record({
  on: fc.constantFrom<ConnectionEvent['type']>('Connecting', 'Connected', 'Disconnected', 'Reconnecting', 'Reconnected', 'SubscriptionsRestored', 'Idle'),
  act: fc.constantFrom<UserAct>('join', 'leave', 'watch', 'unwatch', 'send', 'reconnect', 'close'),
  times: fc.integer({ min: 1, max: 3 }),
});

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  idleAfter: fc.constantFrom(0, 100, 500),
  steps: fc.array(stepArb, { maxLength: 25 }),
  handlers: fc.array(handlerArb, { maxLength: 3 }),
});

const text: Serializer<string, string> = { serialize: (m) => m, deserialize: (d) => String(d) };

interface Run {
  readonly events: Array<{ readonly event: ConnectionEvent<string>; readonly at: number; readonly demand: number }>;
  readonly states: ConnectionState[];
  /**
   * Demand and state 1 ms after each step, and idleAfter + 2 ms after it when no step comes
   * between; `quietSince`: since when nothing has needed the link, when that is known (demand
   * only grows at a step, so a check that sees none after the step's own check knows it).
   */
  readonly checks: Array<{ readonly at: number; readonly demand: number; readonly state: ConnectionState; readonly quietSince: number | undefined }>;
  readonly accepted: string[];
  readonly received: string[];
  readonly dropped: boolean;
  readonly openAtEnd: number;
}

function execute({ idleAfter, steps, handlers }: Scenario): Run {
  const scheduler = testScheduler();
  let run: Run | undefined;
  scheduler.run(() => {
    const server = new TestServer();
    const conn = connect<string, string>({
      url: 'ws://lazy.test',
      WebSocket: server.WebSocket,
      serializer: text,
      lazy: { idleAfter },
      retry: { initialDelay: 50, maxDelay: 400, jitter: 0 },
      buffer: { maxMessages: 5 },
    });
    const channels: Subscription[] = [];
    const watchers: Subscription[] = [];
    const demand = (): number => channels.length + watchers.length + conn.buffered;
    const record: Run = { events: [], states: [], checks: [], accepted: [], received: [], dropped: false, openAtEnd: 0 };
    conn.events$.subscribe((event) => record.events.push({ event, at: scheduler.now(), demand: demand() }));
    conn.state$.subscribe((state) => record.states.push(state));
    server.messages$.subscribe(({ message }) => {
      if (typeof message === 'string' && message.startsWith('m')) record.received.push(message);
    });
    /** When a check after the latest step first saw nothing needing the link. */
    let quietSince: number | undefined;
    const check = (): void => {
      const now = demand();
      if (now > 0) quietSince = undefined;
      else quietSince ??= scheduler.now();
      record.checks.push({ at: scheduler.now(), demand: now, state: conn.state, quietSince });
    };
    let sent = 0;
    /** Does what the user does; whatever it changes, the next check measures demand afresh. */
    const perform = (act: UserAct | ServerAct): void => {
      quietSince = undefined;
      switch (act) {
          case 'join':
            channels.push(conn.channel({ key: 'a', subscribe: 'SUB a', unsubscribe: 'UNSUB a', match: (m) => m === 'a' }).subscribe({ error: () => undefined }));
            break;
          case 'leave':
            channels.shift()?.unsubscribe();
            break;
          case 'watch':
            watchers.push(conn.messages$.subscribe({ error: () => undefined }));
            break;
          case 'unwatch':
            watchers.shift()?.unsubscribe();
            break;
          case 'send': {
            const message = `m${sent++}`;
            try {
              conn.send(message);
              record.accepted.push(message);
            } catch (error) {
              if (!(error instanceof BufferOverflowError || error instanceof ConnectionClosedError)) throw error;
            }
            break;
          }
          case 'reconnect':
            try {
              conn.reconnect();
            } catch (error) {
              if (!(error instanceof ConnectionClosedError)) throw error; // its documented error after close()
            }
            break;
          case 'close':
            conn.close();
            break;
          case 'push':
            for (const c of server.open) c.send('a');
            break;
          case 'drop':
            (record as { dropped: boolean }).dropped ||= server.open.length > 0;
            server.drop();
            break;
          case 'refuse':
          case 'accept':
            server.mode = act;
            break;
      }
    };
    for (const handler of handlers) {
      let left = handler.times;
      conn.events$.subscribe((event) => {
        if (event.type !== handler.on || left <= 0) return;
        left--;
        perform(handler.act);
      });
    }
    let t = 0;
    for (const step of steps) {
      t += step.gap;
      const at = t;
      scheduler.schedule(() => perform(step.act), at);
      scheduler.schedule(check, at + 1);
      const next = steps[steps.indexOf(step) + 1];
      if (next === undefined || next.gap > idleAfter + 2) scheduler.schedule(check, at + idleAfter + 2);
    }
    scheduler.schedule(() => {
      conn.close();
      (record as { openAtEnd: number }).openAtEnd = server.connections.filter((c) => c.readyState !== 3).length;
    }, t + 5_000);
    scheduler.flush();
    (record as { openAtEnd: number }).openAtEnd = server.connections.filter((c) => c.readyState !== 3).length;
    run = record;
  });
  return run!;
}

function problems(run: Run, idleAfter: number): string[] {
  const found: string[] = [];
  const types = run.events.map(({ event }) => event.type);
  run.events.forEach(({ event, at, demand }, i) => {
    if (event.type === 'Idle') {
      // Decided when nothing needed the link; a handler of an earlier event may have needed it
      // again since (the wake-up's Connecting then follows the Idle, as delivery order says).
      const woken = run.events[i + 1]?.event;
      if (demand > 0 && woken?.type !== 'Connecting' && woken?.type !== 'Closed') {
        found.push(`Idle at ${at} while ${demand} things needed the link, and nothing woke it`);
      }
      const before = run.events[i - 1]?.event;
      if (before && before.type === 'Disconnected' && !(before.reason === 'manual' || before.permanent)) {
        found.push(`Idle at ${at} after a Disconnected that promised a retry`);
      }
      const after = run.events[i + 1]?.event;
      if (after && !(after.type === 'Connecting' && after.attempt === 0) && after.type !== 'Closed') {
        found.push(`after Idle at ${at} came ${after.type}, expected Connecting{attempt: 0} or Closed`);
      }
    }
  });
  if (types.filter((type) => type === 'Closed').length !== 1 || types[types.length - 1] !== 'Closed') found.push('not exactly one Closed, last');
  if (run.states[0] !== 'idle') found.push(`starts in ${run.states[0]}, not idle`);
  if (run.states[run.states.length - 1] !== 'closed') found.push('does not end closed');
  for (const { at, demand, state, quietSince } of run.checks) {
    if (demand > 0 && state === 'idle') found.push(`idle at ${at} while ${demand} things need the link`);
    // Nothing has needed the link for longer than idleAfter: it must rest by now.
    if (quietSince !== undefined && at - quietSince > idleAfter && state !== 'idle' && state !== 'closed') {
      found.push(`still ${state} at ${at}, with nothing needing it since ${quietSince} (idleAfter ${idleAfter})`);
    }
  }
  const closed = run.events[run.events.length - 1]?.event;
  const unsent = closed?.type === 'Closed' ? (closed.unsent as string[]) : [];
  const delivered = [...run.received, ...unsent];
  if (new Set(delivered).size !== delivered.length) found.push(`a send arrived twice: ${delivered.join(',')}`);
  if (delivered.some((m) => !run.accepted.includes(m))) found.push('something arrived that was never accepted');
  const order = run.received.map((m) => run.accepted.indexOf(m));
  if (order.some((index, i) => i > 0 && index < order[i - 1]!)) found.push(`sends out of order: ${run.received.join(',')}`);
  if (!run.dropped && delivered.length !== run.accepted.length) found.push(`lost without any drop: accepted ${run.accepted.join(',')}, got ${delivered.join(',')}`);
  if (run.openAtEnd !== 0) found.push(`${run.openAtEnd} sockets open after close`);
  return found;
}

describe('lazy connections under random use (property, #11)', () => {
  it('rests only when nothing needs the link and always by idleAfter, wakes with Connecting 0, and loses or repeats no send — also with handlers that act from inside events$ (#11)', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        expect(problems(execute(scenario), scenario.idleAfter)).toEqual([]);
      }),
      { numRuns: Number(process.env.RX_LAZY_RUNS ?? 300) },
    );
  });
});
