/**
 * `npm run bench:nats`: rx-reconnect/nats and nats.ws 1.30 side by side, in the same run, on a
 * real 3-node nats-server cluster on 127.0.0.1 (Debian's nats-server: `bash
 * spec/support/ensure-servers.sh`). For each scenario, CLIENTS clients of each library (server
 * lists shuffled, as both do by default) subscribe to one subject while a publisher on a node
 * that stays up sends RATE numbered messages a second; then the node most clients use is killed
 * (SIGKILL) or put into lame-duck mode. Reports, per library: messages lost (client × message),
 * duplicated, clients that saw them out of order, and the clients that moved.
 *
 * Bounded: every wait has a deadline, the publisher stops after MAX_ROUNDS, the cluster is
 * stopped at the end (and SIGKILLed on exit). Core NATS is at most once for both libraries.
 */
import WebSocket from 'ws';
import { firstValueFrom } from 'rxjs';
import { NatsCluster } from '../../demo/nats/cluster';
import { natsConnect, type NatsConnection } from '../../lib/nats';

// nats.ws finds its WebSocket on globalThis (Node 20 has none).
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const natsWs = require('nats.ws') as typeof import('nats.ws');

const CLIENTS = Number(process.env.CLIENTS ?? 100);
const RATE = 25;
const MAX_ROUNDS = 2_000;
const SETTLE_MS = 4_000;
const STEP_MS = 20_000;

interface Fleet {
  readonly name: string;
  /** Payloads received by each client, in order. */
  readonly received: string[][];
  /** Index of the node each client is on (at the fault). */
  nodeOf(): number[];
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, ms = STEP_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function ours(cluster: NatsCluster, subject: string): Promise<Fleet> {
  const clients: NatsConnection[] = Array.from({ length: CLIENTS }, () => natsConnect({ servers: cluster.wsUrls }));
  const received = clients.map(() => [] as string[]);
  clients.forEach((nc, i) => nc.subscribe(subject).subscribe({ next: (m) => received[i].push(m.string()), error: () => undefined }));
  await Promise.all(clients.map((nc) => firstValueFrom(nc.flush({ timeout: STEP_MS }))));
  return {
    name: 'rx-reconnect/nats',
    received,
    nodeOf: () => clients.map((nc) => cluster.indexOf(nc.currentServer)),
    close: async () => clients.forEach((nc) => nc.close()),
  };
}

async function theirs(cluster: NatsCluster, subject: string): Promise<Fleet> {
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, () => natsWs.connect({ servers: cluster.wsUrls, maxReconnectAttempts: -1, waitOnFirstConnect: true })),
  );
  const received = clients.map(() => [] as string[]);
  const codec = natsWs.StringCodec();
  clients.forEach((nc, i) => nc.subscribe(subject, { callback: (error, msg) => error || received[i].push(codec.decode(msg.data)) }));
  await Promise.all(clients.map((nc) => nc.flush()));
  return {
    name: 'nats.ws 1.30',
    received,
    nodeOf: () => clients.map((nc) => cluster.indexOf(`ws://${nc.getServer()}`)),
    close: async () => {
      await Promise.all(clients.map((nc) => nc.close().catch(() => undefined)));
    },
  };
}

/** Losses, duplicates and reorders of `published` in each client's `received`. */
function tally(published: readonly string[], fleet: Fleet, moved: readonly boolean[]) {
  let lost = 0;
  let lostByMoved = 0;
  let duplicated = 0;
  let outOfOrder = 0;
  const wanted = new Set(published);
  fleet.received.forEach((payloads, i) => {
    const seen = new Set<string>();
    let last = -1;
    let ordered = true;
    for (const p of payloads) {
      if (!wanted.has(p)) continue;
      if (seen.has(p)) duplicated++;
      seen.add(p);
      const n = Number(p.slice(1));
      if (n < last) ordered = false;
      last = Math.max(last, n);
    }
    const missing = published.filter((p) => !seen.has(p)).length;
    lost += missing;
    if (moved[i]) lostByMoved += missing;
    if (!ordered) outOfOrder++;
  });
  return { clients: fleet.received.length, moved: moved.filter(Boolean).length, lost, lostByMoved, duplicated, outOfOrder };
}

async function scenario(cluster: NatsCluster, fault: 'kill' | 'lame-duck', tag: string): Promise<Record<string, unknown>> {
  const subject = `cmp.${tag}`;
  const fleets = [await ours(cluster, subject), await theirs(cluster, subject)];
  const counts = cluster.wsUrls.map((_, node) => fleets.reduce((n, f) => n + f.nodeOf().filter((k) => k === node).length, 0));
  const k = counts.indexOf(Math.max(...counts));
  const publisher = natsConnect({ servers: [cluster.wsUrl((k + 1) % cluster.size)], ignoreDiscoveredServers: true });
  await firstValueFrom(publisher.flush());
  // Interest reaches every node over the routes first.
  let warm = 0;
  await until(() => {
    publisher.publish(subject, `w${++warm}`);
    return fleets.every((f) => f.received.every((r) => r.length > 0));
  }, 'every subscription to be routed');

  const published: string[] = [];
  const timer = setInterval(() => {
    if (published.length >= MAX_ROUNDS) return;
    const id = `m${published.length + 1}`;
    publisher.publish(subject, id);
    published.push(id);
  }, 1_000 / RATE);
  await sleep(1_000);
  const moved = fleets.map((f) => f.nodeOf().map((node) => node === k));
  const started = Date.now();
  if (fault === 'kill') await cluster.kill(k);
  else {
    void cluster.lameDuck(k).catch(() => undefined);
  }
  // Kill: clients fail over at once. Lame duck: nats.ws is evicted over the lame-duck window,
  // ours hands over within lameDuckSpread (5 s); wait until nobody is left on the node.
  await until(() => fleets.every((f) => f.nodeOf().every((node) => node !== k)), 'every client to leave the node', 60_000);
  const movedWithinMs = Date.now() - started;
  await sleep(SETTLE_MS);
  clearInterval(timer);
  publisher.publish(subject, 'end');
  await until(() => fleets.every((f) => f.received.every((r) => r.includes('end'))), 'the end marker everywhere');
  const result = {
    scenario: fault,
    node: k,
    published: published.length,
    lastClientLeftMs: movedWithinMs,
    ...Object.fromEntries(fleets.map((f, i) => [f.name, tally(published, f, moved[i])])),
  };
  for (const f of fleets) await f.close();
  publisher.close();
  await cluster.kill(k);
  await cluster.restart(k);
  return result;
}

async function main(): Promise<void> {
  const cluster = await NatsCluster.start({ lameDuckGracePeriod: 7_000 });
  try {
    const results = [await scenario(cluster, 'kill', 'kill'), await scenario(cluster, 'lame-duck', 'ldm')];
    for (const r of results) console.log(JSON.stringify(r, null, 1));
  } finally {
    await cluster.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
