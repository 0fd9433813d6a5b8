import { performance } from 'node:perf_hooks';
import { closeRaw, openLib, openRaw } from './clients';
import { MemoryProbe, since, within, type MemoryCost } from './measure';
import type { BenchServer } from './server';

/** A tick as the server sends it. */
export interface Tick {
  readonly sym: string;
  readonly seq: number;
  readonly price: number;
}

/** A client under test, receiving: opens, hands every parsed message to `onMessage`. */
export interface Receiver {
  readonly name: string;
  open(url: string, onMessage: (tick: Tick) => void): Promise<() => Promise<void>>;
}

/** `ws` with `JSON.parse` in its `'message'` handler. */
export const rawReceiver: Receiver = {
  name: 'raw ws',
  async open(url, onMessage) {
    const socket = await openRaw(url);
    socket.on('message', (data) => onMessage(JSON.parse(data.toString()) as Tick));
    return () => closeRaw(socket);
  },
};

/** rx-reconnect's `messages$` (default options). */
export const libReceiver: Receiver = {
  name: 'rx-reconnect',
  async open(url, onMessage) {
    const conn = await openLib<Tick, never>(url);
    conn.messages$.subscribe(onMessage);
    return async () => conn.close();
  },
};

export interface RunResult extends MemoryCost {
  readonly ms: number;
  readonly perSecond: number;
}

/** (a) The server sends `n` messages as fast as backpressure allows; time until the client has them all. */
export async function inbound(server: BenchServer, receiver: Receiver, n: number): Promise<RunResult> {
  let count = 0;
  let checksum = 0;
  let allIn!: () => void;
  const done = new Promise<void>((resolve) => (allIn = resolve));
  const close = await receiver.open(server.url, (tick) => {
    checksum += tick.seq;
    if (++count === n) allIn();
  });
  const memory = new MemoryProbe();
  const start = performance.now();
  await server.blast(n);
  await within(done, 20_000, `${receiver.name} inbound`);
  const ms = since(start);
  const cost = memory.stop();
  await close();
  await server.reset();
  if (checksum !== (n * (n - 1)) / 2) throw new Error(`${receiver.name} inbound: wrong messages (checksum ${checksum})`);
  return { ms, perSecond: (n / ms) * 1000, ...cost };
}
