import { Observable, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { CircuitOpenError } from '../errors/circuit-open-error';
import {
  breakerFailed,
  breakerRetryIn,
  breakerSucceeded,
  breakerTryAcquire,
  CLOSED_BREAKER,
  type BreakerPhase,
  type BreakerState,
} from './breaker-state';

/** What a {@link CircuitBreakerPolicy} needs, already validated. */
export interface CircuitBreakerSettings {
  readonly failureThreshold: number;
  readonly resetTimeout: number;
  readonly scheduler: SchedulerLike;
  readonly onStateChange?: ((state: BreakerPhase) => void) | undefined;
}

/**
 * One circuit breaker: its state (the pure transitions of `breaker-state.ts`), its clock, and
 * the operator that guards subscriptions with it. The standalone `circuitBreaker()` operator
 * and the connection both run on this class, so they behave the same.
 */
export class CircuitBreakerPolicy {
  private state: BreakerState = CLOSED_BREAKER;
  private forced = false;

  constructor(private readonly settings: CircuitBreakerSettings) {}

  /** `'closed'`, `'open'` or `'half-open'`. */
  get phase(): BreakerPhase {
    return this.state.phase;
  }

  /** How many times in a row the breaker has opened (0 while closed). */
  get trips(): number {
    return this.state.phase === 'closed' ? 0 : this.state.trips;
  }

  /** Ms until an open breaker allows a probe (0 when it is not open). */
  retryIn(): number {
    return breakerRetryIn(this.state, this.settings.resetTimeout, this.settings.scheduler.now());
  }

  /** Lets the next subscription probe at once, however long the breaker has been open. */
  forceProbe(): void {
    if (this.state.phase === 'open') this.forced = true;
  }

  /** Back to closed with no failures (a fresh start). */
  reset(): void {
    this.forced = false;
    this.moveTo(CLOSED_BREAKER);
  }

  /**
   * Guards subscriptions to the source: refused with {@link CircuitOpenError} while open; a
   * source error before its first value counts as a failure, its first value (or completion)
   * as a success. The state moves before the notification goes on, so a `retry` downstream
   * that resubscribes synchronously already sees the breaker open.
   */
  operator<T>(): MonoTypeOperatorFunction<T> {
    return (source) =>
      new Observable<T>((subscriber) => {
        const { failureThreshold, resetTimeout, scheduler } = this.settings;
        const before = this.state;
        const acquired = breakerTryAcquire(before, resetTimeout, scheduler.now(), this.forced);
        if (!acquired.allowed) {
          subscriber.error(new CircuitOpenError(breakerRetryIn(before, resetTimeout, scheduler.now())));
          return undefined;
        }
        this.forced = false;
        let settled = false;
        const probe = acquired.state;
        if (probe.phase === 'half-open') {
          // A probe unsubscribed before its outcome must not leave the breaker half-open for
          // ever: it goes back to open, with its reset timeout already passed.
          subscriber.add(() => {
            if (!settled && this.state === probe) this.moveTo(before);
          });
        }
        this.moveTo(probe);

        /** Records the subscription's outcome once; false if `onStateChange` threw (sent downstream). */
        const settle = (outcome: () => BreakerState): boolean => {
          if (settled) return true;
          settled = true;
          try {
            this.moveTo(outcome());
            return true;
          } catch (error) {
            subscriber.error(error);
            return false;
          }
        };
        return source.subscribe({
          next: (value) => {
            if (settle(breakerSucceeded)) subscriber.next(value);
          },
          error: (error: unknown) => {
            if (settle(() => breakerFailed(this.state, failureThreshold, scheduler.now()))) subscriber.error(error);
          },
          complete: () => {
            if (settle(breakerSucceeded)) subscriber.complete();
          },
        });
      });
  }

  private moveTo(next: BreakerState): void {
    const previous = this.state;
    this.state = next;
    if (next.phase !== previous.phase) this.settings.onStateChange?.(next.phase);
  }
}
