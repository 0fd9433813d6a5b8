/**
 * What the web demo's page and its Node side tell each other over HTTP (the pub/sub traffic
 * itself is {@link ../protocol}): the server's happenings pushed to the page as Server-Sent
 * Events, and the page's happenings posted back so the terminal shows them too.
 */
import type { ConnectionEventType, ConnectionState } from '../../lib';

/** The demo's HTTP endpoints. */
export const API = {
  /** POST: stop the ws server (listener closed, clients terminated: an abrupt drop). */
  kill: '/api/kill',
  /** POST: start the ws server again on the same port. */
  restart: '/api/restart',
  /** GET: a Server-Sent Events stream of {@link ServerNote}s (the current status first). */
  serverEvents: '/api/server-events',
  /** POST: one {@link PageNote} as JSON. */
  pageNotes: '/api/page-notes',
} as const;

/** Server → page: what the ws server is doing. */
export type ServerNote =
  | { readonly kind: 'status'; readonly running: boolean; readonly port: number }
  | { readonly kind: 'log'; readonly text: string }
  | { readonly kind: 'order'; readonly id: number; readonly client: number };

/** Page → demo: what the page saw or did. */
export type PageNote =
  | { readonly kind: 'event'; readonly type: ConnectionEventType; readonly text: string }
  | { readonly kind: 'state'; readonly state: ConnectionState }
  | { readonly kind: 'order'; readonly id: number; readonly buffered: boolean };

/** Parses a posted page note, or returns undefined for anything else. */
export function parsePageNote(text: string): PageNote | undefined {
  try {
    const note = JSON.parse(text) as Partial<Record<string, unknown>>;
    if (note.kind === 'event' && typeof note.type === 'string' && typeof note.text === 'string') {
      return { kind: 'event', type: note.type as ConnectionEventType, text: note.text };
    }
    if (note.kind === 'state' && typeof note.state === 'string') {
      return { kind: 'state', state: note.state as ConnectionState };
    }
    if (note.kind === 'order' && typeof note.id === 'number' && typeof note.buffered === 'boolean') {
      return { kind: 'order', id: note.id, buffered: note.buffered };
    }
  } catch {
    // Not JSON: ignored.
  }
  return undefined;
}
