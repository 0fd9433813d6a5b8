import { DisconnectError } from '../../lib';
import {
  initialLifecycle,
  reduceLifecycle,
  type LifecycleInput,
  type LifecyclePhase,
  type LifecycleRules,
  type LifecycleState,
  type LifecycleStep,
} from '../../lib/connection/lifecycle-reducer';
import { resolveRetry } from '../../lib/options/resolve-retry';
import { summarize } from '../support/marbles';

/** Deterministic retry policy: 100, 200, 400 … ms, at most 3 attempts, a 10 s outage deadline. */
const rules: LifecycleRules = {
  retry: resolveRetry({ initialDelay: 100, multiplier: 2, jitter: 0, maxAttempts: 3, timeout: 10_000, stableAfter: 1_000 }),
  breaker: { failureThreshold: 2, resetTimeout: 500 },
};
const NOW = 5_000;

const lost = new DisconnectError('error', { code: 1006 });
const closedByServer = new DisconnectError('server-closed', { code: 4000 });
const policyViolation = new DisconnectError('server-closed', { code: 1008 });
const busy = new DisconnectError('error', { status: 503, retryAfter: 2_000 });

/** A state in `phase`, 1 s into its outage, everything else as a new connection. */
function at(phase: LifecyclePhase, overrides: Partial<LifecycleState> = {}): LifecycleState {
  return { ...initialLifecycle(rules, NOW - 1_000, false), phase, everConnected: true, upAt: NOW - 2_000, ...overrides };
}

function failed(error: DisconnectError, attempt: number, wasUp = false, forced = false): LifecycleInput {
  return { type: 'failed', error, attempt, wasUp, forced };
}

/** A step as a row: the phase it leads to, its events (summarized), its effects and its wait. */
function row(result: LifecycleStep): [LifecyclePhase, string[], string[], number | 'hold' | undefined] {
  return [
    result.state.phase,
    result.events.map((event) => summarize(event)),
    result.effects.map((effect) => (effect.type === 'finish' ? `finish ${effect.reason}` : effect.type)),
    result.wait,
  ];
}

type Expected = ReturnType<typeof row>;

/**
 * The lifecycle's rules as a table: from each phase, each input, what comes next. Every rule of
 * DESIGN's event grammar has a row; the event summaries are the marble tests' (`Disconnected
 * reason attempt [p]`, `Reconnecting attempt delay` …).
 */
const TABLE: Array<[string, LifecycleState, LifecycleInput, Expected]> = [
  // ---- start and attempts
  ['the scheduled start runs the attempt loop', at('starting', { everConnected: false }), { type: 'start' }, ['starting', [], ['run-attempts'], undefined]],
  ['a start after close does nothing', at('closed'), { type: 'start' }, ['closed', [], [], undefined]],
  ['a start while resting does nothing', at('idle'), { type: 'start' }, ['idle', [], [], undefined]],
  ['an attempt starts', at('waiting', { attempt: 2 }), { type: 'attempt' }, ['attempting', [], [], undefined]],
  ['the first link is Connected', at('attempting', { everConnected: false }), { type: 'up', url: 'ws://a', attempt: 0 }, ['up', ['Connected'], [], undefined]],
  ['a later link is Reconnected', at('attempting', { attempt: 2 }), { type: 'up', url: 'ws://a', attempt: 2 }, ['up', ['Reconnected 2'], [], undefined]],

  // ---- failures: retry with backoff
  ['a failed first attempt retries: attempt 1 after 100 ms, the pool rotates', at('attempting', { everConnected: false }), failed(lost, 0), ['waiting', ['Disconnected error 0', 'Reconnecting 1 100'], ['rotate-url'], 100]],
  ['attempt 2 failed: attempt 3 after 400 ms', at('attempting', { attempt: 2 }), failed(lost, 2), ['waiting', ['Disconnected error 2', 'Reconnecting 3 400'], ['rotate-url'], 400]],
  ['a lost link (up 2 s, past stableAfter) starts a new outage: attempt 1, no rotation', at('up', { attempt: 3 }), failed(closedByServer, 0, true), ['waiting', ['Disconnected server-closed 0', 'Reconnecting 1 100'], [], 100]],
  ['a link that flapped (up 0.5 s) keeps its outage going: attempt 3', at('up', { attempt: 2, upAt: NOW - 500 }), failed(lost, 0, true), ['waiting', ['Disconnected error 0', 'Reconnecting 3 400'], [], 400]],
  ['503 with Retry-After 2 s waits 2 s, not the 100 ms backoff', at('attempting'), failed(busy, 0), ['waiting', ['Disconnected error 0', 'Reconnecting 1 2000'], ['rotate-url'], 2_000]],
  ['the wait is cut short by the outage deadline', at('attempting', { attempt: 2, outageStartedAt: NOW - 9_900 }), failed(lost, 2), ['waiting', ['Disconnected error 2', 'Reconnecting 3 100'], ['rotate-url'], 100]],

  // ---- give-ups (Closed follows once the permanent Disconnected is delivered, unless resumed)
  ['attempts exhausted: permanent Disconnected, held', at('attempting', { attempt: 3 }), failed(lost, 3), ['giving-up', ['Disconnected error 3 p'], ['rotate-url', 'after-delivery'], 'hold']],
  ['past the outage deadline: gives up', at('attempting', { attempt: 1, outageStartedAt: NOW - 10_000 }), failed(lost, 1), ['giving-up', ['Disconnected error 1 p'], ['rotate-url', 'after-delivery'], 'hold']],
  ['a fatal close code (1008): gives up as fatal', at('up'), failed(policyViolation, 0, true), ['giving-up', ['Disconnected fatal 0 p'], ['after-delivery'], 'hold']],
  ['stopRetry() was called while up: the loss is terminal', at('up', { stopRequested: true }), failed(lost, 0, true), ['giving-up', ['Disconnected error 0 p'], ['after-delivery'], 'hold']],
  ['delivered, not resumed: Closed (finish)', at('giving-up', { giveUp: { reason: 'max-attempts', error: lost, failure: lost, resume: false } }), { type: 'give-up-delivered' }, ['closed', [], ['finish max-attempts'], undefined]],
  ['delivered, resumed by retry(): a fresh series at once', at('giving-up', { attempt: 3, giveUp: { reason: 'max-attempts', error: lost, failure: lost, resume: true } }), { type: 'give-up-delivered' }, ['waiting', ['Reconnecting 1 0'], ['nudge'], undefined]],
  ['delivered after close: nothing', at('closed'), { type: 'give-up-delivered' }, ['closed', [], [], undefined]],

  // ---- circuit breaker (threshold 2, resetTimeout 500)
  ['the threshold-th failed attempt opens the breaker: the probe waits resetTimeout', at('attempting', { attempt: 1, breaker: { phase: 'closed', failures: 1 } }), failed(lost, 1), ['waiting', ['Disconnected error 1', 'CircuitBreakerOpen 1 500', 'Reconnecting 2 500'], ['rotate-url'], 500]],
  ['…or the backoff, when it is longer', at('attempting', { attempt: 2, breaker: { phase: 'half-open', trips: 1 }, maxAttempts: 10 }), failed(lost, 2), ['waiting', ['Disconnected error 2', 'CircuitBreakerOpen 2 500', 'Reconnecting 3 500'], ['rotate-url'], 500]],
  ['…or the server’s Retry-After, when it is longer (#16)', at('attempting', { breaker: { phase: 'closed', failures: 1 } }), failed(busy, 0), ['waiting', ['Disconnected error 0', 'CircuitBreakerOpen 1 2000', 'Reconnecting 1 2000'], ['rotate-url'], 2_000]],
  ['a lost link is no failed attempt: the breaker stays closed', at('up', { breaker: { phase: 'closed', failures: 1 } }), failed(lost, 0, true), ['waiting', ['Disconnected error 0', 'Reconnecting 1 100'], [], 100]],

  // ---- retry(), reconnect(), stopRetry(), wake-ups, close()
  ['retry() while waiting: attempt now', at('waiting'), { type: 'retry', maxAttempts: undefined }, ['waiting', [], ['nudge'], undefined]],
  ['retry() while giving up: resumes once delivered', at('giving-up', { giveUp: { reason: 'max-attempts', error: lost, failure: lost, resume: false } }), { type: 'retry', maxAttempts: undefined }, ['giving-up', [], [], undefined]],
  ['retry() while up: nothing now', at('up'), { type: 'retry', maxAttempts: 7 }, ['up', [], [], undefined]],
  ['reconnect() while up: the link is failed, forced', at('up'), { type: 'reconnect' }, ['up', [], ['fail-link'], undefined]],
  ['reconnect() during an attempt: abandoned, forced (#16)', at('attempting'), { type: 'reconnect' }, ['attempting', [], ['fail-link'], undefined]],
  ['reconnect() while waiting: attempt now', at('waiting'), { type: 'reconnect' }, ['waiting', [], ['nudge'], undefined]],
  ['reconnect() while resting: wake', at('idle'), { type: 'reconnect' }, ['idle', [], ['wake-rest'], undefined]],
  ['the forced failure: Disconnected manual, a fresh series, attempt 1 at once', at('up', { attempt: 2 }), failed(new DisconnectError('manual'), 0, true, true), ['waiting', ['Disconnected manual 0', 'Reconnecting 1 0'], [], 0]],
  ['the forced failure of an attempt reports that attempt', at('attempting', { attempt: 2 }), failed(new DisconnectError('manual'), 2, false, true), ['waiting', ['Disconnected manual 2', 'Reconnecting 1 0'], [], 0]],
  ['stopRetry() during an attempt fails it', at('attempting'), { type: 'stop' }, ['attempting', [], ['fail-link'], undefined]],
  ['stopRetry() while waiting: permanent Disconnected manual (the last attempt made), the wait held', at('waiting', { lastAttemptMade: 2 }), { type: 'stop' }, ['giving-up', ['Disconnected manual 2 p'], ['hold', 'after-delivery'], 'hold']],
  ['stopRetry() while up: only remembered', at('up'), { type: 'stop' }, ['up', [], [], undefined]],
  ['a wake-up while waiting: attempt now', at('waiting'), { type: 'wake' }, ['waiting', [], ['nudge'], undefined]],
  ['a wake-up while up: probe now', at('up'), { type: 'wake' }, ['up', [], ['probe'], undefined]],
  ['a wake-up while attempting: nothing', at('attempting'), { type: 'wake' }, ['attempting', [], [], undefined]],
  ['close() while up: Disconnected manual permanent, then finish', at('up'), { type: 'close', code: 1000 }, ['closed', ['Disconnected manual 0 p'], ['finish manual'], undefined]],
  ['close() while waiting: finish', at('waiting'), { type: 'close', code: 1000 }, ['closed', [], ['finish manual'], undefined]],
  ['close() after close: nothing', at('closed'), { type: 'close', code: 1000 }, ['closed', [], [], undefined]],

  // ---- lazy rest
  ['rest while up: Disconnected manual permanent, Idle', at('up'), { type: 'rest' }, ['idle', ['Disconnected manual 0 p', 'Idle'], ['stop-attempts'], undefined]],
  ['rest while waiting: Idle', at('waiting'), { type: 'rest' }, ['idle', ['Idle'], ['stop-attempts'], undefined]],
  ['rest before the start ran: no Idle (nothing was announced)', at('starting'), { type: 'rest' }, ['idle', [], ['stop-attempts'], undefined]],
  ['no rest while a give-up is delivered', at('giving-up', { giveUp: { reason: 'stopped', error: undefined, failure: lost, resume: false } }), { type: 'rest' }, ['giving-up', [], [], undefined]],
  ['rest while resting: nothing (no second Idle)', at('idle'), { type: 'rest' }, ['idle', [], [], undefined]],
  ['leaving the rest when not resting: nothing', at('up'), { type: 'leave-rest' }, ['up', [], [], undefined]],
  ['a give-up delivered while up (a stale delivery): nothing', at('up'), { type: 'give-up-delivered' }, ['up', [], [], undefined]],
  ['reconnect() before the start ran: nothing more to do (the start comes)', at('starting'), { type: 'reconnect' }, ['starting', [], [], undefined]],
  ['leaving the rest: a fresh start, scheduled', at('idle', { attempt: 3, breaker: { phase: 'open', trips: 2, openedAt: NOW } }), { type: 'leave-rest' }, ['starting', [], ['schedule-start'], undefined]],
];

/** What a give-up being delivered holds, resumed or not. */
function givingUp(resume: boolean): LifecycleState {
  return at('giving-up', { giveUp: { reason: 'max-attempts', error: lost, failure: lost, resume } });
}

describe('reduceLifecycle: what the table rows do not show (found by mutation testing)', () => {
  it('reconnect() from a permanent Disconnected handler resumes, as retry() does; stopRetry() then takes it back', () => {
    const resumed = reduceLifecycle(givingUp(false), { type: 'reconnect' }, rules, NOW).state;
    expect(resumed.giveUp?.resume).toBe(true);
    const stopped = reduceLifecycle(resumed, { type: 'stop' }, rules, NOW).state;
    expect(stopped.giveUp?.resume).toBe(false);
    expect(stopped.stopRequested).toBe(true);
  });

  it('reconnect() cancels an earlier stopRetry(): the loss after it is not terminal', () => {
    const afterStop = at('up', { stopRequested: true });
    const afterReconnect = reduceLifecycle(afterStop, { type: 'reconnect' }, rules, NOW).state;
    expect(afterReconnect.stopRequested).toBe(false);
    expect(row(reduceLifecycle({ ...afterReconnect, attempt: 0 }, failed(lost, 0, true), rules, NOW))[0]).toBe('waiting');
    // In every phase, the first start included.
    for (const phase of ['starting', 'attempting', 'waiting', 'idle'] as const) {
      expect(reduceLifecycle(at(phase, { stopRequested: true }), { type: 'reconnect' }, rules, NOW).state.stopRequested).toBe(false);
    }
  });

  it('the links it fails carry why: reconnect() and stopRetry() are manual, and say which call', () => {
    const errorOf = (state: LifecycleState, input: LifecycleInput): DisconnectError => {
      const effect = reduceLifecycle(state, input, rules, NOW).effects.find((e) => e.type === 'fail-link');
      if (effect?.type !== 'fail-link') throw new Error('no fail-link effect');
      return effect.error;
    };
    expect(errorOf(at('up'), { type: 'reconnect' })).toMatchObject({ reason: 'manual', message: expect.stringContaining('reconnect()') });
    expect(errorOf(at('attempting'), { type: 'stop' })).toMatchObject({ reason: 'manual', message: expect.stringContaining('stopRetry()') });
    const waitingStopped = reduceLifecycle(at('waiting', { lastAttemptMade: 1 }), { type: 'stop' }, rules, NOW);
    expect(waitingStopped.state.giveUp?.failure).toMatchObject({ reason: 'manual', message: expect.stringContaining('stopRetry()') });
  });

  it('a link up exactly stableAfter (1 000 ms) ends its outage; 1 ms less does not', () => {
    const lossAfter = (upFor: number): string[] =>
      row(reduceLifecycle(at('up', { attempt: 2, upAt: NOW - upFor }), failed(lost, 0, true), rules, NOW))[1];
    expect(lossAfter(1_000)).toEqual(['Disconnected error 0', 'Reconnecting 1 100']);
    expect(lossAfter(999)).toEqual(['Disconnected error 0', 'Reconnecting 3 400']);
  });
});

describe('reduceLifecycle(state, input): the lifecycle as a table (#18)', () => {
  it.each(TABLE)('%s', (_rule, state, input, expected) => {
    expect(row(reduceLifecycle(state, input, rules, NOW))).toEqual(expected);
  });

  it('is pure: the same state and input give the same step, and the state passed in is not changed', () => {
    for (const [, state, input] of TABLE) {
      const before = JSON.stringify(state);
      const a = reduceLifecycle(state, input, rules, NOW);
      const b = reduceLifecycle(state, input, rules, NOW);
      expect(JSON.stringify(state)).toBe(before);
      expect(row(a)).toEqual(row(b));
    }
  });

  it('leaving a rest resets the outage and closes the breaker: the next attempt is 0', () => {
    const next = reduceLifecycle(at('idle', { attempt: 3, breaker: { phase: 'open', trips: 2, openedAt: NOW } }), { type: 'leave-rest' }, rules, NOW).state;
    expect(next).toMatchObject({ attempt: 0, outageStartedAt: NOW, breaker: { phase: 'closed', failures: 0 } });
  });

  it('an attempt after an open breaker’s wait is its half-open probe', () => {
    const next = reduceLifecycle(at('waiting', { breaker: { phase: 'open', trips: 1, openedAt: NOW - 500 } }), { type: 'attempt' }, rules, NOW).state;
    expect(next.breaker).toEqual({ phase: 'half-open', trips: 1 });
  });

  it('a link up closes the breaker and records when it came up; its loss records when it was lost', () => {
    const up = reduceLifecycle(at('attempting', { breaker: { phase: 'half-open', trips: 2 } }), { type: 'up', url: 'ws://a', attempt: 1 }, rules, NOW).state;
    expect(up).toMatchObject({ breaker: { phase: 'closed', failures: 0 }, upAt: NOW });
    const down = reduceLifecycle(up, failed(lost, 0, true), rules, NOW + 10).state;
    expect(down.lostAt).toBe(NOW + 10);
    const back = reduceLifecycle({ ...down, phase: 'attempting' }, { type: 'up', url: 'ws://a', attempt: 1 }, rules, NOW + 110);
    expect(back.events).toEqual([{ type: 'Reconnected', attempt: 1, url: 'ws://a', downtime: 100 }]);
  });

  it('retry({ maxAttempts }) sets the limit the next Disconnected reports and the plan honours', () => {
    const raised = reduceLifecycle(at('up'), { type: 'retry', maxAttempts: 7 }, rules, NOW).state;
    expect(raised.maxAttempts).toBe(7);
    const next = reduceLifecycle({ ...raised, phase: 'attempting', attempt: 3 }, failed(lost, 3), rules, NOW);
    expect(next.events[0]).toMatchObject({ type: 'Disconnected', permanent: false, maxAttempts: 7 });
    expect(next.events[1]).toMatchObject({ type: 'Reconnecting', attempt: 4 });
  });

  it('retryOnFailedConnect: false: the first connection failing gives up (max-attempts); a later outage retries', () => {
    const once: LifecycleRules = { ...rules, retry: resolveRetry({ retryOnFailedConnect: false }) };
    const first = reduceLifecycle(at('attempting', { everConnected: false }), failed(lost, 0), once, NOW);
    expect(row(first)).toEqual(['giving-up', ['Disconnected error 0 p'], ['rotate-url', 'after-delivery'], 'hold']);
    expect(first.state.giveUp).toMatchObject({ reason: 'max-attempts' });
    const later = reduceLifecycle(at('up'), failed(lost, 0, true), once, NOW);
    expect(later.state.phase).toBe('waiting');
  });

  it('a retry policy that throws is fatal, and Closed carries what it threw', () => {
    const boom = new Error('shouldRetry bug');
    const throwing: LifecycleRules = {
      ...rules,
      retry: resolveRetry({
        shouldRetry: () => {
          throw boom;
        },
      }),
    };
    const giveUp = reduceLifecycle(at('attempting'), failed(lost, 0), throwing, NOW);
    expect(row(giveUp)).toEqual(['giving-up', ['Disconnected fatal 0 p'], ['rotate-url', 'after-delivery'], 'hold']);
    const end = reduceLifecycle(giveUp.state, { type: 'give-up-delivered' }, throwing, NOW);
    expect(end.effects).toEqual([{ type: 'finish', reason: 'fatal', error: boom }]);
  });
});
