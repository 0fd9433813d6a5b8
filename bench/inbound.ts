import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import type { Contender } from './contenders';
import { openFleet } from './fleet';
import { MemoryProbe, since, within, type MemoryCost } from './measure';
import type { BenchServer } from './server';

/** A tick as the server sends it (padded to the run's message size). */
export interface Tick {
  readonly sym: string;
  readonly seq: number;
  readonly price: number;
}

export interface RunResult extends MemoryCost {
  readonly ms: number;
  readonly perSecond: number;
}

/**
 * (a) The server sends `n` messages of `bytes` bytes as fast as backpressure allows; time
 * until the client has them all (parsed), and what that cost in memory.
 */
export async function inbound(server: BenchServer, contender: Contender, n: number, bytes: number, delay: number): Promise<RunResult> {
  let count = 0;
  let checksum = 0;
  let allIn!: () => void;
  const done = new Promise<void>((resolve) => (allIn = resolve));
  const [client] = await openFleet(contender, 1, {
    url: server.url,
    delay,
    WebSocket,
    onMessage: (message) => {
      checksum += (message as Tick).seq;
      if (++count === n) allIn();
    },
  });
  const memory = new MemoryProbe();
  const start = performance.now();
  try {
    await server.blast(n, 0, bytes);
    await within(done, 30_000, `${contender.name} inbound`);
  } finally {
    client.close();
  }
  const ms = since(start);
  const cost = memory.stop();
  await server.reset();
  if (checksum !== (n * (n - 1)) / 2) throw new Error(`${contender.name} inbound: wrong messages (checksum ${checksum})`);
  return { ms, perSecond: (n / ms) * 1000, ...cost };
}
