import type { ConnectionEvent } from '../../../lib';
import { EVENT_COLOUR, formatEvent } from '../../format-event';
import type { Colour } from '../../timeline';
import { appendCapped, element, stamp } from './dom';

/** Rows kept on the page; older ones scroll away. */
const MAX_ROWS = 300;

/**
 * The event timeline: one row per `events$` event (`data-type` is the event's type) and one
 * per thing the page did (`data-type="action"`), stamped with the time since the page loaded.
 */
export class TimelineView {
  constructor(private readonly list: HTMLElement) {}

  /** A connection event, formatted as the terminal demo does. */
  event(event: ConnectionEvent<unknown>): void {
    const text = describeEvent(event);
    const space = text.indexOf(' ');
    const detail = space < 0 ? '' : text.slice(space + 1);
    this.row(event.type, event.type, detail, EVENT_COLOUR[event.type] ?? 'grey');
  }

  /** Something the page did or noticed (a button, a send, a flush). */
  action(title: string, detail: string, colour: Colour = 'bold'): void {
    this.row('action', title, detail, colour);
  }

  private row(type: string, title: string, detail: string, colour: Colour): void {
    const item = element('li', `c-${colour}${type === 'action' ? ' action' : ''}`);
    item.dataset.type = type;
    item.append(element('time', undefined, stamp()), element('span', 'type', title), element('span', 'detail', detail));
    appendCapped(this.list, item, MAX_ROWS);
  }
}

/**
 * {@link formatEvent}, minus one thing a browser cannot tell: a socket that fails there reports
 * a bare `Event` (no message, by design of the WebSocket API), which would print as
 * `[object Event]`; the close code 1006 already says what is known.
 */
export function describeEvent(event: ConnectionEvent<unknown>): string {
  if (event.type === 'Disconnected' && rootCause(event.error) instanceof Event) {
    return formatEvent({ ...event, error: undefined });
  }
  return formatEvent(event);
}

function rootCause(error: unknown): unknown {
  let root = error;
  while (root instanceof Error && root.cause !== undefined) root = root.cause;
  return root;
}
