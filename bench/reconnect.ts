import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { openLib } from './clients';
import { DROP_MARKER } from './control';
import { settledHeap, since, within } from './measure';
import type { BenchServer } from './server';

/** Channels kept open through the cycles (each one's subscribe is replayed on every link). */
const CHANNELS = 10;
const DROP = JSON.parse(`{${DROP_MARKER}}`) as { op: 'drop' };

type Out = { op: 'subscribe' | 'unsubscribe'; topic: string } | { op: 'note'; n: number } | { op: 'drop' };

export interface CycleResult {
  /** Settled heap (bytes) after the warm-up, halfway, and at the end. */
  readonly heap: readonly [number, number, number];
  /** Mean ms per measured cycle. */
  readonly msPerCycle: number;
}

/**
 * A client that flaps: `cycles(k)` asks the server to drop the link (a frame with the drop
 * marker: the server terminates the socket) and resolves once `k` new links are up, leaving
 * the last one up.
 */
interface Flapper {
  cycles(k: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * (c) Warm up, then `cycles` drop/reconnect cycles in two halves, with the settled heap
 * measured while a link is up after each phase.
 */
export async function reconnectCycles(
  server: BenchServer,
  open: (url: string) => Promise<Flapper>,
  cycles: number,
  warmup: number,
): Promise<CycleResult> {
  await server.dropMode(true);
  const flapper = await open(server.url);
  await within(flapper.cycles(warmup), 20_000, 'warm-up cycles');
  const h0 = settledHeap();
  let start = performance.now();
  await within(flapper.cycles(cycles / 2), 20_000, 'reconnect cycles');
  let ms = since(start);
  const h1 = settledHeap();
  start = performance.now();
  await within(flapper.cycles(cycles / 2), 20_000, 'reconnect cycles');
  ms += since(start);
  const h2 = settledHeap();
  await flapper.close();
  await server.dropMode(false);
  await server.reset();
  return { heap: [h0, h1, h2], msPerCycle: ms / cycles };
}

/**
 * rx-reconnect: `initialDelay: 1, jitter: 0` and `maxDelay: 1` (links that drop at once never
 * end the outage, so without a cap the backoff would grow to 30 s). Ten channels are replayed
 * on every link, and a message sent while offline is flushed on every link.
 */
export async function libFlapper(url: string): Promise<Flapper> {
  let remaining = 0;
  let settle: { resolve(): void; reject(error: Error): void } | undefined;
  let notes = 0;
  const conn = await openLib<unknown, Out>(url, { retry: { initialDelay: 1, maxDelay: 1, jitter: 0 } }, (c) => {
    for (let i = 0; i < CHANNELS; i++) {
      const topic = `t:${i}`;
      c.channel({
        key: topic,
        subscribe: { op: 'subscribe', topic },
        unsubscribe: { op: 'unsubscribe', topic },
        match: (m) => (m as { topic?: string }).topic === topic,
      }).subscribe({ error: () => undefined });
    }
    c.messages$.subscribe({ error: () => undefined });
  });
  conn.events$.subscribe((event) => {
    if (event.type === 'Disconnected' && !event.permanent) conn.send({ op: 'note', n: ++notes });
    else if (event.type === 'SubscriptionsRestored') {
      if (--remaining === 0) settle?.resolve();
      else conn.send(DROP);
    } else if (event.type === 'Closed' && remaining > 0) {
      settle?.reject(new Error(`connection closed during the cycles: ${event.reason}`));
    }
  });
  return {
    cycles: (k) =>
      new Promise<void>((resolve, reject) => {
        remaining = k;
        settle = { resolve, reject };
        conn.send(DROP);
      }),
    close: async () => conn.close(),
  };
}

/** The same with a bare `ws` client reopened 1 ms after each close: the baseline. */
export async function rawFlapper(url: string): Promise<Flapper> {
  let remaining = 1;
  let resolveBatch: () => void = () => undefined;
  let closing = false;
  let notes = 0;
  let socket!: WebSocket;
  const linkUp = (): void => {
    if (--remaining === 0) resolveBatch();
    else socket.send(JSON.stringify(DROP));
  };
  const openOne = (): void => {
    const ws = new WebSocket(url);
    socket = ws;
    ws.on('error', () => undefined);
    ws.on('message', (data) => JSON.parse(data.toString()));
    ws.on('open', () => {
      for (let i = 0; i < CHANNELS; i++) ws.send(JSON.stringify({ op: 'subscribe', topic: `t:${i}` }));
      ws.send(JSON.stringify({ op: 'note', n: ++notes }));
      linkUp();
    });
    ws.on('close', () => {
      if (!closing) setTimeout(openOne, 1);
    });
  };
  await new Promise<void>((resolve) => {
    resolveBatch = resolve;
    openOne();
  });
  return {
    cycles: (k) =>
      new Promise<void>((resolve) => {
        remaining = k;
        resolveBatch = resolve;
        socket.send(JSON.stringify(DROP));
      }),
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        socket.once('close', () => resolve());
        socket.close();
      }),
  };
}
