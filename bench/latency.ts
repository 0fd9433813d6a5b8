import { WebSocket } from 'ws';
import type { Contender } from './contenders';
import { openFleet } from './fleet';
import { median, within } from './measure';
import type { BenchServer } from './server';

/**
 * (2) Reconnect latency: one client; the server drops its link, the client reconnects after a
 * fixed `delay`, and the server greets the new link with its TCP accept time. Measured: TCP
 * accept → the greeting delivered to the client's message handler, per cycle; the median of
 * `cycles` cycles after `warmup` unmeasured ones.
 */
export async function reconnectLatency(
  server: BenchServer,
  contender: Contender,
  cycles: number,
  warmup: number,
  delay: number,
): Promise<number> {
  const samples: number[] = [];
  let seen = 0;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const [client] = await openFleet(contender, 1, {
    url: server.url,
    delay,
    fixed: true,
    WebSocket,
    onHello: (_, hello, at) => {
      if (seen++ > warmup) samples.push(at - hello.hello);
      if (samples.length >= cycles) finished();
      else void server.reset();
    },
  });
  try {
    await within(done, 10_000 + (cycles + warmup) * (delay + 50), `${contender.name} reconnect latency`);
  } finally {
    client.close();
    await server.reset();
  }
  return median(samples);
}
