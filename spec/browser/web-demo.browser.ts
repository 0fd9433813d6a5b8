import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { TOPICS } from '../../demo/protocol';
import { startWebDemo } from '../../demo/web/start-web-demo';

/**
 * `npm run demo -- --web` in a real browser: headless Chromium (Debian's) drives the page —
 * kill the server, send an order while offline, restart — and the page, the demo's ws server
 * and (for `--once`) the CLI's exit code must all tell the same story.
 */
const ROOT = join(__dirname, '..', '..');
const SCREENSHOT = join(ROOT, '.artifacts', 'web-demo.png');
/** Every wait on the page is bounded by this. */
const WAIT = { timeout: 10_000 };

describe('npm run demo -- --web, driven in Chromium', () => {
  let browser: Browser | undefined;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('kill → Reconnecting; an order sent offline is counted as buffered; restart → SubscriptionsRestored, the order reaches the server, the count returns to 0, data resumes', async () => {
    const demo = await startWebDemo();
    const tab = await newTab(browser!);
    try {
      const seen = watchTraffic(tab);
      await tab.goto(demo.url);
      await untilLive(tab);
      for (const topic of TOPICS) await untilCard(tab, topic, 'data-received', 5, false); // data flows on the first link

      await tab.click('#kill');
      await tab.waitForSelector('#state[data-state="reconnecting"]', WAIT);
      await tab.waitForSelector('#timeline li[data-type="Reconnecting"]', WAIT);
      await tab.waitForSelector('#server-status[data-running="false"]', WAIT);
      const atKill = await lastSeqs(tab); // the server publishes nothing while it is down

      // Send an order with the mouse: its label must stay readable hovered and pressed (WCAG AA).
      await tab.hover('#send-order');
      expect(await contrastOf(tab, '#send-order')).toEqual({ selector: '#send-order', readable: true, ratio: expect.any(Number) });
      await tab.mouse.down();
      expect(await contrastOf(tab, '#send-order')).toEqual({ selector: '#send-order', readable: true, ratio: expect.any(Number) });
      await tab.mouse.up(); // the click
      await untilText(tab, '#buffered', '1');
      await tab.waitForSelector('#timeline li[data-type="action"].c-yellow', WAIT); // "send(order 1) while reconnecting: buffered"
      expect(demo.orders).toEqual([]); // nothing can have reached the server: it is down

      await tab.click('#restart');
      await tab.waitForSelector('#timeline li[data-type="SubscriptionsRestored"]', WAIT);
      await tab.waitForSelector('#state[data-state="connected"]', WAIT);
      await untilText(tab, '#buffered', '0');
      await tab.waitForSelector('#server-orders li[data-order="1"].was-buffered', WAIT);
      for (const topic of TOPICS) await untilCard(tab, topic, 'data-seq', atKill.get(topic)! + 4, true); // the 4th tick after the restart

      // The server side: the order arrived once, on the new link, after both re-subscriptions.
      const summary = await within(demo.driven, WAIT.timeout, 'the demo to see the page driven');
      expect(summary.bufferedOrders).toEqual([1]);
      const client = summary.deliveredOn.get(1)!;
      expect(client).toBeGreaterThan(1); // client #1 was the link the kill cut
      expect(demo.orders).toEqual([{ id: 1, client }]);
      expect(demo.received.get(client)).toEqual([
        { op: 'subscribe', topic: 'ticker:BTC' },
        { op: 'subscribe', topic: 'ticker:ETH' },
        { op: 'order', id: 1 },
      ]);

      // The page's own account of the same story.
      const restored = await tab.textContent('#timeline li[data-type="SubscriptionsRestored"] .detail');
      expect(restored).toBe('count=2');
      const types = await tab.$$eval('#timeline li[data-type]:not([data-type="action"])', (rows) => rows.map((row) => row.getAttribute('data-type')));
      expect(types.slice(0, 2)).toEqual(['Connecting', 'Connected']);
      const disconnected = types.indexOf('Disconnected');
      const reconnected = types.indexOf('Reconnected');
      expect(disconnected).toBeGreaterThan(1);
      expect(types[disconnected + 1]).toBe('Reconnecting');
      expect(types.slice(reconnected, reconnected + 2)).toEqual(['Reconnected', 'SubscriptionsRestored']);

      // The library ran on the browser's own WebSocket, and the page loaded nothing from elsewhere.
      expect(seen.errors).toEqual([]);
      expect(seen.sockets.length).toBeGreaterThanOrEqual(2); // the first link, the restored one (and failed attempts)
      expect(seen.sockets.every((url) => url.startsWith(demo.wsUrl))).toBe(true);
      expect(seen.requests.every((url) => url.startsWith(demo.url))).toBe(true);

      await mkdir(join(ROOT, '.artifacts'), { recursive: true });
      await tab.screenshot({ path: SCREENSHOT, fullPage: true });
    } finally {
      await tab.close();
      await demo.stop();
    }
  }, 45_000);

  it('`npm run demo -- --web --port N --once` serves the page on N and its WebSocket server on N + 1, prints the URL, and exits 0 once the page has been driven', async () => {
    const port = await freePortPair();
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'demo/index.ts', '--web', '--port', String(port), '--once', '--timeout', '40'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = collect(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const tab = await newTab(browser!);
    try {
      const url = await within(output.match(/open (http:\/\/127\.0\.0\.1:\d+\/)/), 20_000, 'the demo to print its URL');
      expect(url).toBe(`http://127.0.0.1:${port}/`);
      expect(output.stdout()).toContain(`ws://127.0.0.1:${port + 1}`);
      const seen = watchTraffic(tab);
      await tab.goto(url);
      await untilLive(tab);
      expect(seen.sockets.length).toBeGreaterThanOrEqual(1);
      expect(seen.sockets.every((socket) => socket.startsWith(`ws://127.0.0.1:${port + 1}`))).toBe(true);
      await tab.click('#kill');
      await tab.waitForSelector('#server-status[data-running="false"]', WAIT);
      await tab.click('#send-order');
      await untilText(tab, '#buffered', '1');
      await tab.click('#restart');
      await tab.waitForSelector('#timeline li[data-type="SubscriptionsRestored"]', WAIT);

      const code = await within(exited, 15_000, 'the demo to exit after being driven');
      expect({ code, stderr: output.stderr() }).toEqual({ code: 0, stderr: '' });
      expect(output.stdout()).toMatch(/driven: buffered while offline and delivered after the restart: order 1 on client #\d+/);
    } finally {
      await tab.close();
      if (child.exitCode === null && child.signalCode === null) child.kill();
      await exited;
    }
  }, 60_000);
});

async function newTab(browser: Browser): Promise<Page> {
  return browser.newPage({ viewport: { width: 1400, height: 1000 } });
}

/** Connected, the server shown running, and data on both channels. */
async function untilLive(tab: Page): Promise<void> {
  await tab.waitForSelector('#state[data-state="connected"]', WAIT);
  await tab.waitForSelector('#server-status[data-running="true"]', WAIT);
  for (const topic of TOPICS) await tab.waitForSelector(`.channel[data-topic="${topic}"]:not([data-seq="0"])`, WAIT);
}

async function lastSeqs(tab: Page): Promise<Map<string, number>> {
  const entries = await tab.$$eval('.channel', (cards) => cards.map((card) => [card.getAttribute('data-topic') ?? '', Number(card.getAttribute('data-seq'))] as const));
  return new Map(entries);
}

async function untilText(tab: Page, selector: string, text: string): Promise<void> {
  await tab.waitForFunction(([s, t]) => document.querySelector(s)?.textContent === t, [selector, text] as const, WAIT);
}

/** The channel's card shows `attribute` ≥ `min` (and, with `resumed`, data on a link after the first). */
async function untilCard(tab: Page, topic: string, attribute: 'data-seq' | 'data-received', min: number, resumed: boolean): Promise<void> {
  await tab.waitForFunction(
    ([t, a, m, r]) => {
      const card = document.querySelector(`.channel[data-topic="${t}"]`);
      return card !== null && Number(card.getAttribute(a)) >= m && (!r || card.getAttribute('data-resumed') === 'true');
    },
    [topic, attribute, min, resumed] as const,
    WAIT,
  );
}

/** Page errors, HTTP requests and WebSocket URLs the tab makes. */
function watchTraffic(tab: Page): { errors: string[]; requests: string[]; sockets: string[] } {
  const seen = { errors: [] as string[], requests: [] as string[], sockets: [] as string[] };
  tab.on('pageerror', (error) => seen.errors.push(error.message));
  tab.on('request', (request) => seen.requests.push(request.url()));
  tab.on('websocket', (socket) => seen.sockets.push(socket.url()));
  return seen;
}

/** `promise`, or an error naming what did not happen within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited ${ms} ms for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The child's output so far, and a promise for the first match of a pattern on stdout. */
function collect(child: ChildProcess): { stdout(): string; stderr(): string; match(pattern: RegExp): Promise<string> } {
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    waiters.forEach((wake) => wake());
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    match: (pattern) =>
      new Promise((resolve, reject) => {
        const test = (): void => {
          const found = pattern.exec(stdout);
          if (found) resolve(found[1] ?? found[0]);
        };
        waiters.push(test);
        child.once('exit', (code) => reject(new Error(`exited (${code}) before printing ${pattern}: ${stdout}${stderr}`)));
        test();
      }),
  };
}

/** WCAG AA for normal text: a contrast ratio of at least 4.5 between text and background. */
const READABLE = 4.5;

/** The contrast of an element's text against its own background, as rendered now. */
async function contrastOf(tab: Page, selector: string): Promise<{ selector: string; readable: boolean; ratio: number }> {
  const [color, background] = await tab.$eval(selector, (element) => {
    const style = getComputedStyle(element);
    return [style.color, style.backgroundColor] as const;
  });
  const ratio = contrast(parseRgb(color), parseRgb(background));
  return { selector, readable: ratio >= READABLE, ratio };
}

function parseRgb(css: string): [number, number, number] {
  const parts = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(css);
  if (parts === null) throw new Error(`not an rgb() colour: ${css}`);
  if (parts[4] !== undefined && Number(parts[4]) < 1) throw new Error(`a translucent colour cannot be judged alone: ${css}`);
  return [Number(parts[1]), Number(parts[2]), Number(parts[3])];
}

/** WCAG 2 contrast ratio of two sRGB colours. */
function contrast(a: [number, number, number], b: [number, number, number]): number {
  const luminance = (rgb: [number, number, number]): number => {
    const [r, g, b2] = rgb.map((channel) => {
      const c = channel / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b2;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

/** A port P on 127.0.0.1 with P + 1 free too, for `--port P` (bounded tries). */
async function freePortPair(): Promise<number> {
  for (let tries = 0; tries < 20; tries++) {
    const first = await listenOn(0);
    const port = (first.address() as { port: number }).port;
    const second = port < 65_535 ? await listenOn(port + 1).catch(() => undefined) : undefined;
    await Promise.all([closeServer(first), second && closeServer(second)]);
    if (second !== undefined) return port;
  }
  throw new Error('found no two consecutive free ports on 127.0.0.1 in 20 tries');
}

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
