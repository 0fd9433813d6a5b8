import type { ConnectionEvent } from '../../../lib';

/**
 * The offline buffer as the page sees it. The library does not expose its buffer's size, so
 * the page counts from the events, following the library's contract: `send()` buffers while
 * no link is live — from `Disconnected` (and before the first link) until `Connected` or
 * `SubscriptionsRestored` — and flushes the whole buffer, in order, right after that all-clear
 * has reached every subscriber. So: a send made while not live is buffered; the all-clear
 * flushes them all; `Closed.unsent` is the exact remainder.
 *
 * One case it cannot see: a link lost in the middle of the flush keeps the frames not yet
 * written in the buffer, while the page believes them flushed (the library says which only in
 * `Closed.unsent`).
 */
export class OfflineCount<Out> {
  private live = false;
  private pending: Out[] = [];

  /** Messages accepted by `send()` and not yet flushed. */
  get count(): number {
    return this.pending.length;
  }

  /** Call after `send(message)` returned: true when the message went to the offline buffer. */
  sent(message: Out): boolean {
    if (this.live) return false;
    this.pending.push(message);
    return true;
  }

  /** Call for every event; returns the messages the event's all-clear flushes (usually none). */
  event(event: ConnectionEvent<Out>): readonly Out[] {
    switch (event.type) {
      case 'Connected':
      case 'SubscriptionsRestored': {
        this.live = true;
        const flushed = this.pending;
        this.pending = [];
        return flushed;
      }
      case 'Closed':
        this.live = false;
        this.pending = [...event.unsent];
        return [];
      case 'Disconnected':
      case 'Reconnected': // live again only once the channels are restored
        this.live = false;
        return [];
      default:
        return [];
    }
  }
}
