import { map, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { ConnectionEvent } from '../../lib';

/** A TestScheduler whose assertions are Jest's deep equality. */
export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** An event without its `error` (an object the tests compare by fields they pick). */
export type EventSummary = string;

/**
 * Events as short strings, so marble diagrams stay readable:
 * `Connecting 0`, `Disconnected error 0 p` (p = permanent), `Reconnecting 1 100`, ….
 */
export function summarize(event: ConnectionEvent<unknown>): EventSummary {
  switch (event.type) {
    case 'Connecting':
      return `Connecting ${event.attempt}`;
    case 'Connected':
      return 'Connected';
    case 'Disconnected':
      return `Disconnected ${event.reason} ${event.attempt}${event.permanent ? ' p' : ''}`;
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
      return `Closed ${event.reason} ${event.unsent.length}`;
  }
}

/** `events$` as summaries. */
export function summaries(events$: Observable<ConnectionEvent<unknown>>): Observable<EventSummary> {
  return events$.pipe(map(summarize));
}
