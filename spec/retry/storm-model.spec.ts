import {
  libraryPolicy,
  OLD_DEFAULTS,
  RECOMMENDED,
  simulate,
  simulateMedian,
  type StormFigures,
} from '../../bench/storm-model';

/** The storm of issue 10: 500 clients, server down 1 s. */
const STORM = { clients: 500, downMs: 1_000 } as const;

/** The targets of issue 10: busiest 100 ms ≤ 20 % of attempts, every client back ≤ 1.2 s. */
function expectTargetMet(f: StormFigures): void {
  expect(f.peakShare).toBeLessThanOrEqual(0.2);
  expect(f.slidingPeakShare).toBeLessThanOrEqual(0.2);
  expect(f.allBackMs).toBeLessThanOrEqual(1_200);
}

describe('storm model (bench/storm-model.ts)', () => {
  describe('semantics', () => {
    it('makes the first attempt after backoff(1), numbers attempts per outage and restarts each delay after the refusal', () => {
      const f = simulate(libraryPolicy('no jitter', { ...RECOMMENDED, jitter: 0 }), { clients: 1, downMs: 1_000, seed: 1, detectMs: 0 });
      // Attempts at 100, 100+1+150, 251+1+225, 477+1+337.5, then 815.5+1+506.25 (the server is back).
      expect(f.attempts).toBe(5);
      expect(f.attemptsPer100ms).toEqual([0, 1, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
      expect(f.allBackMs).toBeCloseTo(322.75, 10);
    });

    it('honours maxDelay', () => {
      const f = simulate(libraryPolicy('capped', { initialDelay: 100, multiplier: 2, maxDelay: 200, jitter: 0 }), { clients: 1, downMs: 1_000, seed: 1, detectMs: 0 });
      // 100, 301, 502, 703, 904, 1105.
      expect(f.attempts).toBe(6);
      expect(f.allBackMs).toBeCloseTo(105, 10);
    });

    it('is deterministic for a seed, and the seed matters', () => {
      const policy = libraryPolicy('recommended', RECOMMENDED);
      expect(simulate(policy, { ...STORM, seed: 7 })).toEqual(simulate(policy, { ...STORM, seed: 7 }));
      expect(simulate(policy, { ...STORM, seed: 8 }).attemptsPer100ms).not.toEqual(simulate(policy, { ...STORM, seed: 7 }).attemptsPer100ms);
    });
  });

  describe('figures', () => {
    it('0.1 defaults (100 ms, ×2, jitter 0.5) miss the target: 22.7 % and 1.56 s, as the bench measured (issue 10)', () => {
      const f = simulateMedian(libraryPolicy('0.1', OLD_DEFAULTS), STORM);
      expect(f.peakShare).toBeCloseTo(0.2266, 4);
      expect(f.allBackMs).toBeCloseTo(1_560.3, 1);
    });

    it('recommended (100 ms, ×1.5, jitter 0.5), seed 1: the pinned histogram and figures', () => {
      const f = simulate(libraryPolicy('recommended', RECOMMENDED), { ...STORM, seed: 1 });
      expect(f.attemptsPer100ms).toEqual([475, 322, 243, 355, 126, 189, 234, 65, 77, 182, 157, 70, 20, 61, 72, 61, 48, 11]);
      expect(f.attempts).toBe(2_768);
      expect(f.peakShare).toBeCloseTo(475 / 2_768, 12);
      expect(f.peakAttempts).toBe(531);
      expect(f.slidingPeakShare).toBeCloseTo(531 / 2_768, 12);
      expect(f.allBackMs).toBeCloseTo(747.28, 2);
      expect(f.acceptPeakShare).toBeCloseTo(0.316, 12);
    });

    it('recommended meets the storm target (median of 20 seeds): 17.3 % bin, 19.4 % sliding, 0.74 s', () => {
      const f = simulateMedian(libraryPolicy('recommended', RECOMMENDED), STORM);
      expectTargetMet(f);
      expect(f.peakShare).toBeCloseTo(0.1731, 4);
      expect(f.slidingPeakShare).toBeCloseTo(0.1939, 4);
      expect(f.allBackMs).toBeCloseTo(743.7, 1);
    });

    it('recommended: every client is back within (m−1)/(1−jitter)·downMs + initialDelay + 1 ms, for every outage and seed', () => {
      const policy = libraryPolicy('recommended', RECOMMENDED);
      const ratio = (RECOMMENDED.multiplier - 1) / (1 - RECOMMENDED.jitter);
      for (const downMs of [200, 1_000, 5_000, 20_000]) {
        for (let seed = 1; seed <= 5; seed++) {
          const f = simulate(policy, { clients: 500, downMs, seed });
          expect(f.allBackMs).toBeLessThan(ratio * downMs + RECOMMENDED.initialDelay + 1);
        }
      }
    });

    it('recommended costs a long outage little: ≤ 26 refused attempts per client per minute over 30 s, ≤ 4 over 10 min', () => {
      const policy = libraryPolicy('recommended', RECOMMENDED);
      expect(simulateMedian(policy, { clients: 500, downMs: 30_000 }).refusedPerClientPerMinute).toBeLessThanOrEqual(26);
      expect(simulateMedian(policy, { clients: 500, downMs: 600_000 }, 5).refusedPerClientPerMinute).toBeLessThanOrEqual(4);
    });

    it("the library's default backoff is the recommended one and meets the storm target (#10 storm)", () => {
      const f = simulateMedian(libraryPolicy('defaults'), STORM);
      expectTargetMet(f);
      expect(f).toEqual(simulateMedian(libraryPolicy('recommended', RECOMMENDED), STORM));
    });

  });
});
