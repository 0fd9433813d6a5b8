import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import type { Client, Contender } from './contenders';
import { openFleet } from './fleet';
import { settledHeap } from './measure';
import type { BenchServer } from './server';

/**
 * (3) Heap per idle connection: the marginal cost of one more idle client. A first fleet of
 * `n / 5` clients is opened (paying every one-time cost: code compiled, module state, pools),
 * then `n` more, each greeted once; the growth of this thread's settled heap (after full
 * collections) between the two, divided by `n`. The server runs in another thread, so only the
 * client's heap counts. Bytes per connection.
 */
export async function idleHeap(server: BenchServer, contender: Contender, n: number, delay: number, batch = 500): Promise<number> {
  let clients: Client[] = [];
  try {
    const fleet = { url: server.url, delay, WebSocket, batch, timeoutMs: 20_000 + n * 5 };
    clients = await openFleet(contender, Math.ceil(n / 5), fleet);
    const before = settledHeap();
    clients = clients.concat(await openFleet(contender, n, fleet));
    const after = settledHeap();
    return (after - before) / n;
  } finally {
    for (const client of clients) client.close();
    await drain(server);
    clients = [];
  }
}

/**
 * Waits (bounded) until the server has no client left, then a little longer for the clients'
 * own close events, so the next measurement starts from a quiet heap.
 */
export async function drain(server: BenchServer): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await server.reset()) === 0) break;
    await sleep(20);
  }
  await sleep(50);
}
