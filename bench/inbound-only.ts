/**
 * `npm run bench:inbound -- [n] [rounds]`:
 * only the inbound 100 B figure, raw `ws` and rx-reconnect alternating, for checking a change
 * to the per-message path quickly (the full `npm run bench` is the reference).
 */
import { rawWs, rxReconnectDefault } from './contenders';
import { inbound } from './inbound';
import { BenchServer } from './server';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 200_000);
  const rounds = Number(process.argv[3] ?? 5);
  const server = await BenchServer.start();
  const ratios: number[] = [];
  try {
    for (const contender of [rawWs, rxReconnectDefault]) await inbound(server, contender, n / 10, 100, 100); // warm-up
    for (let round = 0; round < rounds; round++) {
      const raw = await inbound(server, rawWs, n, 100, 100);
      const ours = await inbound(server, rxReconnectDefault, n, 100, 100);
      ratios.push(ours.perSecond / raw.perSecond);
      process.stdout.write(`raw ${Math.round(raw.perSecond)}  rx-reconnect ${Math.round(ours.perSecond)}  ratio ${(ours.perSecond / raw.perSecond).toFixed(2)}\n`);
    }
  } finally {
    await server.stop();
  }
  ratios.sort((a, b) => a - b);
  process.stdout.write(`median ratio ${ratios[Math.floor(ratios.length / 2)]!.toFixed(2)}\n`);
}

void main();
