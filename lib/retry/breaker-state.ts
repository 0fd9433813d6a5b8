/**
 * The circuit breaker as pure data and transitions, shared by the standalone
 * `circuitBreaker` operator and the connection. No timers: time is passed in.
 */
export type BreakerState =
  /** Attempts flow; `failures` counts consecutive failures so far. */
  | { readonly phase: 'closed'; readonly failures: number }
  /** No attempts until `openedAt + resetTimeout`; `trips` counts opens in a row. */
  | { readonly phase: 'open'; readonly trips: number; readonly openedAt: number }
  /** One probe is in flight; its outcome closes or re-opens the breaker. */
  | { readonly phase: 'half-open'; readonly trips: number };

/** The phase names, as reported to `onStateChange`. */
export type BreakerPhase = BreakerState['phase'];

/** A closed breaker with no failures. */
export const CLOSED_BREAKER: BreakerState = Object.freeze({ phase: 'closed', failures: 0 });

/** After a failure: counts it, and opens at `failureThreshold` (or at once when probing). */
export function breakerFailed(state: BreakerState, failureThreshold: number, now: number): BreakerState {
  switch (state.phase) {
    case 'closed': {
      const failures = state.failures + 1;
      return failures >= failureThreshold ? { phase: 'open', trips: 1, openedAt: now } : { phase: 'closed', failures };
    }
    case 'half-open':
      return { phase: 'open', trips: state.trips + 1, openedAt: now };
    case 'open':
      return state;
  }
}

/** After a success: closed, counts reset. */
export function breakerSucceeded(): BreakerState {
  return CLOSED_BREAKER;
}

/** Milliseconds until an open breaker allows a probe (0 when it already does, or is not open). */
export function breakerRetryIn(state: BreakerState, resetTimeout: number, now: number): number {
  return state.phase === 'open' ? Math.max(0, state.openedAt + resetTimeout - now) : 0;
}

/**
 * Whether an attempt may start now, and the state it leaves: an open breaker whose
 * `resetTimeout` has passed (or `force`d) turns half-open and lets exactly one probe through.
 */
export function breakerTryAcquire(
  state: BreakerState,
  resetTimeout: number,
  now: number,
  force = false,
): { readonly allowed: boolean; readonly state: BreakerState } {
  switch (state.phase) {
    case 'closed':
      return { allowed: true, state };
    case 'half-open':
      return { allowed: false, state };
    case 'open':
      return force || breakerRetryIn(state, resetTimeout, now) === 0
        ? { allowed: true, state: { phase: 'half-open', trips: state.trips } }
        : { allowed: false, state };
  }
}
