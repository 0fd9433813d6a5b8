import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';

/** One action the connection scheduled that has neither run nor been cancelled. */
export interface PendingAction {
  /** Virtual time at which it was scheduled. */
  readonly scheduledAt: number;
  /** Its delay in ms. */
  readonly delay: number;
}

/** Thrown from inside a scheduled action when a run executes far more actions than any sane one. */
export class RunawayError extends Error {
  override readonly name = 'RunawayError';
}

/**
 * A `SchedulerLike` that delegates to another (the TestScheduler) and keeps count of the
 * actions scheduled through it that are still pending: scheduled (or rescheduled with
 * `this.schedule(…)` from inside the action, as `timer`/`interval` do) and neither executed
 * nor unsubscribed. After `close()` and a flush, a connection must leave none.
 *
 * It also stops a run that executes more than `maxExecutions` actions (a zero-delay loop would
 * otherwise spin forever inside `flush()`): the action throws {@link RunawayError}, which ends
 * the flush.
 */
export class TrackingScheduler implements SchedulerLike {
  private readonly live = new Set<PendingAction>();
  /** Actions executed so far. */
  executed = 0;

  constructor(
    private readonly inner: SchedulerLike,
    private readonly maxExecutions = 20_000,
  ) {}

  now(): number {
    return this.inner.now();
  }

  /** Actions scheduled and not yet executed or cancelled. */
  get pending(): readonly PendingAction[] {
    return [...this.live];
  }

  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const tracker = this;
    // Runs still owed by this schedule() call, oldest first (a reschedule adds one).
    const owed: PendingAction[] = [tracker.track(delay)];
    const settleAll = (): void => {
      for (const record of owed.splice(0)) tracker.live.delete(record);
    };
    const wrapped = function (this: SchedulerAction<T>, value?: T): void {
      const due = owed.shift();
      if (due) tracker.live.delete(due);
      if (++tracker.executed > tracker.maxExecutions) {
        throw new RunawayError(`more than ${tracker.maxExecutions} scheduled actions executed: a loop that never ends`);
      }
      const action = this;
      // The action as the work sees it: rescheduling through it is tracked too.
      const view = Object.create(action) as SchedulerAction<T>;
      Object.defineProperty(view, 'schedule', {
        value: (next?: T, nextDelay = 0): Subscription => {
          const record = tracker.track(nextDelay);
          owed.push(record);
          const subscription = action.schedule(next, nextDelay);
          subscription.add(() => {
            const index = owed.indexOf(record);
            if (index >= 0) owed.splice(index, 1);
            tracker.live.delete(record);
          });
          return subscription;
        },
      });
      Object.defineProperty(view, 'unsubscribe', { value: () => action.unsubscribe() });
      work.call(view, value);
    };
    const subscription = this.inner.schedule(wrapped, delay, state);
    subscription.add(settleAll);
    return subscription;
  }

  private track(delay: number): PendingAction {
    const record: PendingAction = { scheduledAt: this.inner.now(), delay };
    this.live.add(record);
    return record;
  }
}
