import { defer, take, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { ConfigError, retryWithBackoff, type RetryWithBackoffOptions } from '../../lib';
import { testScheduler } from '../support/marbles';

type Cold = TestScheduler['createColdObservable'];

/**
 * An HTTP-like request: each subscription is one call, answered after 2 ms by the next
 * marble of `answers` (the last one repeats). `calls` records the frame of every call.
 */
function request(
  scheduler: TestScheduler,
  cold: Cold,
  answers: readonly string[],
  error: unknown = new Error('503'),
): { request$: Observable<string>; calls: number[] } {
  const calls: number[] = [];
  const request$ = defer(() => {
    const answer = answers[Math.min(calls.length, answers.length - 1)]!;
    calls.push(scheduler.now());
    return cold(answer, { r: 'response' }, error);
  });
  return { request$, calls };
}

function configErrorOf(options: RetryWithBackoffOptions): ConfigError {
  try {
    retryWithBackoff(options);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('retryWithBackoff()', () => {
  // Most timelines here were written for ×2 (0.1's default), which they spell out.
  it('resubscribes exactly at the backoff delays (100, 200, 400 ms with jitter 0)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--#');
      expectObservable(source.pipe(retryWithBackoff({ jitter: 0, multiplier: 2, maxAttempts: 3 }))).toBe('708ms #');
      expectSubscriptions(source.subscriptions).toBe([
        '^-!',
        '102ms ^-!', // failed at 2, waited 100
        '304ms ^-!', // failed at 104, waited 200
        '706ms ^-!', // failed at 306, waited 400
      ]);
    });
  });

  it('shares the default backoff of connect(): 100, 150, 225 ms with jitter 0 and no multiplier given (#10 storm)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--#');
      expectObservable(source.pipe(retryWithBackoff({ jitter: 0, maxAttempts: 3 }))).toBe('483ms #');
      expectSubscriptions(source.subscriptions).toBe([
        '^-!',
        '102ms ^-!', // failed at 2, waited 100
        '254ms ^-!', // failed at 104, waited 150
        '481ms ^-!', // failed at 256, waited 225
      ]);
    });
  });

  it('delivers the answer once a call succeeds after failures', () => {
    const scheduler = testScheduler();
    let calls: number[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const http = request(scheduler, cold, ['--#', '--#', '--(r|)']);
      calls = http.calls;
      expectObservable(http.request$.pipe(retryWithBackoff({ jitter: 0, multiplier: 2 }))).toBe('306ms (r|)', { r: 'response' });
    });
    expect(calls).toEqual([0, 102, 304]);
  });

  it('maxAttempts: 2 → three subscriptions, then the last error', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = new Error('down');
      const source = cold('--#', undefined, error);
      expectObservable(source.pipe(retryWithBackoff({ jitter: 0, multiplier: 2, maxAttempts: 2 }))).toBe('306ms #', undefined, error);
      expectSubscriptions(source.subscriptions).toBe(['^-!', '102ms ^-!', '304ms ^-!']);
    });
  });

  it('maxAttempts: 0 never retries', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--#');
      expectObservable(source.pipe(retryWithBackoff({ maxAttempts: 0 }))).toBe('--#');
      expectSubscriptions(source.subscriptions).toBe(['^-!']);
    });
  });

  it('retries for ever by default (until a call succeeds)', () => {
    const scheduler = testScheduler();
    let calls: number[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const http = request(scheduler, cold, [...Array<string>(12).fill('--#'), '--(r|)']);
      calls = http.calls;
      // 100·(2^12 − 1) = 409 500 ms capped per wait at 30 000: 100…25 600, then 30 000 × 3.
      expectObservable(http.request$.pipe(retryWithBackoff({ jitter: 0, multiplier: 2 }))).toBe('141126ms (r|)', { r: 'response' });
    });
    expect(calls).toHaveLength(13);
    expect(calls[12]).toBe(141_124);
  });

  it('shouldRetry false → the error at once, with no wait and no onRetry', () => {
    const scheduler = testScheduler();
    const onRetry = jest.fn();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = new Error('401');
      const source = cold('--#', undefined, error);
      expectObservable(source.pipe(retryWithBackoff({ shouldRetry: () => false, onRetry }))).toBe('--#', undefined, error);
      expectSubscriptions(source.subscriptions).toBe(['^-!']);
    });
    expect(onRetry).not.toHaveBeenCalled();
  });

  it('shouldRetry sees each error: transient ones retry, a fatal one ends the stream', () => {
    const scheduler = testScheduler();
    const seen: unknown[] = [];
    const calls: number[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      let n = 0;
      const errors = ['503', '502', '403'];
      const source = defer(() => {
        calls.push(scheduler.now());
        return cold('--#', undefined, errors[n++]);
      });
      const shouldRetry = (e: unknown) => {
        seen.push(e);
        return e !== '403';
      };
      expectObservable(source.pipe(retryWithBackoff({ jitter: 0, multiplier: 2, shouldRetry }))).toBe('306ms #', undefined, '403');
    });
    expect(seen).toEqual(['503', '502', '403']);
    expect(calls).toEqual([0, 102, 304]);
  });

  it('calls onRetry(attempt, delay, error) before each wait, attempts numbered from 1', () => {
    const scheduler = testScheduler();
    const log: Array<[number, number, number, unknown]> = [];
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('--#', undefined, 'boom');
      const onRetry = (attempt: number, delay: number, error: unknown) => log.push([scheduler.now(), attempt, delay, error]);
      expectObservable(source.pipe(retryWithBackoff({ jitter: 0, multiplier: 2, maxAttempts: 3, onRetry }))).toBe('708ms #', undefined, 'boom');
    });
    // [frame of the call, attempt, delay, error]: called when the error arrives, before the wait.
    expect(log).toEqual([
      [2, 1, 100, 'boom'],
      [104, 2, 200, 'boom'],
      [306, 3, 400, 'boom'],
    ]);
  });

  it('reports the jittered delay it actually waits', () => {
    const scheduler = testScheduler();
    const delays: number[] = [];
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--#');
      const options = { multiplier: 2, jitter: 0.5, random: () => 0.5, maxAttempts: 2, onRetry: (_: number, d: number) => delays.push(d) };
      expectObservable(source.pipe(retryWithBackoff(options))).toBe('231ms #');
      expectSubscriptions(source.subscriptions).toBe(['^-!', '77ms ^-!', '229ms ^-!']); // 75, 150
    });
    expect(delays).toEqual([75, 150]);
  });

  it('a custom delay(attempt, error) replaces the formula', () => {
    const scheduler = testScheduler();
    const args: Array<[number, unknown]> = [];
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--#', undefined, 'e');
      const delay = (attempt: number, error: unknown) => {
        args.push([attempt, error]);
        return attempt * 10;
      };
      expectObservable(source.pipe(retryWithBackoff({ delay, maxAttempts: 3 }))).toBe('68ms #', undefined, 'e');
      expectSubscriptions(source.subscriptions).toBe(['^-!', '12ms ^-!', '34ms ^-!', '66ms ^-!']);
    });
    expect(args).toEqual([
      [1, 'e'],
      [2, 'e'],
      [3, 'e'],
    ]);
  });

  it('a delay of 0 still resubscribes through the scheduler (not synchronously)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--#');
      expectObservable(source.pipe(retryWithBackoff({ delay: () => 0, maxAttempts: 2 }))).toBe('------#');
      expectSubscriptions(source.subscriptions).toBe(['^-!', '--^-!', '----^-!']);
    });
  });

  it('a custom delay returning an invalid number errors the stream with a ConfigError', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('--#');
      expectObservable(source.pipe(retryWithBackoff({ delay: () => -1 }))).toBe(
        '--#',
        undefined,
        new ConfigError('delay() result', -1, 'a finite number of milliseconds >= 0'),
      );
    });
  });

  it('a throwing onRetry errors the stream with its error', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const bug = new Error('bug in onRetry');
      const onRetry = () => {
        throw bug;
      };
      expectObservable(cold('--#').pipe(retryWithBackoff({ onRetry }))).toBe('--#', undefined, bug);
    });
  });

  it('resetOnSuccess: a value resets the count, so the waits start again at 100 ms', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a#');
      const result = source.pipe(retryWithBackoff({ jitter: 0, maxAttempts: 1, resetOnSuccess: true }), take(4));
      expectObservable(result).toBe('-a 101ms a 101ms a 101ms (a|)');
      expectSubscriptions(source.subscriptions).toBe(['^-!', '102ms ^-!', '204ms ^-!', '306ms ^!']);
    });
  });

  it('without resetOnSuccess (the default) values do not reset the count or the waits', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a#');
      const result = source.pipe(retryWithBackoff({ jitter: 0, multiplier: 2, maxAttempts: 2 }));
      expectObservable(result).toBe('-a 101ms a 201ms a#');
      expectSubscriptions(source.subscriptions).toBe(['^-!', '102ms ^-!', '304ms ^-!']);
    });
  });

  it('unsubscribing during a wait cancels the pending retry', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--#');
      expectObservable(source.pipe(retryWithBackoff({ jitter: 0 })), '^ 50ms !').toBe('');
      expectSubscriptions(source.subscriptions).toBe(['^-!']);
    });
  });

  it('runs its waits on the given scheduler (outside run(), no real timers)', () => {
    const scheduler = testScheduler();
    const source = scheduler.createColdObservable('--#', undefined, 'e');
    const errors: unknown[] = [];
    source.pipe(retryWithBackoff({ jitter: 0, maxAttempts: 1, scheduler })).subscribe({ error: (e) => errors.push([scheduler.now(), e]) });
    scheduler.flush();
    // Outside run() a frame is 10 virtual ms: fails at 20, waits 100, fails again at 140.
    expect(source.subscriptions.map((s) => [s.subscribedFrame, s.unsubscribedFrame])).toEqual([
      [0, 20],
      [120, 140],
    ]);
    expect(errors).toEqual([[140, 'e']]);
  });

  describe('validation', () => {
    it.each<[string, string, RetryWithBackoffOptions]>([
      ['a negative maxAttempts', 'maxAttempts', { maxAttempts: -1 }],
      ['a fractional maxAttempts', 'maxAttempts', { maxAttempts: 1.5 }],
      ['a NaN maxAttempts', 'maxAttempts', { maxAttempts: Number.NaN }],
      ['a negative initialDelay', 'initialDelay', { initialDelay: -1 }],
      ['multiplier < 1', 'multiplier', { multiplier: 0.9 }],
      ['jitter > 1', 'jitter', { jitter: 2 }],
      ['a NaN maxDelay', 'maxDelay', { maxDelay: Number.NaN }],
      ['a non-function delay', 'delay', { delay: 100 as unknown as () => number }],
      ['a non-function shouldRetry', 'shouldRetry', { shouldRetry: true as unknown as () => boolean }],
      ['a non-function onRetry', 'onRetry', { onRetry: 'log' as unknown as () => void }],
      ['a non-boolean resetOnSuccess', 'resetOnSuccess', { resetOnSuccess: 1 as unknown as boolean }],
      ['a scheduler without now()', 'scheduler', { scheduler: {} as never }],
      ['a backoff typo next to a custom delay', 'jitter', { delay: () => 1, jitter: -1 }],
    ])('%s → ConfigError naming %s, when the operator is created', (_, field, options) => {
      const error = configErrorOf(options);
      expect(error.field).toBe(field);
      expect(error.message).toContain(field);
    });

    it('rejects options that are not an object', () => {
      expect(configErrorOf(null as unknown as RetryWithBackoffOptions).field).toBe('options');
    });

    it('accepts no options and undefined fields (defaults apply)', () => {
      expect(() => retryWithBackoff()).not.toThrow();
      expect(() => retryWithBackoff({ maxAttempts: undefined, scheduler: undefined })).not.toThrow();
    });
  });
});
