import { connect, type ConnectionState } from '../../lib';
import { TestServer } from '../../lib/testing';
import { testScheduler } from '../support/marbles';

/**
 * Faults of `lazy` that the model-based test found (with `lazy` in its scenarios), each reduced
 * to its smallest run; fixed in 0.3.1. A rest ends the outage and its breaker, so waking is a
 * fresh start; demand that changes while a give-up is delivered is acted on once it is.
 */

interface Trace {
  readonly events: string[];
  readonly states: Array<[number, ConnectionState]>;
}

/**
 * A lazy connection (idleAfter 1 ms) whose first attempts the server refuses, with a breaker
 * that opens on the first failure for 100 ms: a `messages$` subscriber at 0 starts it, leaves
 * at once (Idle at 1 ms while the breaker is open), then `act` runs at 50 ms.
 */
function wakeWhileBreakerOpen(act: (conn: ReturnType<typeof connect>) => void): Trace {
  const scheduler = testScheduler();
  const trace: Trace = { events: [], states: [] };
  scheduler.run(() => {
    const server = new TestServer({ mode: 'refuse' });
    const conn = connect({
      url: 'ws://lazy.test',
      WebSocket: server.WebSocket,
      lazy: { idleAfter: 1 },
      circuitBreaker: { failureThreshold: 1, resetTimeout: 100 },
      retry: { initialDelay: 10, jitter: 0 },
    });
    conn.events$.subscribe((e) => trace.events.push(`${scheduler.now()} ${e.type}${e.type === 'Connecting' ? ` ${e.attempt}` : ''}`));
    const first = conn.messages$.subscribe({ error: () => undefined });
    first.unsubscribe();
    scheduler.schedule(() => act(conn), 50);
    scheduler.schedule(() => trace.states.push([scheduler.now(), conn.state]), 51);
    scheduler.schedule(() => conn.close(), 300);
  });
  return trace;
}

describe('lazy: faults found by the model-based test', () => {
  it('a subscriber that wakes a connection resting with its breaker open starts it at once: Connecting 0, not idle for up to resetTimeout', () => {
    const trace = wakeWhileBreakerOpen((conn) => conn.messages$.subscribe({ error: () => undefined }));
    // Before 0.3.1: no event at 50 ms, state 'idle' at 51 ms with a subscriber waiting, and
    // Connecting 0 only at 100 ms. Now the fresh attempt is made at once; the server still
    // refuses it, so the (fresh) breaker opens again.
    expect(trace.events.filter((e) => e.startsWith('50 '))).toEqual([
      '50 Connecting 0',
      '50 Disconnected',
      '50 CircuitBreakerOpen',
      '50 Reconnecting',
    ]);
    expect(trace.states).toEqual([[51, 'circuit-open']]);
  });

  it('reconnect() on a connection resting with its breaker open wakes it (Connecting 0) before it rests again: never two Idle in a row', () => {
    const trace = wakeWhileBreakerOpen((conn) => conn.reconnect());
    // Before 0.3.1: ['0 Connecting 0', …, '1 Idle', '51 Idle'], a second Idle with no wake between.
    const idleAgain = trace.events.findIndex((e, i) => i > 0 && e.endsWith(' Idle') && trace.events[i - 1]!.endsWith(' Idle'));
    expect(idleAgain).toBe(-1);
    expect(trace.events).toContain('50 Connecting 0');
  });

  it('the last subscriber leaving from the handler of a permanent Disconnected that retry() resumes: the connection still rests within idleAfter', () => {
    const scheduler = testScheduler();
    const events: string[] = [];
    scheduler.run(() => {
      const server = new TestServer({ mode: 'refuse' });
      const conn = connect({
        url: 'ws://lazy.test',
        WebSocket: server.WebSocket,
        lazy: { idleAfter: 8 },
        retry: { initialDelay: 10, jitter: 0, maxAttempts: 1 },
      });
      const sub = conn.messages$.subscribe({ error: () => undefined });
      let resumed = false;
      conn.events$.subscribe((e) => {
        events.push(`${scheduler.now()} ${e.type}`);
        if (e.type === 'Disconnected' && e.permanent && !resumed) {
          resumed = true;
          sub.unsubscribe(); // nothing needs the link any more …
          conn.retry({ maxAttempts: 1_000 }); // … and the outage goes on (README: retry() from this handler resumes)
        }
      });
      scheduler.schedule(() => conn.close(), 500);
    });
    // The give-up is at 10 ms: Idle due by 18 ms. Before 0.3.1 the demand change was ignored
    // while the give-up was delivered (Rest.demandChanged: mayRest() is false) and nothing
    // re-checked after the resume: it retried every 10 ms until close() at 500 ms.
    const idle = events.find((e) => e.endsWith(' Idle'));
    expect(idle).toBeDefined();
    expect(Number(idle!.split(' ')[0])).toBeLessThanOrEqual(18);
  });
});
