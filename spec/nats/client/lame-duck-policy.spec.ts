import fc from 'fast-check';
import { TestScheduler } from 'rxjs/testing';
import { LameDuckMove, lameDuckDelay } from '../../../lib/nats/lame-duck';
import { shuffled } from '../../../lib/nats/shuffle';

describe('lameDuckDelay()', () => {
  it('draws a whole number of ms in [0, spread), 0 for a spread of 0 (#19)', () => {
    expect(lameDuckDelay(5_000, () => 0.5)).toBe(2_500);
    expect(lameDuckDelay(5_000, () => 0)).toBe(0);
    expect(lameDuckDelay(5_000, () => 0.99999999)).toBe(4_999);
    expect(lameDuckDelay(0, () => 0.7)).toBe(0);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 120_000 }), fc.double(), (spread, draw) => {
        const delay = lameDuckDelay(spread, () => draw);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(Math.max(spread - 1, 0));
      }),
    );
  });

  it('spreads the moves of many clients over the window, not into one instant (#19)', () => {
    let seed = 1;
    const random = (): number => ((seed = (seed * 16_807) % 2_147_483_647) - 1) / 2_147_483_646;
    const delays = Array.from({ length: 200 }, () => lameDuckDelay(2_000, random));
    const quarters = [0, 1, 2, 3].map((q) => delays.filter((d) => d >= q * 500 && d < (q + 1) * 500).length);
    for (const count of quarters) expect(count).toBeGreaterThan(25); // ~50 each
  });
});

describe('shuffled()', () => {
  it('is a permutation of its input, which it leaves alone (property) (#19)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.infiniteStream(fc.double()), (items, draws) => {
        const before = [...items];
        const out = shuffled(items, () => draws.next().value);
        expect(items).toEqual(before);
        expect([...out].sort((a, b) => a - b)).toEqual([...items].sort((a, b) => a - b));
      }),
    );
  });

  it('puts each server first about equally often (#19)', () => {
    const firsts = new Map<string, number>();
    for (let i = 0; i < 3_000; i++) {
      const first = shuffled(['a', 'b', 'c'], Math.random)[0];
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    for (const server of ['a', 'b', 'c']) expect(firsts.get(server)).toBeGreaterThan(800); // ~1000 each
  });
});

describe('LameDuckMove (virtual time)', () => {
  /** The virtual times at which the move left, given the spread, the draw and what the script does. */
  const run = (
    spread: number,
    draw: number,
    script: (move: LameDuckMove, state: { lame: boolean }, scheduler: TestScheduler) => void,
  ): number[] => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    const left: number[] = [];
    scheduler.run(() => {
      const state = { lame: true };
      const move = new LameDuckMove(scheduler, spread, () => draw, () => state.lame, () => left.push(scheduler.now()));
      script(move, state, scheduler);
    });
    return left;
  };

  it('leaves at the drawn moment, once, however often lame duck is announced (#19)', () => {
    expect(
      run(1_000, 0.25, (move, _state, scheduler) => {
        move.start();
        scheduler.schedule(() => move.start(), 100); // a second INFO with ldm: the move already drawn stands
      }),
    ).toEqual([250]);
  });

  it('leaves at once for a spread of 0 (0.3.1) (#19)', () => {
    expect(run(0, 0.9, (move) => move.start())).toEqual([0]);
  });

  it('does not leave when the link is lost first, nor when the server is no longer lame by then (#19)', () => {
    expect(
      run(1_000, 0.5, (move, _state, scheduler) => {
        move.start();
        scheduler.schedule(() => move.cancel(), 100); // evicted at 100 ms
      }),
    ).toEqual([]);
    expect(
      run(1_000, 0.5, (move, state, scheduler) => {
        move.start();
        scheduler.schedule(() => (state.lame = false), 100); // listed again by another server: it is back
      }),
    ).toEqual([]);
  });

  it('can be started again after a cancel (the next link is on a lame server too) (#19)', () => {
    expect(
      run(1_000, 0.5, (move, _state, scheduler) => {
        move.start();
        scheduler.schedule(() => move.cancel(), 100);
        scheduler.schedule(() => move.start(), 200);
      }),
    ).toEqual([700]);
  });
});
