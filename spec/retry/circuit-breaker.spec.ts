import { defer, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import {
  circuitBreaker,
  CircuitOpenError,
  ConfigError,
  retryWithBackoff,
  type BreakerPhase,
  type CircuitBreakerOperatorOptions,
} from '../../lib';
import { testScheduler } from '../support/marbles';

type Cold = TestScheduler['createColdObservable'];

const unavailable = new Error('503');

/**
 * An HTTP-like request: each subscription is one call, answered by the next marble of
 * `answers` (the last one repeats). `calls` records the frame of every call that reached it.
 */
function request(scheduler: TestScheduler, cold: Cold, answers: readonly string[]): { request$: Observable<string>; calls: number[] } {
  const calls: number[] = [];
  const request$ = defer(() => {
    const answer = answers[Math.min(calls.length, answers.length - 1)]!;
    calls.push(scheduler.now());
    return cold(answer, { r: 'response' }, unavailable);
  });
  return { request$, calls };
}

/** Options that log every transition as `[frame, phase]`. */
function logged(scheduler: TestScheduler, options: CircuitBreakerOperatorOptions): {
  options: CircuitBreakerOperatorOptions;
  transitions: Array<[number, BreakerPhase]>;
} {
  const transitions: Array<[number, BreakerPhase]> = [];
  return { options: { ...options, onStateChange: (phase) => transitions.push([scheduler.now(), phase]) }, transitions };
}

function configErrorOf(options: CircuitBreakerOperatorOptions): ConfigError {
  try {
    circuitBreaker(options);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('circuitBreaker()', () => {
  it('opens after failureThreshold consecutive failures; then a subscription fails at once with CircuitOpenError(retryIn)', () => {
    const scheduler = testScheduler();
    const { options, transitions } = logged(scheduler, { failureThreshold: 3, resetTimeout: 1_000 });
    let calls: number[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const http = request(scheduler, cold, ['--#']);
      calls = http.calls;
      const guarded$ = http.request$.pipe(circuitBreaker(options));
      expectObservable(guarded$, '^').toBe('--#', undefined, unavailable);
      expectObservable(guarded$, '10ms ^').toBe('12ms #', undefined, unavailable);
      expectObservable(guarded$, '20ms ^').toBe('22ms #', undefined, unavailable); // third failure: opens at 22
      expectObservable(guarded$, '30ms ^').toBe('30ms #', undefined, new CircuitOpenError(992));
      expectObservable(guarded$, '1021ms ^').toBe('1021ms #', undefined, new CircuitOpenError(1));
    });
    expect(calls).toEqual([0, 10, 20]); // the refused subscriptions never reached the source
    expect(transitions).toEqual([[22, 'open']]);
  });

  it('the error carries retryIn and is a CircuitOpenError', () => {
    const scheduler = testScheduler();
    const errors: unknown[] = [];
    scheduler.run(({ cold }) => {
      const guarded$ = cold('#').pipe(circuitBreaker({ failureThreshold: 1, resetTimeout: 500 }));
      guarded$.subscribe({ error: () => undefined });
      scheduler.schedule(() => guarded$.subscribe({ error: (e) => errors.push(e) }), 200);
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(CircuitOpenError);
    expect(errors[0]).toMatchObject({ name: 'CircuitOpenError', retryIn: 300 });
  });

  it('does not count failures that are not consecutive: a value in between resets the count', () => {
    const scheduler = testScheduler();
    const { options, transitions } = logged(scheduler, { failureThreshold: 2, resetTimeout: 1_000 });
    scheduler.run(({ cold, expectObservable }) => {
      const http = request(scheduler, cold, ['--#', '-r|', '--#', '--#', '--#']);
      const guarded$ = http.request$.pipe(circuitBreaker(options));
      expectObservable(guarded$, '^').toBe('--#', undefined, unavailable);
      expectObservable(guarded$, '10ms ^').toBe('11ms r|', { r: 'response' });
      expectObservable(guarded$, '20ms ^').toBe('22ms #', undefined, unavailable);
      expectObservable(guarded$, '30ms ^').toBe('32ms #', undefined, unavailable); // opens
      expectObservable(guarded$, '40ms ^').toBe('40ms #', undefined, new CircuitOpenError(992));
    });
    expect(transitions).toEqual([[32, 'open']]);
  });

  it('after resetTimeout lets one probe through; others fail fast meanwhile; probe failure re-opens', () => {
    const scheduler = testScheduler();
    const { options, transitions } = logged(scheduler, { failureThreshold: 2, resetTimeout: 1_000 });
    let calls: number[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const http = request(scheduler, cold, ['--#']);
      calls = http.calls;
      const guarded$ = http.request$.pipe(circuitBreaker(options));
      expectObservable(guarded$, '^').toBe('--#', undefined, unavailable);
      expectObservable(guarded$, '--^').toBe('----#', undefined, unavailable); // opens at 4
      expectObservable(guarded$, '1003ms ^').toBe('1003ms #', undefined, new CircuitOpenError(1));
      expectObservable(guarded$, '1004ms ^').toBe('1006ms #', undefined, unavailable); // the probe
      expectObservable(guarded$, '1005ms ^').toBe('1005ms #', undefined, new CircuitOpenError(0)); // during the probe
      expectObservable(guarded$, '1500ms ^').toBe('1500ms #', undefined, new CircuitOpenError(506)); // re-opened at 1006
      expectObservable(guarded$, '2006ms ^').toBe('2008ms #', undefined, unavailable); // second probe
    });
    expect(calls).toEqual([0, 2, 1004, 2006]);
    expect(transitions).toEqual([
      [4, 'open'],
      [1004, 'half-open'],
      [1006, 'open'],
      [2006, 'half-open'],
      [2008, 'open'],
    ]);
  });

  it('probe success closes the breaker and counting starts again from zero', () => {
    const scheduler = testScheduler();
    const { options, transitions } = logged(scheduler, { failureThreshold: 2, resetTimeout: 1_000 });
    let calls: number[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const http = request(scheduler, cold, ['--#', '--#', '-r|', '--#']);
      calls = http.calls;
      const guarded$ = http.request$.pipe(circuitBreaker(options));
      expectObservable(guarded$, '^').toBe('--#', undefined, unavailable);
      expectObservable(guarded$, '--^').toBe('----#', undefined, unavailable); // opens at 4
      expectObservable(guarded$, '1004ms ^').toBe('1005ms r|', { r: 'response' }); // probe succeeds at 1005
      expectObservable(guarded$, '1010ms ^').toBe('1012ms #', undefined, unavailable); // failure 1 of 2: still closed
      expectObservable(guarded$, '1020ms ^').toBe('1022ms #', undefined, unavailable); // failure 2: opens
      expectObservable(guarded$, '1030ms ^').toBe('1030ms #', undefined, new CircuitOpenError(992));
    });
    expect(calls).toEqual([0, 2, 1004, 1010, 1020]);
    expect(transitions).toEqual([
      [4, 'open'],
      [1004, 'half-open'],
      [1005, 'closed'],
      [1022, 'open'],
    ]);
  });

  it('a completion without a value counts as success', () => {
    const scheduler = testScheduler();
    const { options, transitions } = logged(scheduler, { failureThreshold: 1, resetTimeout: 100 });
    scheduler.run(({ cold, expectObservable }) => {
      const http = request(scheduler, cold, ['-#', '--|', '-#']);
      const guarded$ = http.request$.pipe(circuitBreaker(options));
      expectObservable(guarded$, '^').toBe('-#', undefined, unavailable);
      expectObservable(guarded$, '101ms ^').toBe('103ms |');
      expectObservable(guarded$, '200ms ^').toBe('201ms #', undefined, unavailable);
    });
    expect(transitions).toEqual([
      [1, 'open'],
      [101, 'half-open'],
      [103, 'closed'],
      [201, 'open'],
    ]);
  });

  it('errors after the first value pass through without counting', () => {
    const scheduler = testScheduler();
    const { options, transitions } = logged(scheduler, { failureThreshold: 1, resetTimeout: 1_000 });
    let calls: number[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const http = request(scheduler, cold, ['-r-#']);
      calls = http.calls;
      const guarded$ = http.request$.pipe(circuitBreaker(options));
      expectObservable(guarded$, '^').toBe('-r-#', { r: 'response' }, unavailable);
      expectObservable(guarded$, '10ms ^').toBe('11ms r-#', { r: 'response' }, unavailable);
    });
    expect(calls).toEqual([0, 10]);
    expect(transitions).toEqual([]);
  });

  it('a probe unsubscribed before its outcome re-opens the breaker, and the next subscription probes at once', () => {
    const scheduler = testScheduler();
    const { options, transitions } = logged(scheduler, { failureThreshold: 1, resetTimeout: 100 });
    let calls: number[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const http = request(scheduler, cold, ['-#', '-----#', '-r|']);
      calls = http.calls;
      const guarded$ = http.request$.pipe(circuitBreaker(options));
      expectObservable(guarded$, '^').toBe('-#', undefined, unavailable); // opens at 1
      expectObservable(guarded$, '101ms ^-!').toBe(''); // probe abandoned at 103
      expectObservable(guarded$, '102ms ^').toBe('102ms #', undefined, new CircuitOpenError(0));
      expectObservable(guarded$, '104ms ^').toBe('105ms r|', { r: 'response' }); // probes at once
    });
    expect(calls).toEqual([0, 101, 104]);
    expect(transitions).toEqual([
      [1, 'open'],
      [101, 'half-open'],
      [103, 'open'],
      [104, 'half-open'],
      [105, 'closed'],
    ]);
  });

  it('each circuitBreaker() call has its own state; subscriptions to one operator share it', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const breaker = circuitBreaker<string>({ failureThreshold: 1, resetTimeout: 1_000 });
      const a$ = cold('-#', undefined, unavailable).pipe(breaker);
      const b$ = cold('-r|', { r: 'response' }).pipe(breaker); // same breaker, another source
      const c$ = cold('-r|', { r: 'response' }).pipe(circuitBreaker({ failureThreshold: 1 }));
      expectObservable(a$, '^').toBe('-#', undefined, unavailable);
      expectObservable(b$, '5ms ^').toBe('5ms #', undefined, new CircuitOpenError(996));
      expectObservable(c$, '5ms ^').toBe('6ms r|', { r: 'response' });
    });
  });

  it('uses 5 failures and 30 s by default', () => {
    const scheduler = testScheduler();
    const { options, transitions } = logged(scheduler, {});
    scheduler.run(({ cold, expectObservable }) => {
      const guarded$ = cold('-#', undefined, unavailable).pipe(circuitBreaker(options));
      for (const at of [0, 10, 20, 30, 40]) {
        expectObservable(guarded$, `${at}ms ^`).toBe(`${at + 1}ms #`, undefined, unavailable);
      }
      expectObservable(guarded$, '50ms ^').toBe('50ms #', undefined, new CircuitOpenError(29_991));
      expectObservable(guarded$, '30041ms ^').toBe('30042ms #', undefined, unavailable); // probe
    });
    expect(transitions.map(([, phase]) => phase)).toEqual(['open', 'half-open', 'open']);
  });

  it('measures resetTimeout with the given scheduler (outside run())', () => {
    const scheduler = testScheduler();
    const source = scheduler.createColdObservable('-#', undefined, unavailable);
    const guarded$ = source.pipe(circuitBreaker({ failureThreshold: 1, resetTimeout: 100, scheduler }));
    const errors: unknown[] = [];
    const subscribeAt = (frame: number) => scheduler.schedule(() => guarded$.subscribe({ error: (e) => errors.push(e) }), frame);
    subscribeAt(0); // fails at 10 (a frame is 10 virtual ms outside run())
    subscribeAt(50);
    subscribeAt(110);
    scheduler.flush();
    expect(errors).toEqual([unavailable, new CircuitOpenError(60), unavailable]);
    expect(source.subscriptions.map((s) => s.subscribedFrame)).toEqual([0, 110]);
  });

  it('a throwing onStateChange errors the subscription that caused the transition', () => {
    const scheduler = testScheduler();
    const bug = new Error('bug in onStateChange');
    scheduler.run(({ cold, expectObservable }) => {
      const onStateChange = (phase: BreakerPhase) => {
        if (phase === 'open') throw bug;
      };
      const guarded$ = cold('-#', undefined, unavailable).pipe(circuitBreaker({ failureThreshold: 1, onStateChange }));
      expectObservable(guarded$, '^').toBe('-#', undefined, bug);
      expectObservable(guarded$, '5ms ^').toBe('5ms #', undefined, new CircuitOpenError(29_996)); // still opened
    });
  });

  describe('composed with retryWithBackoff', () => {
    it('retries hit the open breaker, not the source, until a probe is allowed', () => {
      const scheduler = testScheduler();
      const { options, transitions } = logged(scheduler, { failureThreshold: 2, resetTimeout: 1_000 });
      const retries: Array<[number, number, string]> = [];
      let calls: number[] = [];
      scheduler.run(({ cold, expectObservable }) => {
        const http = request(scheduler, cold, ['--#', '--#', '--#', '--#', '--(r|)']); // fails 4 times
        calls = http.calls;
        const onRetry = (attempt: number, delay: number, error: unknown) =>
          retries.push([attempt, delay, error instanceof CircuitOpenError ? `open ${error.retryIn}` : '503']);
        const result$ = http.request$.pipe(circuitBreaker(options), retryWithBackoff({ jitter: 0, initialDelay: 100, multiplier: 2, onRetry }));
        expectObservable(result$).toBe('6310ms (r|)', { r: 'response' });
      });
      // 0 ✗ · 102 ✗ opens at 104 · 304 and 704 refused · 1504 probe ✗ · 3106 probe ✗ · 6308 probe ✓
      expect(calls).toEqual([0, 102, 1504, 3106, 6308]);
      expect(retries).toEqual([
        [1, 100, '503'],
        [2, 200, '503'],
        [3, 400, 'open 800'],
        [4, 800, 'open 400'],
        [5, 1600, '503'],
        [6, 3200, '503'],
      ]);
      expect(transitions).toEqual([
        [104, 'open'],
        [1504, 'half-open'],
        [1506, 'open'],
        [3106, 'half-open'],
        [3108, 'open'],
        [6308, 'half-open'],
        [6310, 'closed'],
      ]);
    });

    it('a delay that honours CircuitOpenError.retryIn probes exactly when the breaker allows', () => {
      const scheduler = testScheduler();
      let calls: number[] = [];
      scheduler.run(({ cold, expectObservable }) => {
        const http = request(scheduler, cold, ['--#', '--#', '--#', '--(r|)']);
        calls = http.calls;
        const delay = (attempt: number, error: unknown) => (error instanceof CircuitOpenError ? error.retryIn : 100 * attempt);
        const result$ = http.request$.pipe(circuitBreaker({ failureThreshold: 2, resetTimeout: 1_000 }), retryWithBackoff({ delay }));
        expectObservable(result$).toBe('2108ms (r|)', { r: 'response' });
      });
      // 0 ✗ · 102 ✗ opens at 104 · 304 refused, waits retryIn 800 · 1104 probe ✗ re-opens at 1106
      // · 1506 refused, waits retryIn 600 · 2106 probe ✓
      expect(calls).toEqual([0, 102, 1104, 2106]);
    });
  });

  describe('validation', () => {
    it.each<[string, string, CircuitBreakerOperatorOptions]>([
      ['failureThreshold 0', 'failureThreshold', { failureThreshold: 0 }],
      ['a fractional failureThreshold', 'failureThreshold', { failureThreshold: 2.5 }],
      ['a NaN failureThreshold', 'failureThreshold', { failureThreshold: Number.NaN }],
      ['a negative resetTimeout', 'resetTimeout', { resetTimeout: -1 }],
      ['an infinite resetTimeout', 'resetTimeout', { resetTimeout: Infinity }],
      ['a non-function onStateChange', 'onStateChange', { onStateChange: 'log' as unknown as () => void }],
      ['a scheduler without schedule()', 'scheduler', { scheduler: { now: () => 0 } as never }],
    ])('%s → ConfigError naming %s, when the operator is created', (_, field, options) => {
      const error = configErrorOf(options);
      expect(error.field).toBe(field);
      expect(error.message).toContain(field);
    });

    it('rejects options that are not an object', () => {
      expect(configErrorOf(null as unknown as CircuitBreakerOperatorOptions).field).toBe('options');
    });
  });
});
