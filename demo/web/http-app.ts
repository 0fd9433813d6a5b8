import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { PageAssets } from './page-assets';
import type { ServerFeed } from './server-feed';
import { API, parsePageNote, type PageNote } from './web-protocol';

/** What the HTTP side of the demo serves and calls. */
export interface HttpAppHandlers {
  readonly assets: PageAssets;
  readonly feed: ServerFeed;
  /** The ws server's port: the only place the page may connect to besides this origin. */
  readonly wsPort: number;
  kill(): Promise<void>;
  restart(): Promise<void>;
  pageNote(note: PageNote): void;
}

/** A page note is a line of JSON: anything longer is not one. */
const MAX_NOTE_BYTES = 4_096;

/**
 * The demo's HTTP server: the page (`/`, `/style.css`, `/app.js`), its server feed and the
 * kill/restart buttons' endpoints (see {@link API}). The Content-Security-Policy allows only
 * this origin and the ws server: the page loads nothing from elsewhere.
 */
export function createHttpApp(handlers: HttpAppHandlers): Server {
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self' ws://127.0.0.1:${handlers.wsPort}`,
  ].join('; ');
  const files: Record<string, readonly [string, string]> = {
    '/': ['text/html; charset=utf-8', handlers.assets.html],
    '/style.css': ['text/css; charset=utf-8', handlers.assets.css],
    '/app.js': ['text/javascript; charset=utf-8', handlers.assets.js],
  };

  return createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(error instanceof Error ? error.message : String(error));
    });
  });

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const file = files[path];
    if (request.method === 'GET' && file) {
      response.writeHead(200, { 'content-type': file[0], 'cache-control': 'no-store', 'content-security-policy': csp });
      response.end(file[1]);
    } else if (request.method === 'GET' && path === API.serverEvents) {
      handlers.feed.attach(response);
    } else if (request.method === 'POST' && (path === API.kill || path === API.restart)) {
      await (path === API.kill ? handlers.kill() : handlers.restart());
      response.writeHead(204).end();
    } else if (request.method === 'POST' && path === API.pageNotes) {
      const note = parsePageNote(await readBody(request));
      if (note) handlers.pageNote(note);
      response.writeHead(note ? 204 : 400).end();
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_NOTE_BYTES) request.destroy(new Error('page note too long'));
    });
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}
