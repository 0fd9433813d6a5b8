import { defer, interval, throwError, timer, type SchedulerAction } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { retryWithBackoff } from '../../lib';
import { testScheduler } from './marbles';
import { DEFAULT_VIRTUAL_TIME_LIMITS, VirtualTimeRunaway, limitVirtualTime } from './virtual-time-tripwire';

/** Wall-clock ms that `fn` took, and what it threw. */
function timed(fn: () => void): { ms: number; thrown: unknown } {
  const start = Number(process.hrtime.bigint()) / 1e6;
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  return { ms: Number(process.hrtime.bigint()) / 1e6 - start, thrown };
}

describe('the virtual-time tripwire (#18): a TestScheduler flush that never runs out of work fails fast with VirtualTimeRunaway', () => {
  it('is installed on every TestScheduler of every spec (jest setupFilesAfterEnv)', () => {
    const scheduler = new TestScheduler(() => undefined);
    const { thrown } = timed(() => scheduler.run(() => void interval(10_000).subscribe()));
    expect(thrown).toBeInstanceOf(VirtualTimeRunaway);
  });

  it('a leaked interval inside run(): fails quickly, naming the virtual time it reached and what is still scheduled', () => {
    const scheduler = testScheduler();
    const { ms, thrown } = timed(() =>
      scheduler.run(() => {
        interval(60_000).subscribe(); // never unsubscribed
      }),
    );
    expect(thrown).toBeInstanceOf(VirtualTimeRunaway);
    const runaway = thrown as VirtualTimeRunaway;
    expect(runaway.name).toBe('VirtualTimeRunaway');
    expect(runaway.bound).toBe('maxFrame');
    expect(runaway.frame).toBe(DEFAULT_VIRTUAL_TIME_LIMITS.maxFrame + 60_000);
    expect(runaway.actions).toBe(DEFAULT_VIRTUAL_TIME_LIMITS.maxFrame / 60_000 + 1);
    expect(runaway.message).toMatch(/^VirtualTimeRunaway: TestScheduler\.flush\(\) reached virtual time 604860000 ms \(more than 7 days\)/);
    expect(runaway.message).toContain('a timer or interval left running');
    expect(runaway.message).toContain('Still scheduled: 1 action(s), due at 604860000 ms');
    expect((scheduler as unknown as { actions: unknown[] }).actions).toEqual([]);
    expect(ms).toBeLessThan(2_000);
  });

  it('a zero-delay loop that reschedules itself: fails on the action count, quickly (the default bound: 200 000 actions)', () => {
    const scheduler = testScheduler();
    limitVirtualTime(scheduler, { maxActions: 50_000 });
    const { ms, thrown } = timed(() =>
      scheduler.run(() => {
        scheduler.schedule(function (this: SchedulerAction<undefined>) {
          this.schedule(undefined, 0);
        });
      }),
    );
    expect(thrown).toBeInstanceOf(VirtualTimeRunaway);
    expect(thrown).toMatchObject({ bound: 'maxActions', actions: 50_001, frame: 0 });
    expect((thrown as Error).message).toContain('executed more than 50000 scheduled actions');
    expect(ms).toBeLessThan(2_000);
  });

  it('work that is slow in wall time: fails on the wall-clock bound', () => {
    const scheduler = testScheduler();
    limitVirtualTime(scheduler, { maxWallMs: 100 });
    const { ms, thrown } = timed(() =>
      scheduler.run(() => {
        scheduler.schedule(function (this: SchedulerAction<undefined>) {
          const until = Number(process.hrtime.bigint()) / 1e6 + 0.05;
          while (Number(process.hrtime.bigint()) / 1e6 < until); // 50 µs of work per action
          this.schedule(undefined, 0);
        });
      }),
    );
    expect(thrown).toMatchObject({ name: 'VirtualTimeRunaway', bound: 'maxWallMs' });
    expect((thrown as VirtualTimeRunaway).wallMs).toBeGreaterThan(100);
    expect(ms).toBeLessThan(2_000);
  });

  it('a retryWithBackoff over a source that always fails: fails instead of hanging, and leaves the queue empty', () => {
    const scheduler = testScheduler();
    limitVirtualTime(scheduler, { maxFrame: 3_600_000 }); // an hour: the default day takes 86 400 retries
    let subscriptions = 0;
    const { ms, thrown } = timed(() =>
      scheduler.run(() => {
        defer(() => {
          subscriptions++;
          return throwError(() => new Error('down'));
        })
          .pipe(retryWithBackoff({ initialDelay: 100, maxDelay: 1_000, jitter: 0 }))
          .subscribe({ error: () => undefined });
      }),
    );
    expect(thrown).toMatchObject({ name: 'VirtualTimeRunaway', bound: 'maxFrame' });
    expect(subscriptions).toBeGreaterThan(3_600);
    expect(ms).toBeLessThan(5_000);
    expect((scheduler as unknown as { actions: unknown[] }).actions).toHaveLength(0);
  });

  it('finite work passes untouched, however long its timeline, and each flush counts afresh', () => {
    const scheduler = testScheduler();
    limitVirtualTime(scheduler, { maxActions: 3_000 });
    const seen: number[] = [];
    let lastAt = -1;
    scheduler.run(() => {
      for (let i = 0; i < 2_000; i++) timer(i * 10).subscribe(() => seen.push(i));
      scheduler.flush(); // 2 000 actions
      for (let i = 0; i < 2_000; i++) timer(i).subscribe(() => seen.push(i)); // 2 000 more: under the bound again
      timer(80_000_000).subscribe(() => (lastAt = scheduler.now())); // far, but within a day
    });
    expect(seen).toHaveLength(4_000);
    expect(lastAt).toBe(80_000_000 + 19_990);
  });
});
