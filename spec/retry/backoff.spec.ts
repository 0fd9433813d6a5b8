import fc from 'fast-check';
import { backoff, ConfigError, type BackoffOptions } from '../../lib';

/** The ConfigError `backoff(options)` throws (fails the test when it throws none). */
function configErrorOf(options: BackoffOptions): ConfigError {
  try {
    backoff(options);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** The un-jittered delay of the contract: `min(maxDelay, initialDelay · multiplier^(attempt−1))`. */
function ceilingOf(options: Required<Omit<BackoffOptions, 'random' | 'jitter'>>, attempt: number): number {
  return Math.min(options.maxDelay, options.initialDelay * Math.pow(options.multiplier, attempt - 1));
}

describe('backoff()', () => {
  describe('examples', () => {
    it('grows ×1.5 from 100 ms by default (jitter 0) (#10 storm)', () => {
      const delayFor = backoff({ jitter: 0 });
      expect([1, 2, 3, 4, 5, 6].map(delayFor)).toEqual([100, 150, 225, 337.5, 506.25, 759.375]);
    });

    it('caps at 30 000 ms by default, from retry 16 (#10 storm)', () => {
      const delayFor = backoff({ jitter: 0 });
      expect(delayFor(15)).toBe(29_192.926025390625);
      expect(delayFor(16)).toBe(30_000);
      expect(delayFor(50)).toBe(30_000);
      expect(delayFor(5_000)).toBe(30_000); // multiplier^4999 overflows to Infinity; still capped
    });

    it('rejects attempt 0 and below: retries are numbered from 1 (#16; 0.3 treated them as the first retry)', () => {
      const delayFor = backoff({ jitter: 0 });
      expect(() => delayFor(0)).toThrow(expect.objectContaining({ name: 'ConfigError', field: 'attempt' }));
      expect(() => delayFor(-3)).toThrow(expect.objectContaining({ name: 'ConfigError', field: 'attempt' }));
    });

    it('honours initialDelay, multiplier and maxDelay', () => {
      const delayFor = backoff({ initialDelay: 50, multiplier: 3, maxDelay: 1_000, jitter: 0 });
      expect([1, 2, 3, 4, 5].map(delayFor)).toEqual([50, 150, 450, 1_000, 1_000]);
    });

    it('multiplier 1 gives a constant delay', () => {
      expect([1, 2, 10].map(backoff({ initialDelay: 250, multiplier: 1, jitter: 0 }))).toEqual([250, 250, 250]);
    });

    it('jitters down by at most `jitter` of the delay: random 0 → the full delay', () => {
      const delayFor = backoff({ multiplier: 2, jitter: 0.5, random: () => 0 });
      expect([1, 2, 3].map(delayFor)).toEqual([100, 200, 400]);
    });

    it('jitters down by at most `jitter` of the delay: random 0.999 → just above d·(1−jitter)', () => {
      const delayFor = backoff({ multiplier: 2, jitter: 0.5, random: () => 0.999 });
      expect(delayFor(1)).toBeCloseTo(100 * (1 - 0.5 * 0.999), 10);
      expect(delayFor(1)).toBeGreaterThanOrEqual(50);
      expect(delayFor(3)).toBeCloseTo(400 * (1 - 0.5 * 0.999), 10);
    });

    it('full jitter (1) spans [0, d]', () => {
      expect(backoff({ multiplier: 2, jitter: 1, random: () => 0 })(2)).toBe(200);
      expect(backoff({ multiplier: 2, jitter: 1, random: () => 0.999 })(2)).toBeCloseTo(0.2, 10);
    });

    it('jitters the capped delay, not the uncapped one', () => {
      const delayFor = backoff({ maxDelay: 1_000, jitter: 0.5, random: () => 0.999 });
      expect(delayFor(20)).toBeCloseTo(1_000 * (1 - 0.5 * 0.999), 10);
    });

    it('clamps a misbehaving random() into [0, 1]', () => {
      expect(backoff({ jitter: 0.5, random: () => -2 })(1)).toBe(100);
      expect(backoff({ jitter: 0.5, random: () => 7 })(1)).toBe(50);
    });

    it('draws a fresh random number per call', () => {
      const draws = [0, 0.5, 0.999];
      const delayFor = backoff({ jitter: 1, random: () => draws.shift() ?? 0 });
      expect([delayFor(1), delayFor(1), delayFor(1)].map((d) => Math.round(d))).toEqual([100, 50, 0]);
    });
  });

  describe('validation', () => {
    it.each<[string, string, BackoffOptions]>([
      ['a negative initialDelay', 'initialDelay', { initialDelay: -1 }],
      ['a NaN initialDelay', 'initialDelay', { initialDelay: Number.NaN }],
      ['an infinite initialDelay', 'initialDelay', { initialDelay: Infinity }],
      ['a negative maxDelay', 'maxDelay', { maxDelay: -5 }],
      ['a NaN maxDelay', 'maxDelay', { maxDelay: Number.NaN }],
      ['multiplier < 1', 'multiplier', { multiplier: 0.5 }],
      ['a NaN multiplier', 'multiplier', { multiplier: Number.NaN }],
      ['an infinite multiplier', 'multiplier', { multiplier: Infinity }],
      ['jitter > 1', 'jitter', { jitter: 1.5 }],
      ['jitter < 0', 'jitter', { jitter: -0.1 }],
      ['a NaN jitter', 'jitter', { jitter: Number.NaN }],
      ['a random that is not a function', 'random', { random: 0.5 as unknown as () => number }],
      ['a string initialDelay', 'initialDelay', { initialDelay: '100' as unknown as number }],
    ])('%s → ConfigError naming %s', (_, field, options) => {
      const error = configErrorOf(options);
      expect(error.field).toBe(field);
      expect(error.message).toContain(field);
    });

    it('ignores fields given as undefined (the default applies)', () => {
      expect(backoff({ initialDelay: undefined, jitter: 0 })(1)).toBe(100);
    });
  });

  describe('properties', () => {
    // Domains kept where initialDelay · multiplier^(attempt−1) stays finite when initialDelay
    // may be 0 (0 · ∞ is NaN); the overflow to Infinity is covered with initialDelay >= 1 below.
    const policy = fc.record({
      initialDelay: fc.double({ min: 0, max: 100_000, noNaN: true }),
      maxDelay: fc.double({ min: 0, max: 1_000_000, noNaN: true }),
      multiplier: fc.double({ min: 1, max: 10, noNaN: true }),
      jitter: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    const draw = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
    const attempt = fc.integer({ min: 1, max: 60 });

    it('is never above maxDelay', () => {
      fc.assert(
        fc.property(policy, draw, attempt, (options, r, n) => {
          expect(backoff({ ...options, random: () => r })(n)).toBeLessThanOrEqual(options.maxDelay);
        }),
      );
    });

    it('stays within [(1−jitter)·ceiling, ceiling], ceiling = min(maxDelay, initialDelay·multiplier^(attempt−1))', () => {
      fc.assert(
        fc.property(policy, draw, attempt, (options, r, n) => {
          const delay = backoff({ ...options, random: () => r })(n);
          const ceiling = ceilingOf(options, n);
          expect(delay).toBeLessThanOrEqual(ceiling);
          expect(delay).toBeGreaterThanOrEqual((1 - options.jitter) * ceiling);
        }),
      );
    });

    it('is capped at maxDelay even when the exponential overflows (initialDelay >= 1, huge attempts)', () => {
      fc.assert(
        fc.property(
          policy.map((o) => ({ ...o, initialDelay: Math.max(1, o.initialDelay) })),
          fc.integer({ min: 1, max: 100_000 }),
          (options, n) => {
            const delay = backoff({ ...options, jitter: 0 })(n);
            expect(delay).toBe(ceilingOf(options, n));
            expect(delay).toBeLessThanOrEqual(options.maxDelay);
          },
        ),
      );
    });

    it('is monotone non-decreasing in attempt when random() is a constant', () => {
      fc.assert(
        fc.property(policy, draw, attempt, (options, r, n) => {
          const delayFor = backoff({ ...options, random: () => r });
          expect(delayFor(n + 1)).toBeGreaterThanOrEqual(delayFor(n));
        }),
      );
    });

    it('with jitter 0 is exactly the formula, whatever random() says', () => {
      fc.assert(
        fc.property(policy, draw, attempt, (options, r, n) => {
          expect(backoff({ ...options, jitter: 0, random: () => r })(n)).toBe(ceilingOf(options, n));
        }),
      );
    });

    it('a valid policy never throws and always gives a finite delay >= 0', () => {
      fc.assert(
        fc.property(policy, draw, attempt, (options, r, n) => {
          const delay = backoff({ ...options, random: () => r })(n);
          expect(Number.isFinite(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
        }),
      );
    });
  });

  // The exponential part overflows to Infinity after enough retries, and 0 · Infinity is NaN:
  // backoffFromValid must treat initialDelay 0 apart.
  it('initialDelay 0 stays 0 however many retries (0 · ∞ must not become NaN)', () => {
    expect(backoff({ initialDelay: 0, jitter: 0 })(2_000)).toBe(0);
  });
});
