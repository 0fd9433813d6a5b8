import type { ConnectionEvent, ConnectionState } from '../../lib';

/**
 * The model: what DESIGN.md says `state$` is for each event, written here independently of
 * the library's own fold, and small helpers to read event lists.
 */

/** Where the fold stands: the state, and whether a link was ever up (`Connected` seen). */
export interface FoldState {
  readonly state: ConnectionState;
  readonly everUp: boolean;
}

/** The state before any event: `state$` replays it at once. */
export const INITIAL: FoldState = { state: 'connecting', everUp: false };

/** The state before any event of a `lazy` connection: it starts resting (README, "Lazy connections"). */
export const INITIAL_LAZY: FoldState = { state: 'idle', everUp: false };

/**
 * The states `state$` may hold once `event` has been delivered, after `prev`.
 *
 * DESIGN.md fixes: `Connected`/`Reconnected` → connected; `CircuitBreakerOpen` → circuit-open;
 * `Closed` → closed; a retry being scheduled or attempted after a link was up → reconnecting;
 * `SubscriptionsRestored` and `InvalidMessage` change nothing. README ("Lazy connections"):
 * `Idle` → idle.
 * It leaves open, so the model accepts either:
 * - between failed *first* attempts (no link ever up): 'connecting' or 'reconnecting';
 * - the breaker's half-open probe (`Reconnecting`, `Connecting`, its failure's `Disconnected`
 *   while circuit-open): 'circuit-open' or 'reconnecting';
 * - a permanent `Disconnected` (the next event is `Closed`, or `Reconnecting` after retry()
 *   from its handler, or `Idle`): unchanged or 'reconnecting';
 * - the `Connecting{attempt: 0}` that wakes a resting connection after a link was up:
 *   'connecting' or 'reconnecting' (before any link, 'connecting', as the first attempt).
 */
export function allowedStates(event: ConnectionEvent<unknown>, prev: FoldState): readonly ConnectionState[] {
  const retrying: ConnectionState[] = prev.everUp ? ['reconnecting'] : ['connecting', 'reconnecting'];
  switch (event.type) {
    case 'Connecting':
      if (event.attempt === 0 && prev.state === 'idle') return prev.everUp ? ['connecting', 'reconnecting'] : ['connecting'];
      if (event.attempt === 0 && !prev.everUp) return ['connecting'];
      return prev.state === 'circuit-open' ? [...retrying, 'circuit-open'] : retrying;
    case 'Reconnecting':
      return prev.state === 'circuit-open' ? [...retrying, 'circuit-open'] : retrying;
    case 'Connected':
    case 'Reconnected':
      return ['connected'];
    case 'Disconnected':
      if (event.permanent) return [prev.state, 'reconnecting'];
      return prev.state === 'circuit-open' ? [...retrying, 'circuit-open'] : retrying;
    case 'CircuitBreakerOpen':
      return ['circuit-open'];
    case 'Closed':
      return ['closed'];
    case 'Idle':
      return ['idle'];
    case 'SubscriptionsRestored':
    case 'InvalidMessage':
      return [prev.state];
  }
}

/** The fold one event further, given the state actually observed. */
export function advance(prev: FoldState, event: ConnectionEvent<unknown>, state: ConnectionState): FoldState {
  return { state, everUp: prev.everUp || event.type === 'Connected' || event.type === 'Reconnected' };
}

/** An event as a short string: `Connecting 1`, `Disconnected error 0 p`, `Closed manual unsent=2`. */
export function summarize(event: ConnectionEvent<unknown>): string {
  switch (event.type) {
    case 'Connecting':
      return `Connecting ${event.attempt}`;
    case 'Connected':
      return 'Connected';
    case 'Disconnected':
      return `Disconnected ${event.reason}${event.code === undefined ? '' : `/${event.code}`} ${event.attempt}${event.permanent ? ' p' : ''}`;
    case 'Reconnecting':
      return `Reconnecting ${event.attempt} ${event.delay}`;
    case 'Reconnected':
      return `Reconnected ${event.attempt}`;
    case 'SubscriptionsRestored':
      return `SubscriptionsRestored ${event.count}`;
    case 'CircuitBreakerOpen':
      return `CircuitBreakerOpen ${event.trips} ${event.retryIn}`;
    case 'InvalidMessage':
      return 'InvalidMessage';
    case 'Idle':
      return 'Idle';
    case 'Closed':
      return `Closed ${event.reason} unsent=${event.unsent.length}`;
  }
}

/** The index of the next event after `index` that is not `InvalidMessage`, or -1. */
export function nextLifecycle(events: readonly ConnectionEvent<unknown>[], index: number): number {
  for (let i = index + 1; i < events.length; i++) if (events[i]!.type !== 'InvalidMessage') return i;
  return -1;
}

/** The index of the previous event before `index` that is not `InvalidMessage`, or -1. */
export function previousLifecycle(events: readonly ConnectionEvent<unknown>[], index: number): number {
  for (let i = index - 1; i >= 0; i--) if (events[i]!.type !== 'InvalidMessage') return i;
  return -1;
}
