/**
 * `node -r ts-node/register/transpile-only bench/nats/lame-duck-loss.ts`: where a lame duck's
 * losses come from. CLIENTS clients (default 100) of each fleet (rx-reconnect/nats with its
 * defaults, rx-reconnect/nats with 0.5's move, and nats.ws 1.30 with its defaults; THEIRS=0 leaves
 * nats.ws out), in one process, subscribe to one subject on a real 3-node
 * cluster while a publisher on a node that stays up sends RATE numbered messages a second; the
 * node most clients use goes into lame-duck mode. For every moved client, each lost message is
 * placed in a window by its publish time, relative to the client's own timeline:
 *
 * - `beforeDrop`: published before the client saw its old link go (in flight on the old link, or
 *   in the old server's outbound buffer, when the link was dropped);
 * - `reconnecting`: published between the old link's end and the new link being up;
 * - `restoring`: between the new link up and its subscriptions sent/restored;
 * - `afterRestore`: after that (the new interest had not reached the publisher's node yet).
 *
 * Bounded: every wait has a deadline; the cluster is stopped at the end.
 */
import WebSocket from 'ws';
import { firstValueFrom } from 'rxjs';
import { NatsCluster } from '../../demo/nats/cluster';
import { natsConnect, type NatsConnectOptions, type NatsConnection } from '../../lib/nats';

(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const natsWs = require('nats.ws') as typeof import('nats.ws');

const CLIENTS = Number(process.env.CLIENTS ?? 100);
const RATE = Number(process.env.RATE ?? 25);
const WITH_THEIRS = process.env.THEIRS !== '0';
/** Our fleets, each with its options: the default, and 0.5's move (`lameDuckHandover: false`). */
const OURS: ReadonlyArray<{ name: string; options: Partial<NatsConnectOptions> }> = [
  { name: 'ours (handover, default)', options: {} },
  { name: 'ours (lameDuckHandover: false, 0.5)', options: { lameDuckHandover: false } },
];
const STEP_MS = 20_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, ms = STEP_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** One client's timeline: message arrivals and link events, wall clock. */
interface Timeline {
  readonly received: Array<{ n: number; at: number }>;
  /** A warm-up message arrived: the subscription is routed. */
  warm?: boolean;
  /** When the old link went (first loss after the signal). */
  dropAt?: number;
  dropReason?: string;
  /** When the new link was up. */
  upAt?: number;
  /** When its subscriptions were restored (ours) or re-sent (nats.ws: same as upAt). */
  restoredAt?: number;
}

interface Fleet {
  readonly name: string;
  readonly timelines: Timeline[];
  nodeOf(): number[];
  close(): Promise<void>;
}

async function ours(
  cluster: NatsCluster,
  subject: string,
  since: () => number,
  name: string,
  options: Partial<NatsConnectOptions>,
): Promise<Fleet> {
  const clients: NatsConnection[] = Array.from({ length: CLIENTS }, () => natsConnect({ servers: cluster.wsUrls, ...options }));
  const timelines: Timeline[] = clients.map(() => ({ received: [] }));
  clients.forEach((nc, i) => {
    const t = timelines[i];
    nc.events$.subscribe((event) => {
      const now = Date.now();
      if (now < since()) return;
      if (event.type === 'Disconnected' && t.dropAt === undefined) {
        t.dropAt = now;
        t.dropReason = event.reason;
      }
      if (event.type === 'Reconnected' && t.upAt === undefined) t.upAt = now;
      if (event.type === 'SubscriptionsRestored' && t.restoredAt === undefined && t.upAt !== undefined) t.restoredAt = now;
    });
    nc.subscribe(subject).subscribe({
      next: (m) => {
        const s = m.string();
        if (s.startsWith('m')) t.received.push({ n: Number(s.slice(1)), at: Date.now() });
        else t.warm = true;
      },
      error: () => undefined,
    });
  });
  await Promise.all(clients.map((nc) => firstValueFrom(nc.flush({ timeout: STEP_MS }))));
  return {
    name,
    timelines,
    nodeOf: () => clients.map((nc) => cluster.indexOf(nc.currentServer)),
    close: async () => clients.forEach((nc) => nc.close()),
  };
}

async function theirs(cluster: NatsCluster, subject: string, since: () => number): Promise<Fleet> {
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, () => natsWs.connect({ servers: cluster.wsUrls, maxReconnectAttempts: -1, waitOnFirstConnect: true })),
  );
  const timelines: Timeline[] = clients.map(() => ({ received: [] }));
  const codec = natsWs.StringCodec();
  clients.forEach((nc, i) => {
    const t = timelines[i];
    void (async () => {
      for await (const s of nc.status()) {
        const now = Date.now();
        if (now < since()) continue;
        if (s.type === 'disconnect' && t.dropAt === undefined) {
          t.dropAt = now;
          t.dropReason = 'evicted';
        }
        if (s.type === 'reconnect' && t.upAt === undefined) t.upAt = t.restoredAt = now;
      }
    })();
    nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error) return;
        const s = codec.decode(msg.data);
        if (s.startsWith('m')) t.received.push({ n: Number(s.slice(1)), at: Date.now() });
        else t.warm = true;
      },
    });
  });
  await Promise.all(clients.map((nc) => nc.flush()));
  return {
    name: 'nats.ws',
    timelines,
    nodeOf: () => clients.map((nc) => cluster.indexOf(`ws://${nc.getServer()}`)),
    close: async () => {
      await Promise.all(clients.map((nc) => nc.close().catch(() => undefined)));
    },
  };
}

function analyse(fleet: Fleet, moved: readonly boolean[], publishedAt: readonly number[]) {
  const windows = { beforeDrop: 0, reconnecting: 0, restoring: 0, afterRestore: 0, unknown: 0 };
  let lost = 0;
  let movedClients = 0;
  let duplicated = 0;
  let reordered = 0;
  let lostByStayers = 0;
  const perClient: number[] = [];
  const gaps: number[] = [];
  const lagAtDrop: number[] = [];
  fleet.timelines.forEach((t, i) => {
    const seen = new Set<number>();
    let last = 0;
    for (const r of t.received) {
      if (seen.has(r.n)) duplicated++;
      if (r.n < last) reordered++;
      last = Math.max(last, r.n);
      seen.add(r.n);
    }
    let missing = 0;
    for (let n = 1; n <= publishedAt.length; n++) {
      if (seen.has(n)) continue;
      missing++;
      if (!moved[i]) continue;
      const at = publishedAt[n - 1];
      if (t.dropAt === undefined) windows.unknown++;
      else if (at < t.dropAt) windows.beforeDrop++;
      else if (t.upAt === undefined || at < t.upAt) windows.reconnecting++;
      else if (t.restoredAt === undefined || at < t.restoredAt) windows.restoring++;
      else windows.afterRestore++;
    }
    lost += missing;
    if (!moved[i]) lostByStayers += missing;
    else {
      movedClients++;
      perClient.push(missing);
      if (t.dropAt !== undefined && t.restoredAt !== undefined) gaps.push(t.restoredAt - t.dropAt);
      // How far behind the publisher the client was when its link went: published − received by then.
      if (t.dropAt !== undefined) {
        const publishedBy = publishedAt.filter((p) => p < t.dropAt!).length;
        const receivedBy = t.received.filter((r) => r.at <= t.dropAt!).length;
        lagAtDrop.push(publishedBy - receivedBy);
      }
    }
  });
  const med = (xs: number[]): number => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : 0);
  const reasons: Record<string, number> = {};
  fleet.timelines.forEach((t, i) => {
    if (moved[i]) reasons[t.dropReason ?? 'none'] = (reasons[t.dropReason ?? 'none'] ?? 0) + 1;
  });
  return {
    library: fleet.name,
    movedClients,
    lost,
    lostByStayers,
    duplicated,
    reordered,
    windows,
    lostPerMovedClient: { max: Math.max(0, ...perClient), median: med(perClient), withLoss: perClient.filter((x) => x > 0).length },
    gapMs: { median: med(gaps), max: Math.max(0, ...gaps) },
    lagAtDrop: { median: med(lagAtDrop), max: Math.max(0, ...lagAtDrop) },
    reasons,
  };
}

async function main(): Promise<void> {
  const cluster = await NatsCluster.start({ lameDuckGracePeriod: 7_000 });
  try {
    const subject = 'loss.ldm';
    let signalledAt = Number.POSITIVE_INFINITY;
    const since = (): number => signalledAt;
    const fleets: Fleet[] = [];
    for (const { name, options } of OURS) fleets.push(await ours(cluster, subject, since, name, options));
    if (WITH_THEIRS) fleets.push(await theirs(cluster, subject, since));
    const counts = cluster.wsUrls.map((_, node) => fleets.reduce((n, f) => n + f.nodeOf().filter((k) => k === node).length, 0));
    const k = counts.indexOf(Math.max(...counts));
    const publisher = natsConnect({ servers: [cluster.wsUrl((k + 1) % cluster.size)], ignoreDiscoveredServers: true });
    await firstValueFrom(publisher.flush());
    let warm = 0;
    await until(() => {
      publisher.publish(subject, `w${++warm}`);
      return fleets.every((f) => f.timelines.every((t) => t.warm));
    }, 'warm-up');
    await sleep(500);
    const publishedAt: number[] = [];
    const timer = setInterval(() => {
      if (publishedAt.length >= 5_000) return;
      publisher.publish(subject, `m${publishedAt.length + 1}`);
      publishedAt.push(Date.now());
    }, 1_000 / RATE);
    await sleep(1_000);
    const moved = fleets.map((f) => f.nodeOf().map((node) => node === k));
    signalledAt = Date.now();
    void cluster.lameDuck(k).catch(() => undefined);
    await until(() => fleets.every((f) => f.nodeOf().every((node) => node !== k)), 'every client to leave the node', 60_000);
    const leftMs = Date.now() - signalledAt;
    await sleep(3_000);
    clearInterval(timer);
    await sleep(1_000);
    console.log(JSON.stringify({ clients: CLIENTS, rate: RATE, published: publishedAt.length, leftMs, results: fleets.map((f, i) => analyse(f, moved[i], publishedAt)) }, null, 1));
    for (const f of fleets) await f.close();
    publisher.close();
    await cluster.kill(k);
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
