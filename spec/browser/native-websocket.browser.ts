import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * The library in a real browser: Chromium (Debian's, headless) loads a bundle of
 * `spec/browser/page.ts` and connects to a ws server on 127.0.0.1 with the native WebSocket.
 */
describe('in Chromium, with the native WebSocket', () => {
  let browser: Browser | undefined;
  let http: Server | undefined;
  let wss: WebSocketServer | undefined;

  afterAll(async () => {
    await browser?.close();
    for (const client of wss?.clients ?? []) client.terminate();
    await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
  });

  it('connects, survives a drop (woken by `online`), replays the channel, flushes the buffer, closes', async () => {
    const bundle = await build({
      entryPoints: [join(__dirname, 'page.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'es2020',
      external: ['ws'], // only required on Node; never reached in a browser
    });
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss!.once('listening', resolve));
    const wsUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    const received: string[][] = [];
    let pings = 0;
    wss.on('connection', (socket: WebSocket) => {
      const frames: string[] = [];
      received.push(frames);
      socket.on('ping', () => pings++);
      socket.on('message', (data) => {
        frames.push(String(data));
        const message = JSON.parse(String(data)) as { op: string };
        if (message.op !== 'sub') return;
        socket.send(JSON.stringify({ topic: 'news', seq: received.length }));
        // The first link is cut without a close frame, as a network would.
        if (received.length === 1) setImmediate(() => socket.terminate());
      });
    });

    const page = `<!doctype html><script>window.wsUrl=${JSON.stringify(wsUrl)}</script><script>${bundle.outputFiles[0]!.text}</script>`;
    http = createServer((_, response) => response.writeHead(200, { 'content-type': 'text/html' }).end(page));
    await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
    const pageUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;

    browser ??= await launch();
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    await tab.goto(pageUrl);
    const finished = await tab
      .waitForFunction(() => window.report.done || window.report.error !== undefined, undefined, { timeout: 10_000 })
      .then(() => true, () => false);
    const report = await tab.evaluate(() => window.report);
    if (!finished) throw new Error(`page did not finish: ${JSON.stringify({ report, errors })}`);

    expect(errors).toEqual([]);
    expect(report.error).toBeUndefined();
    expect(report.transport).toBe('native');
    expect(report.events).toEqual([
      'Connecting',
      'Connected',
      'Disconnected',
      'Reconnecting',
      'Connecting', // at once: the `online` event, not the 20 s backoff
      'Reconnected',
      'SubscriptionsRestored',
      'Disconnected',
      'Closed',
    ]);
    expect(report.states).toEqual(['connecting', 'connected', 'reconnecting', 'connected', 'closed']);
    expect(report.received).toEqual([{ topic: 'news', seq: 1 }, { topic: 'news', seq: 2 }]);
    expect(received.map((frames) => frames.map((f) => JSON.parse(f).op))).toEqual([['sub'], ['sub', 'buffered']]);
    expect(pings).toBe(0); // no protocol pings in browsers: the default heartbeat is off
  });

  it('resolves relative and http: URLs, also from a URL factory, against the page, as the native WebSocket does (http → ws)', async () => {
    // One server for the page and the WebSocket, as an app and its feed behind one origin.
    const page = `<!doctype html><script>${await pageBundle(`
      import { connect } from './lib';
      window.report = { urls: [], done: false };
      const opened = (url) => new Promise((resolve, reject) => {
        const conn = connect({ url, retry: false });
        conn.events$.subscribe({
          next: (e) => {
            if (e.type === 'Connected') { window.report.urls.push(e.url); conn.close(); }
          },
          complete: resolve,
          error: reject,
        });
      });
      opened('/feed')
        .then(() => opened('feed'))
        .then(() => opened(location.origin.replace('https', 'http') + '/feed'))
        // A factory's result, sync or async, is resolved when the attempt opens.
        .then(() => opened(() => '/feed'))
        .then(() => opened(async () => 'feed'))
        .then(() => (window.report.done = true), (error) => (window.report.error = String(error)));
    `)}</script>`;
    const server = createServer((_, response) => response.writeHead(200, { 'content-type': 'text/html' }).end(page));
    const feed = new WebSocketServer({ server, path: '/feed' });
    const paths: string[] = [];
    feed.on('connection', (_socket, request) => paths.push(request.url ?? ''));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const origin = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      browser ??= await launch();
      const tab = await browser.newPage();
      await tab.goto(`http://${origin}/`);
      const finished = await tab
        .waitForFunction(() => (window as unknown as { report: { done: boolean; error?: string } }).report?.done || (window as unknown as { report: { error?: string } }).report?.error !== undefined, undefined, { timeout: 10_000 })
        .then(() => true, () => false);
      const report = await tab.evaluate(() => (window as unknown as { report: unknown }).report);
      expect({ finished, report }).toEqual({ finished: true, report: { done: true, urls: Array(5).fill(`ws://${origin}/feed`) } });
      expect(paths).toEqual(Array(5).fill('/feed'));
      await tab.close();
    } finally {
      for (const client of feed.clients) client.terminate();
      await new Promise<void>((resolve) => feed.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

/** A browser bundle of `source`, which imports the library as `./lib`. */
async function pageBundle(source: string): Promise<string> {
  const bundle = await build({
    stdin: { contents: source, resolveDir: join(__dirname, '../..'), sourcefile: 'page.js', loader: 'js' },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    external: ['ws'],
  });
  return bundle.outputFiles[0]!.text;
}

function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
