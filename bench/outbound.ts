import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { closeRaw, openLib, openRaw } from './clients';
import type { RunResult } from './inbound';
import { MemoryProbe, since, within } from './measure';
import type { BenchServer } from './server';

/** What the client sends. */
export interface Order {
  readonly op: 'order';
  readonly seq: number;
  readonly qty: number;
}

/** A client under test, sending. */
export interface Sender {
  readonly name: string;
  open(url: string): Promise<{ send(order: Order): void; close(): Promise<void> }>;
}

/** `ws.send(JSON.stringify(order))`. */
export const rawSender: Sender = {
  name: 'raw ws',
  async open(url) {
    const socket = await openRaw(url);
    return { send: (order) => socket.send(JSON.stringify(order)), close: () => closeRaw(socket) };
  },
};

/** rx-reconnect's `conn.send(order)` (default options). */
export const libSender: Sender = {
  name: 'rx-reconnect',
  async open(url) {
    const conn = await openLib<never, Order>(url);
    return { send: (order) => conn.send(order), close: async () => conn.close() };
  },
};

/** Messages sent per turn of the event loop (so the socket drains while the loop goes on). */
const CHUNK = 1_000;

/** (b) The client sends `n` messages; time until the server has received them all. */
export async function outbound(server: BenchServer, sender: Sender, n: number): Promise<RunResult> {
  const client = await sender.open(server.url);
  const { received } = await server.expect(n);
  const memory = new MemoryProbe();
  const start = performance.now();
  for (let seq = 0; seq < n; seq++) {
    client.send({ op: 'order', seq, qty: 1 + (seq % 10) });
    if (seq % CHUNK === CHUNK - 1) await nextTurn();
  }
  await within(received, 20_000, `${sender.name} outbound`);
  const ms = since(start);
  const cost = memory.stop();
  await client.close();
  await server.reset();
  return { ms, perSecond: (n / ms) * 1000, ...cost };
}
