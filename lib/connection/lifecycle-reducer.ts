import { DisconnectError, type DisconnectReason } from '../errors/disconnect-error';
import type { ClosedReason, ConnectionEvent } from '../events';
import type { ResolvedRetryOptions } from '../options/resolve-retry';
import { breakerFailed, breakerRetryIn, CLOSED_BREAKER, type BreakerState } from '../retry/breaker-state';
import { planRetry } from './retry-plan';

/**
 * Where the connection's lifecycle stands.
 * - `starting`: the first attempt (or the first after a lazy rest) is scheduled at time 0.
 * - `attempting`: an attempt is in flight (URL factory, socket opening, handshake).
 * - `up`: a link is up (its channels may still be being restored).
 * - `waiting`: the backoff (or the open breaker) before the next attempt.
 * - `giving-up`: a permanent `Disconnected` is being delivered; `retry()` from a handler resumes.
 * - `idle`: a `lazy` connection rests: nothing needs a link.
 * - `closed`: terminal.
 */
export type LifecyclePhase = 'starting' | 'attempting' | 'up' | 'waiting' | 'giving-up' | 'idle' | 'closed';

/** @internal How a give-up under delivery ends unless a handler resumes it. */
export interface PendingGiveUp {
  /** `Closed.reason` if nobody resumes. */
  readonly reason: ClosedReason;
  /** `Closed.error` if nobody resumes. */
  readonly error: unknown;
  /** The failure that led here: the `error` of `Reconnecting{1, 0}` if a handler resumes. */
  readonly failure: DisconnectError;
  /** A handler called `retry()` (or `reconnect()`) while it was delivered. */
  readonly resume: boolean;
}

/** @internal The lifecycle as data: everything the rules below decide on. */
export interface LifecycleState {
  readonly phase: LifecyclePhase;
  /** The attempt of the outage: the last one made, or (while waiting) the next one. 0 is the initial attempt. */
  readonly attempt: number;
  /** The attempt the latest `Disconnected` reported (what `stopRetry()` during a wait reports again). */
  readonly lastAttemptMade: number;
  /** Some link of this connection has been up. */
  readonly everConnected: boolean;
  /** When the outage began (the first connect counts as one). */
  readonly outageStartedAt: number;
  /** When the last link was lost (NaN before any was); `Reconnected.downtime` counts from it. */
  readonly lostAt: number;
  /** When the link of the moment came up (NaN while none is up). */
  readonly upAt: number;
  /** The circuit breaker, when the connection has one. */
  readonly breaker: BreakerState | undefined;
  /** The limit of consecutive failed attempts in force (`retry({ maxAttempts })` changes it). */
  readonly maxAttempts: number;
  /** `stopRetry()` was called: the next loss is terminal. */
  readonly stopRequested: boolean;
  /** Set while `phase` is `giving-up`. */
  readonly giveUp: PendingGiveUp | undefined;
}

/** @internal What happens to the lifecycle: timers, socket callbacks and public calls, as data. */
export type LifecycleInput =
  /** The scheduled start has come. */
  | { readonly type: 'start' }
  /** An attempt starts now (the start, or the end of a wait). */
  | { readonly type: 'attempt' }
  /** The attempt's link is up (socket open, handshake acked). */
  | { readonly type: 'up'; readonly url: string; readonly attempt: number }
  /**
   * An attempt failed (`wasUp` false) or the link of the moment was lost (`wasUp` true);
   * `forced` when `reconnect()` caused it.
   */
  | {
      readonly type: 'failed';
      readonly error: DisconnectError;
      readonly attempt: number;
      readonly wasUp: boolean;
      readonly forced: boolean;
    }
  /** `retry()`, with the new attempt limit if one was given. */
  | { readonly type: 'retry'; readonly maxAttempts: number | undefined }
  /** `reconnect()`. */
  | { readonly type: 'reconnect' }
  /** `stopRetry()`. */
  | { readonly type: 'stop' }
  /** `close(code)`. */
  | { readonly type: 'close'; readonly code: number }
  /** `wake$` emitted. */
  | { readonly type: 'wake' }
  /** The permanent `Disconnected` of a give-up has reached every subscriber. */
  | { readonly type: 'give-up-delivered' }
  /** `lazy`: nothing has needed a link for `idleAfter` ms: rest. */
  | { readonly type: 'rest' }
  /** `lazy`: something needs a link again (or `reconnect()`): leave the rest. */
  | { readonly type: 'leave-rest' };

/** @internal What the connection must do for a step, in order, after queueing the step's events. */
export type LifecycleEffect =
  /** Run the attempt loop (its first attempt at once). */
  | { readonly type: 'run-attempts' }
  /** Schedule the start (two hops at time 0: see `scheduleStart`). */
  | { readonly type: 'schedule-start' }
  /** End the wait under way now: the next attempt starts. */
  | { readonly type: 'nudge' }
  /** Cancel the wait's timer: only a nudge starts the next attempt (a give-up is being delivered). */
  | { readonly type: 'hold' }
  /** Fail the attempt or link of the moment with `error` (`forced`: a `reconnect()`, closed cleanly). */
  | { readonly type: 'fail-link'; readonly error: DisconnectError; readonly forced: boolean }
  /** Probe the link's liveness now. */
  | { readonly type: 'probe' }
  /** The next attempt goes to the next server of the pool. */
  | { readonly type: 'rotate-url' }
  /** Feed `give-up-delivered` once the events queued so far have reached every subscriber. */
  | { readonly type: 'after-delivery' }
  /** Leave a lazy rest (the rest decides; it feeds `leave-rest`). */
  | { readonly type: 'wake-rest' }
  /** End the attempt loop, the scheduled start and the link of the moment, without retry. */
  | { readonly type: 'stop-attempts' }
  /** End the connection: `Closed{reason, error}`, streams end, nothing left open. */
  | { readonly type: 'finish'; readonly reason: ClosedReason; readonly error: unknown };

/** @internal One step: the next state, the events to deliver (in order), the effects to perform. */
export interface LifecycleStep {
  readonly state: LifecycleState;
  readonly events: readonly ConnectionEvent<never>[];
  readonly effects: readonly LifecycleEffect[];
  /**
   * For `failed`: what the attempt loop does next, as `retry({ delay })`'s notifier: wait
   * `delay` ms (or until nudged), `'hold'` until nudged, or nothing (the loop ends).
   */
  readonly wait: number | 'hold' | undefined;
}

/** @internal The fixed settings the rules read. */
export interface LifecycleRules {
  readonly retry: ResolvedRetryOptions;
  /** The circuit breaker's settings, when there is one. */
  readonly breaker: { readonly failureThreshold: number; readonly resetTimeout: number } | undefined;
}

/** Rules without a breaker, one per retry policy: connections with the same policy share them. */
const sharedRules = new WeakMap<ResolvedRetryOptions, LifecycleRules>();

/** The rules for a retry policy and breaker settings (shared when there is no breaker: a connection keeps no object of its own for them). */
export function lifecycleRules(retry: ResolvedRetryOptions, breaker: LifecycleRules['breaker']): LifecycleRules {
  if (breaker !== undefined) return { retry, breaker };
  let rules = sharedRules.get(retry);
  if (rules === undefined) sharedRules.set(retry, (rules = { retry, breaker: undefined }));
  return rules;
}

/** The state of a new connection (`lazy` ones start idle). */
export function initialLifecycle(rules: LifecycleRules, now: number, lazy: boolean): LifecycleState {
  return {
    phase: lazy ? 'idle' : 'starting',
    attempt: 0,
    lastAttemptMade: 0,
    everConnected: false,
    outageStartedAt: now,
    lostAt: Number.NaN,
    upAt: Number.NaN,
    breaker: rules.breaker ? CLOSED_BREAKER : undefined,
    maxAttempts: rules.retry.maxAttempts,
    stopRequested: false,
    giveUp: undefined,
  };
}

/**
 * The lifecycle's rules, every one of DESIGN's event grammar in one pure function:
 * `(state, input) → { state, events, effects }`. No timers, no sockets, no subscribers: the
 * connection feeds it what happened and performs what it returns. The only code it calls
 * that is not its own is the retry policy's (`shouldRetry`, `retry.delay`), guarded by
 * {@link planRetry}.
 */
export function reduceLifecycle(
  state: LifecycleState,
  input: LifecycleInput,
  rules: LifecycleRules,
  now: number,
): LifecycleStep {
  if (state.phase === 'closed') return step(state);
  switch (input.type) {
    case 'start':
      return state.phase === 'starting' ? step(state, NO_EVENTS, [{ type: 'run-attempts' }]) : step(state);

    case 'attempt':
      // Every wait ends in an attempt: an open breaker lets its probe through (the wait was
      // the breaker's, or `retry()`/a wake-up cut it short on purpose).
      return step({
        ...state,
        phase: 'attempting',
        breaker: state.breaker?.phase === 'open' ? { phase: 'half-open', trips: state.breaker.trips } : state.breaker,
      });

    case 'up': {
      const first = !state.everConnected;
      const next: LifecycleState = {
        ...state,
        phase: 'up',
        everConnected: true,
        upAt: now,
        breaker: state.breaker && CLOSED_BREAKER,
      };
      return step(next, [
        first
          ? { type: 'Connected', url: input.url }
          : { type: 'Reconnected', attempt: input.attempt, url: input.url, downtime: now - state.lostAt },
      ]);
    }

    case 'failed':
      return failed(state, input, rules, now);

    case 'retry': {
      const base: LifecycleState = {
        ...state,
        stopRequested: false,
        maxAttempts: input.maxAttempts ?? state.maxAttempts,
      };
      if (state.phase === 'giving-up') return step({ ...base, giveUp: { ...state.giveUp!, resume: true } });
      return step(base, NO_EVENTS, state.phase === 'waiting' ? [{ type: 'nudge' }] : NO_EFFECTS);
    }

    case 'reconnect': {
      const base: LifecycleState = { ...state, stopRequested: false };
      switch (state.phase) {
        case 'giving-up':
          return step({ ...base, giveUp: { ...state.giveUp!, resume: true } });
        case 'idle':
          return step(base, NO_EVENTS, [{ type: 'wake-rest' }]);
        case 'up':
        case 'attempting':
          // A fresh series at once: the link or the attempt in flight is abandoned.
          return step(base, NO_EVENTS, [
            { type: 'fail-link', error: new DisconnectError('manual', { message: 'reconnect()' }), forced: true },
          ]);
        case 'waiting':
          return step(base, NO_EVENTS, [{ type: 'nudge' }]);
        default:
          return step(base);
      }
    }

    case 'stop': {
      const base: LifecycleState = { ...state, stopRequested: true };
      switch (state.phase) {
        case 'giving-up':
          return step({ ...base, giveUp: { ...state.giveUp!, resume: false } });
        case 'attempting':
          // The attempt fails, and the failure (stop requested) gives up.
          return step(base, NO_EVENTS, [
            {
              type: 'fail-link',
              error: new DisconnectError('manual', { message: 'stopRetry() during an attempt' }),
              forced: false,
            },
          ]);
        case 'waiting': {
          const stopped = new DisconnectError('manual', { message: 'stopRetry()' });
          return giveUp(base, 'manual', stopped, state.lastAttemptMade, 'stopped', undefined, [{ type: 'hold' }]);
        }
        default:
          return step(base); // up: the next loss is terminal
      }
    }

    case 'close':
      return step(
        { ...state, phase: 'closed', giveUp: undefined },
        state.phase === 'up' ? [disconnected(state, 'manual', input.code, undefined, 0, true)] : NO_EVENTS,
        [{ type: 'finish', reason: 'manual', error: undefined }],
      );

    case 'wake':
      if (state.phase === 'waiting') return step(state, NO_EVENTS, [{ type: 'nudge' }]);
      if (state.phase === 'up') return step(state, NO_EVENTS, [{ type: 'probe' }]);
      return step(state);

    case 'give-up-delivered': {
      if (state.phase !== 'giving-up') return step(state);
      const pending = state.giveUp!;
      if (!pending.resume) {
        return step({ ...state, phase: 'closed', giveUp: undefined }, NO_EVENTS, [
          { type: 'finish', reason: pending.reason, error: pending.error },
        ]);
      }
      // Resumed from a handler: a fresh series, its first attempt now, the breaker closed.
      return step(
        { ...freshSeries(state, now), phase: 'waiting', giveUp: undefined },
        [{ type: 'Reconnecting', attempt: 1, delay: 0, error: pending.failure }],
        [{ type: 'nudge' }],
      );
    }

    case 'rest': {
      if (state.phase === 'idle' || state.phase === 'giving-up') return step(state);
      const wasUp = state.phase === 'up';
      const next = { ...outageAfterLoss(state, wasUp, rules, now), phase: 'idle' as const };
      const events: ConnectionEvent<never>[] = [];
      // Permanent: no retry follows (Idle does).
      if (wasUp) events.push(disconnected(state, 'manual', 1000, undefined, 0, true));
      // Woken and unneeded again before the start ran: nothing was announced, no second Idle.
      if (state.phase !== 'starting') events.push({ type: 'Idle' });
      return step(next, events, [{ type: 'stop-attempts' }]);
    }

    case 'leave-rest':
      if (state.phase !== 'idle') return step(state);
      // The rest ended the outage, and its breaker with it: waking is a fresh start, attempt 0.
      return step(
        { ...state, outageStartedAt: now, breaker: state.breaker && CLOSED_BREAKER, attempt: 0, phase: 'starting' },
        NO_EVENTS,
        [{ type: 'schedule-start' }],
      );
  }
}

/** An attempt failed or a link was lost: retry (when, announced how), or give up. */
function failed(
  state: LifecycleState,
  input: Extract<LifecycleInput, { type: 'failed' }>,
  rules: LifecycleRules,
  now: number,
): LifecycleStep {
  const { error, wasUp, forced } = input;
  const made = wasUp ? 0 : input.attempt;
  let next: LifecycleState = { ...outageAfterLoss(state, wasUp, rules, now), lastAttemptMade: made };
  const effects: LifecycleEffect[] = [];
  if (!wasUp && !forced) {
    effects.push({ type: 'rotate-url' });
    // The breaker counts failed attempts (a lost link is no attempt).
    if (rules.breaker && next.breaker) {
      next = { ...next, breaker: breakerFailed(next.breaker, rules.breaker.failureThreshold, now) };
    }
  }
  if (forced) {
    // reconnect(): no failure: a fresh series, its first attempt now.
    return step(
      { ...freshSeries(next, now), phase: 'waiting' },
      [
        disconnected(next, 'manual', error.code, error, made, false),
        { type: 'Reconnecting', attempt: 1, delay: 0, error },
      ],
      effects,
      0,
    );
  }
  const plan = planRetry(rules.retry, error, next, now);
  if (plan.kind === 'give-up') {
    const reason = plan.reason === 'fatal' ? 'fatal' : error.reason;
    return giveUp(next, reason, error, made, plan.reason, plan.error, effects);
  }
  const events: ConnectionEvent<never>[] = [disconnected(next, error.reason, error.code, error, made, false)];
  let delay = plan.delay;
  const breaker = next.breaker;
  if (rules.breaker && breaker?.phase === 'open') {
    // The probe is the next attempt, announced like any other. It comes no sooner than the
    // breaker, the backoff or the server's Retry-After allows; the outage deadline still holds.
    const remaining = rules.retry.timeout - (now - next.outageStartedAt);
    const retryIn = breakerRetryIn(breaker, rules.breaker.resetTimeout, now);
    delay = Math.max(0, Math.min(Math.max(retryIn, plan.delay), remaining));
    events.push({ type: 'CircuitBreakerOpen', trips: breaker.trips, retryIn: delay });
  }
  events.push({ type: 'Reconnecting', attempt: plan.attempt, delay, error });
  return step({ ...next, phase: 'waiting', attempt: plan.attempt }, events, effects, delay);
}

/**
 * Announces a give-up: `Disconnected{permanent: true}` now; once it has reached every
 * subscriber, `Closed` follows unless a handler called `retry()` meanwhile.
 */
function giveUp(
  state: LifecycleState,
  reason: DisconnectReason,
  failure: DisconnectError,
  attempt: number,
  closedReason: ClosedReason,
  closedError: unknown,
  effects: LifecycleEffect[],
): LifecycleStep {
  return step(
    {
      ...state,
      phase: 'giving-up',
      giveUp: { reason: closedReason, error: closedError, failure, resume: false },
    },
    [disconnected(state, reason, failure.code, failure, attempt, true)],
    [...effects, { type: 'after-delivery' }],
    'hold',
  );
}

/**
 * The outage after an attempt failed or a link was lost: a link that stayed up `stableAfter`
 * ms ended the outage it began, so its loss starts a new one (attempt numbers start again).
 */
function outageAfterLoss(state: LifecycleState, wasUp: boolean, rules: LifecycleRules, now: number): LifecycleState {
  if (!wasUp) return state;
  const stable = now - state.upAt >= rules.retry.stableAfter;
  return {
    ...state,
    lostAt: now,
    upAt: Number.NaN,
    ...(stable ? { attempt: 0, outageStartedAt: now } : {}),
  };
}

/**
 * `retry()` after a give-up, or `reconnect()`: a fresh series whose attempt 1 is next (a new
 * outage from now, the breaker closed).
 */
function freshSeries(state: LifecycleState, now: number): LifecycleState {
  return { ...state, outageStartedAt: now, breaker: state.breaker && CLOSED_BREAKER, stopRequested: false, attempt: 1 };
}

function disconnected(
  state: LifecycleState,
  reason: DisconnectReason,
  code: number | undefined,
  error: DisconnectError | undefined,
  attempt: number,
  permanent: boolean,
): ConnectionEvent<never> {
  return {
    type: 'Disconnected',
    reason,
    ...(code === undefined ? {} : { code }),
    ...(error === undefined ? {} : { error }),
    permanent,
    attempt,
    maxAttempts: state.maxAttempts,
  };
}

/** One step; without events or effects, the shared empty arrays (a step's arrays are never mutated). */
function step(
  state: LifecycleState,
  events: readonly ConnectionEvent<never>[] = NO_EVENTS,
  effects: readonly LifecycleEffect[] = NO_EFFECTS,
  wait?: number | 'hold',
): LifecycleStep {
  return { state, events, effects, wait };
}

const NO_EVENTS: readonly ConnectionEvent<never>[] = [];
const NO_EFFECTS: readonly LifecycleEffect[] = [];
