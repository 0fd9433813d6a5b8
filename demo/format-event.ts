import type { ConnectionEvent, ConnectionEventType } from '../lib';
import type { Colour } from './timeline';

/** The colour of each event type on the timeline. */
export const EVENT_COLOUR: Record<ConnectionEventType, Colour> = {
  Connecting: 'cyan',
  Connected: 'green',
  Disconnected: 'red',
  Reconnecting: 'yellow',
  Reconnected: 'green',
  SubscriptionsRestored: 'green',
  CircuitBreakerOpen: 'magenta',
  InvalidMessage: 'red',
  Idle: 'cyan',
  Closed: 'bold',
};

/** One event, compactly: `Reconnecting attempt=2 delay=400ms`. */
export function formatEvent(event: ConnectionEvent<unknown>): string {
  switch (event.type) {
    case 'Connecting':
      return `Connecting attempt=${event.attempt} url=${event.url}`;
    case 'Connected':
      return `Connected url=${event.url}`;
    case 'Disconnected':
      return [
        `Disconnected reason=${event.reason} attempt=${event.attempt}`,
        event.code === undefined ? '' : ` code=${event.code}`,
        event.permanent ? ' permanent' : '',
        causeOf(event.error),
      ].join('');
    case 'Reconnecting':
      return `Reconnecting attempt=${event.attempt} delay=${ms(event.delay)}`;
    case 'Reconnected':
      return `Reconnected attempt=${event.attempt} downtime=${ms(event.downtime)}`;
    case 'SubscriptionsRestored':
      return `SubscriptionsRestored count=${event.count}`;
    case 'CircuitBreakerOpen':
      return `CircuitBreakerOpen trips=${event.trips} retryIn=${ms(event.retryIn)}`;
    case 'InvalidMessage':
      return `InvalidMessage${causeOf(event.error)}`;
    case 'Idle':
      return 'Idle';
    case 'Closed':
      return `Closed reason=${event.reason} unsent=${event.unsent.length}${causeOf(event.error)}`;
  }
}

function ms(value: number): string {
  return `${Math.round(value)}ms`;
}

/** ` (connect ECONNREFUSED 127.0.0.1:4000)`: the root cause, when there is one. */
function causeOf(error: unknown): string {
  let root = error;
  while (root instanceof Error && root.cause !== undefined) root = root.cause;
  if (root === undefined || root === error) return '';
  const message = root instanceof Error ? root.message : String(root);
  return message ? ` (${message})` : '';
}
