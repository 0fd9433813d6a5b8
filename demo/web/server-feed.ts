import type { ServerResponse } from 'node:http';
import type { ServerNote } from './web-protocol';

/** How many log lines a page that (re)connects to the feed is sent first. */
const REPLAYED_LOG_LINES = 50;

/**
 * The ws server's happenings, pushed to every open page as Server-Sent Events. A page that
 * connects (or whose `EventSource` reconnects) gets the current status, the recent log and
 * every order received so far, so it never shows a partial picture.
 */
export class ServerFeed {
  private readonly listeners = new Set<ServerResponse>();
  private status: ServerNote = { kind: 'status', running: false, port: 0 };
  private readonly log: ServerNote[] = [];
  private readonly orders: ServerNote[] = [];

  /** Sends `note` to every page and keeps what a later page needs. */
  publish(note: ServerNote): void {
    if (note.kind === 'status') this.status = note;
    else if (note.kind === 'order') this.orders.push(note);
    else {
      this.log.push(note);
      if (this.log.length > REPLAYED_LOG_LINES) this.log.shift();
    }
    for (const response of this.listeners) write(response, note);
  }

  /** Turns `response` into an event stream; it ends when the page goes or {@link end} is called. */
  attach(response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    for (const note of [this.status, ...this.log, ...this.orders]) write(response, note);
    this.listeners.add(response);
    response.on('close', () => this.listeners.delete(response));
  }

  /** Ends every stream (the demo is stopping). */
  end(): void {
    for (const response of this.listeners) response.end();
    this.listeners.clear();
  }
}

function write(response: ServerResponse, note: ServerNote): void {
  response.write(`data: ${JSON.stringify(note)}\n\n`);
}
