import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClientMessage } from '../protocol';
import { PubSubServer } from '../pubsub-server';
import type { Colour } from '../timeline';
import { DriveWatch, type DriveSummary } from './drive-watch';
import { createHttpApp } from './http-app';
import { loadPageAssets } from './page-assets';
import { ServerFeed } from './server-feed';
import type { PageNote } from './web-protocol';

/** Options of {@link startWebDemo}. */
export interface WebDemoOptions {
  /**
   * The HTTP port on 127.0.0.1 the page is served from.
   * @default 0 (any free port; read the URL from {@link WebDemo.url})
   */
  readonly port?: number;
  /**
   * The port on 127.0.0.1 of the demo's WebSocket (pub/sub) server, which the page connects to;
   * kept across the page's kill and restart.
   * @default 0 (any free port; read it from {@link WebDemo.wsUrl})
   */
  readonly wsPort?: number;
  /**
   * Where the demo narrates what the ws server and the page do (one call per line).
   * @default nothing is printed
   */
  readonly log?: (tag: string, text: string, colour?: Colour) => void;
}

/** An order as the ws server received it. */
export interface ReceivedOrder {
  readonly id: number;
  /** The server-side id of the client connection (a link) it arrived on. */
  readonly client: number;
}

/** A running web demo (see {@link startWebDemo}). */
export interface WebDemo {
  /** The page: `http://127.0.0.1:<port>/`. */
  readonly url: string;
  /** The demo pub/sub server the page connects to: `ws://127.0.0.1:<port>` (the same port across restarts). */
  readonly wsUrl: string;
  /** Every client message the ws server received, per client connection, in arrival order. */
  readonly received: ReadonlyMap<number, readonly ClientMessage[]>;
  /** Every order the ws server received, in arrival order. */
  readonly orders: readonly ReceivedOrder[];
  /**
   * Resolves once the page has been driven: the server killed and restarted, an order buffered
   * while offline, `SubscriptionsRestored`, and every buffered order received by the server on a
   * link made after the restart. Never rejects; bound the wait yourself.
   */
  readonly driven: Promise<DriveSummary>;
  /** Stops the ws and HTTP servers and ends every page's server feed. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts the web demo: the demo pub/sub ws server on a free port of 127.0.0.1, and an HTTP
 * server serving one page that uses rx-reconnect in the browser with the native `WebSocket`
 * (the library bundled by esbuild now), with buttons that kill and restart the ws server.
 */
export async function startWebDemo(options: WebDemoOptions = {}): Promise<WebDemo> {
  const log = options.log ?? (() => undefined);
  const feed = new ServerFeed();
  const watch = new DriveWatch();
  const orders: ReceivedOrder[] = [];
  const buffered = new Set<number>();
  const server = new PubSubServer({
    log: (text) => {
      log('[server]', text, 'blue');
      feed.publish({ kind: 'log', text });
    },
    order: (id, client) => {
      orders.push({ id, client });
      log('[server]', `received order ${id} from client #${client}${buffered.has(id) ? ' (was buffered)' : ''}`, 'blue');
      feed.publish({ kind: 'order', id, client });
      watch.order(id, client);
    },
  });
  const wsPort = await server.start(options.wsPort ?? 0);
  const wsUrl = `ws://127.0.0.1:${wsPort}`;
  let running = true;
  let stopped = false;
  feed.publish({ kind: 'status', running, port: wsPort });

  // Kill and restart run one at a time, in the order asked (a double click cannot interleave them).
  let queue: Promise<void> = Promise.resolve();
  const serially = (work: () => Promise<void>): Promise<void> => (queue = queue.catch(() => undefined).then(work));

  const kill = (): Promise<void> =>
    serially(async () => {
      if (stopped || !running) return;
      await server.stop();
      running = false;
      log('demo', `ws server killed (listener closed, clients terminated); port ${wsPort} kept for the restart`, 'bold');
      feed.publish({ kind: 'log', text: 'killed: listener closed, every client terminated' });
      feed.publish({ kind: 'status', running, port: wsPort });
    });
  const restart = (): Promise<void> =>
    serially(async () => {
      if (stopped || running) return;
      await server.start(wsPort);
      running = true;
      watch.restarted(Math.max(0, ...server.received.keys()) + 1);
      log('demo', `ws server restarted on the same port ${wsPort}`, 'bold');
      feed.publish({ kind: 'log', text: `restarted on the same port ${wsPort}` });
      feed.publish({ kind: 'status', running, port: wsPort });
    });
  const pageNote = (note: PageNote): void => {
    if (note.kind === 'order' && note.buffered) buffered.add(note.id);
    if (note.kind === 'event') log('[page]', note.text, 'cyan');
    else if (note.kind === 'state') log('[page]', `state ${note.state}`, 'cyan');
    else log('[page]', `send(order ${note.id})${note.buffered ? ' while offline -> buffered' : ''}`, 'bold');
    watch.page(note);
  };

  let http: Server;
  try {
    const assets = await loadPageAssets(wsUrl);
    http = createHttpApp({ assets, feed, wsPort, kill, restart, pageNote });
    await listen(http, options.port ?? 0);
  } catch (error) {
    await server.stop();
    throw error;
  }
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      stopped = true;
      await queue.catch(() => undefined);
      feed.end();
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await Promise.all([closed, server.stop()]);
    })());

  return { url, wsUrl, received: server.received, orders, driven: watch.done, stop };
}

function listen(http: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
}
