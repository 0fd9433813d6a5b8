import type { SchedulerAction } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';

/**
 * A tripwire for virtual time that never runs out (issue #18): inside `TestScheduler.run()`
 * the scheduler flushes with `maxFrames = Infinity`, so a timer left scheduled (an interval
 * nobody unsubscribed, a connection nobody closed, a zero-delay loop) makes `flush()` spin
 * forever. `flush()` is synchronous, so Jest's test timeout never fires and the whole run
 * hangs. The tripwire bounds each flush in actions executed, virtual time reached and wall
 * time spent, and fails it with {@link VirtualTimeRunaway}, which says which bound it hit and
 * what was still scheduled.
 *
 * `spec/support/setup-virtual-time-tripwire.ts` installs it on every `TestScheduler` of every
 * spec (Jest `setupFilesAfterEnv`); a spec that legitimately needs more sets its own limits
 * with {@link limitVirtualTime}.
 */

/** The bounds of one `flush()`. */
export interface VirtualTimeLimits {
  /**
   * Actions one flush may execute (the busiest spec's flush executes under 4 000).
   * @default 200_000
   */
  readonly maxActions: number;
  /**
   * Virtual time (ms, the frame) one flush may reach: a week of virtual time is more than any
   * spec's timeline (the longest reaches under 3 minutes; a TestServer's own guard against a
   * connection never closed fires within days), and a leaked 30 s heartbeat gets there in
   * about 20 000 actions.
   * @default 604_800_000
   */
  readonly maxFrame: number;
  /**
   * Wall-clock ms one flush may take (well under Jest's 15 s test timeout, which cannot fire
   * while `flush()` runs).
   * @default 10_000
   */
  readonly maxWallMs: number;
}

/** The bounds every `TestScheduler` gets unless {@link limitVirtualTime} sets others. */
export const DEFAULT_VIRTUAL_TIME_LIMITS: VirtualTimeLimits = { maxActions: 200_000, maxFrame: 604_800_000, maxWallMs: 10_000 };

/** A `TestScheduler.flush()` went past one of its {@link VirtualTimeLimits}: something keeps scheduling. */
export class VirtualTimeRunaway extends Error {
  override readonly name = 'VirtualTimeRunaway';

  constructor(
    /** The bound it hit. */
    readonly bound: keyof VirtualTimeLimits,
    /** Actions executed by the flush so far. */
    readonly actions: number,
    /** The virtual frame (ms) it had reached. */
    readonly frame: number,
    /** Wall-clock ms the flush had taken. */
    readonly wallMs: number,
    /** Actions still scheduled: their due frames, soonest first (at most 10). */
    readonly pending: readonly number[],
    pendingCount: number,
  ) {
    const hit =
      bound === 'maxActions'
        ? `executed more than ${actions - 1} scheduled actions`
        : bound === 'maxFrame'
          ? `reached virtual time ${frame} ms (more than ${Math.floor(frame / 86_400_000)} days)`
          : `ran for ${Math.round(wallMs)} ms of wall time`;
    super(
      `VirtualTimeRunaway: TestScheduler.flush() ${hit} without running out of work ` +
        `(${actions} actions, virtual time ${frame} ms, ${Math.round(wallMs)} ms of wall time). ` +
        'Something keeps scheduling: a timer or interval left running, a connection never closed, ' +
        `or a loop that reschedules itself. Still scheduled: ${pendingCount} action(s)` +
        (pending.length > 0 ? `, due at ${pending.join(', ')} ms` : '') +
        '. Close what the test opened before the flush ends, or set other limits with limitVirtualTime().',
    );
  }
}

/** Wall clock in ms, taken before any spec can install fake timers. */
const hrtime = process.hrtime.bigint;
const wallNow = (): number => Number(hrtime()) / 1e6;

/** How often (in actions) the wall clock is read: reading it costs more than an action. */
const WALL_CHECK_EVERY = 1024;

type Action = SchedulerAction<unknown> & { delay: number };

const limitsOf = new WeakMap<TestScheduler, VirtualTimeLimits>();

/** Sets the bounds of `scheduler`'s flushes (any not given keeps its default). */
export function limitVirtualTime(scheduler: TestScheduler, limits: Partial<VirtualTimeLimits>): void {
  limitsOf.set(scheduler, { ...DEFAULT_VIRTUAL_TIME_LIMITS, ...limits });
}

/** What the tripwire keeps per scheduler queue. */
interface Count {
  taken: number;
  startedAt: number;
  limits: VirtualTimeLimits;
}

/** Queues already guarded, with their count. */
const counts = new WeakMap<Action[], Count>();

/**
 * Guards the scheduler's action queue: `VirtualTimeScheduler.flush()` takes each action with
 * `actions.shift()`, so an own `shift` on the queue sees every executed action without
 * changing rxjs's loop. (Own and not enumerable: the queue stays a plain array to
 * `toEqual`.)
 */
function guard(queue: Action[]): Count {
  const found = counts.get(queue);
  if (found !== undefined) return found;
  const count: Count = { taken: 0, startedAt: 0, limits: DEFAULT_VIRTUAL_TIME_LIMITS };
  counts.set(queue, count);
  Object.defineProperty(queue, 'shift', {
    configurable: true,
    enumerable: false,
    writable: true,
    value: function shift(this: Action[]): Action | undefined {
      const next = this[0];
      if (next !== undefined) {
        count.taken++;
        const { maxActions, maxFrame, maxWallMs } = count.limits;
        if (count.taken > maxActions) trip(this, count, 'maxActions', next.delay);
        if (next.delay > maxFrame) trip(this, count, 'maxFrame', next.delay);
        if (count.taken % WALL_CHECK_EVERY === 0 && wallNow() - count.startedAt > maxWallMs) trip(this, count, 'maxWallMs', next.delay);
      }
      return Array.prototype.shift.call(this) as Action | undefined;
    },
  });
  return count;
}

function trip(queue: Action[], count: Count, bound: keyof VirtualTimeLimits, frame: number): never {
  const pending = queue.slice(0, 10).map((action) => action.delay);
  const error = new VirtualTimeRunaway(bound, count.taken, frame, wallNow() - count.startedAt, pending, queue.length);
  // Nothing may run after the tripwire: the queue is emptied so a later flush ends at once.
  for (const action of queue.splice(0)) action.unsubscribe();
  throw error;
}

/** `flush()` of TestScheduler as rxjs defines it (installed once). */
let originalFlush: (() => void) | undefined;

/** Installs the tripwire on every `TestScheduler` (idempotent). */
export function installVirtualTimeTripwire(): void {
  if (originalFlush !== undefined) return;
  const flush = TestScheduler.prototype.flush;
  originalFlush = flush;
  TestScheduler.prototype.flush = function guardedFlush(this: TestScheduler): void {
    const count = guard((this as unknown as { actions: Action[] }).actions);
    count.taken = 0;
    count.startedAt = wallNow();
    count.limits = limitsOf.get(this) ?? DEFAULT_VIRTUAL_TIME_LIMITS;
    flush.call(this);
  };
}
