import type { ConnectionEvent } from './events';

/**
 * Where the connection stands; `state$` replays the current value. `'idle'` only for a `lazy`
 * connection: no link and no attempt, because nothing needs one.
 */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'circuit-open' | 'closed';

/**
 * The state after an event, as a pure function: the state is derived from the event
 * stream, so the two can never disagree.
 */
export function nextState(current: ConnectionState, event: ConnectionEvent<unknown>): ConnectionState {
  switch (event.type) {
    case 'Connecting':
      return (current === 'connecting' || current === 'idle') && event.attempt === 0 ? 'connecting' : 'reconnecting';
    case 'Connected':
    case 'Reconnected':
      return 'connected';
    case 'Disconnected':
      // A permanent loss leads to `Closed` (or, if the app calls retry(), to Reconnecting).
      return event.permanent ? current : 'reconnecting';
    case 'Reconnecting':
      // The breaker's probe is announced while it is open: the state stays circuit-open.
      return current === 'circuit-open' ? current : 'reconnecting';
    case 'CircuitBreakerOpen':
      return 'circuit-open';
    case 'Idle':
      return 'idle';
    case 'Closed':
      return 'closed';
    default:
      return current;
  }
}
