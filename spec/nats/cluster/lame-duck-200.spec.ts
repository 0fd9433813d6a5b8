import type { NatsCluster } from '../../../demo/nats/cluster';
import { pollUntil } from '../../../demo/nats/probe';
import { DEFAULT_LAME_DUCK_SPREAD } from '../../../lib/nats';
import { within } from '../../support/until';
import { failoverTimes, recordScenario, type FailoverTimes } from './support/artifacts';
import type { Clients, WatchedClient } from './support/clients';
import { Collector } from './support/collector';
import { tally } from './support/tally';
import { useCluster } from './support/use-cluster';

const CLIENTS = 200;
/** Of which the first QUEUE also belong to one queue group. */
const QUEUE = 50;
/** One message to everybody and one to the queue group every PUBLISH_EVERY_MS (25 msg/s each). */
const PUBLISH_EVERY_MS = 40;
/** Bounds the load whatever happens (~20 s at 25 msg/s). */
const MAX_ROUNDS = 500;
/** The nodes' lame_duck_grace_period: above the default lameDuckSpread, as nats-server's default (10 s) is. */
const GRACE_MS = 7_000;
const STEP_MS = 20_000;

/** What one run lost. */
interface Outcome {
  readonly lameNode: number;
  readonly moved: number;
  readonly published: { readonly all: number; readonly queue: number };
  /** Messages to everybody that some client missed (counted once per client and message). */
  readonly lostAll: number;
  /** Of which by clients that were not on the lame node (0 expected). */
  readonly lostByClientsThatStayed: number;
  /** Queue-group messages no member received. */
  readonly lostQueue: number;
  readonly duplicated: number;
  readonly outOfOrderClients: number;
  /** From the signal to each moved client's `Reconnected`. */
  readonly movesMs: FailoverTimes & { readonly first: number };
  /** From each moved client's `Disconnected` to its `SubscriptionsRestored`: the window in which it can miss messages. */
  readonly gapsMs: FailoverTimes;
  /** Clients of the lame node that it closed before they left. */
  readonly evicted: number;
  /** From the signal to the node's exit (the test stops it once every client has moved). */
  readonly nodeStoppedMs: number;
}

/**
 * 200 clients spread over the cluster (server lists shuffled), all subscribed to one subject and
 * 50 of them in a queue group as well, while a publisher on a node that stays up publishes to
 * both steadily; the node that most clients use goes into lame-duck mode. Returns what was lost.
 */
async function lameDuckUnderLoad(clients: Clients, cluster: NatsCluster, tag: string, lameDuckSpread?: number): Promise<Outcome> {
  const fleet: WatchedClient[] = Array.from({ length: CLIENTS }, (_, i) =>
    clients.open({ servers: cluster.wsUrls, name: `${tag}-${i}`, noRandomize: false, lameDuckSpread }),
  );
  await within(Promise.all(fleet.map((c) => c.watch.waitFor('Connected', { ms: STEP_MS }))), 'the fleet to connect', STEP_MS);
  const counts = cluster.wsUrls.map((url) => fleet.filter((c) => c.nc.currentServer === url).length);
  const k = counts.indexOf(Math.max(...counts));
  const j = (k + 1) % cluster.size;
  const publisher = clients.open({ servers: [cluster.wsUrl(j)], name: `${tag}-pub`, ignoreDiscoveredServers: true });
  await publisher.watch.waitFor('Connected');

  const all = fleet.map((c) => new Collector(c.nc.subscribe(`${tag}.all`)));
  const queue = fleet.slice(0, QUEUE).map((c) => new Collector(c.nc.subscribe(`${tag}.q`, { queue: 'workers' })));
  clients.add(() => [...all, ...queue].forEach((collector) => collector.stop()));
  // Interest reaches every node over the routes: warm up until every client gets a message.
  let warm = 0;
  await pollUntil(
    () => {
      publisher.nc.publish(`${tag}.all`, `warm-${++warm}`);
      return all.every((collector) => collector.payloads.some((p) => p.startsWith('warm-')));
    },
    'every subscription to be routed',
    STEP_MS,
    50,
  );

  const publishedAll: string[] = [];
  const publishedQueue: string[] = [];
  const timer = setInterval(() => {
    if (publishedAll.length >= MAX_ROUNDS) return;
    const n = publishedAll.length + 1;
    publisher.nc.publish(`${tag}.all`, `a${n}`);
    publisher.nc.publish(`${tag}.q`, `q${n}`);
    publishedAll.push(`a${n}`);
    publishedQueue.push(`q${n}`);
  }, PUBLISH_EVERY_MS);
  clients.add(() => clearInterval(timer));
  await pollUntil(() => publishedAll.length >= 25, 'steady publishing', STEP_MS);

  const onK = fleet.filter((c) => c.nc.currentServer === cluster.wsUrl(k));
  const gaps: number[] = [];
  const signalledAt = Date.now();
  const exited = cluster.lameDuck(k).then(() => Date.now());
  const moves = await within(
    Promise.all(
      onK.map(async (c) => {
        const back = await c.watch.waitFor('Reconnected', { since: signalledAt, ms: STEP_MS });
        const restored = await c.watch.waitFor('SubscriptionsRestored', { since: back.at, ms: STEP_MS });
        const left = await c.watch.waitFor('Disconnected', { since: signalledAt, ms: STEP_MS });
        gaps.push(restored.at - left.at);
        return back.at - signalledAt;
      }),
    ),
    'the clients of the lame node to move',
    STEP_MS,
  );
  // Go on a little on the remaining nodes, then stop and mark the end.
  const atExit = publishedAll.length;
  await pollUntil(() => publishedAll.length >= atExit + 25, 'publishing after the exit', STEP_MS);
  clearInterval(timer);
  publisher.nc.publish(`${tag}.all`, 'end');
  // Routes keep order: once every client has the end marker, everything before it has arrived.
  await within(
    Promise.all(all.map((collector) => collector.waitFor((p) => p === 'end', 'the end marker', STEP_MS))),
    'the end marker to reach every client',
    STEP_MS,
  );

  // Every client of the lame node left on its own (a manual reconnect), none was closed by it.
  const evicted = onK.filter((c) => c.watch.of('Disconnected').some((d) => d.at >= signalledAt && d.event.reason !== 'manual')).length;
  // The node has no client left: end it now rather than wait out its lame-duck duration (~20 s).
  await cluster.kill(k);
  await cluster.restart(k);
  const exitedAt = await exited;
  const tallies = all.map((collector) => tally(publishedAll, collector.payloads));
  const queueTally = tally(publishedQueue, queue.flatMap((collector) => collector.payloads));
  return {
    lameNode: k,
    moved: onK.length,
    published: { all: publishedAll.length, queue: publishedQueue.length },
    lostAll: tallies.reduce((sum, t) => sum + t.lost, 0),
    lostByClientsThatStayed: tallies.filter((_, i) => !onK.includes(fleet[i])).reduce((sum, t) => sum + t.lost, 0),
    lostQueue: queueTally.lost,
    duplicated: tallies.reduce((sum, t) => sum + t.duplicated, 0) + queueTally.duplicated,
    outOfOrderClients: tallies.filter((t) => !t.inOrder).length,
    movesMs: { ...failoverTimes(moves), first: Math.min(...moves) },
    gapsMs: failoverTimes(gaps),
    evicted,
    nodeStoppedMs: exitedAt - signalledAt,
  };
}

describe('lame duck with 200 clients at a steady rate: spread moves against 0.3.1 all-at-once (#19 nats cluster)', () => {
  const fixture = useCluster(10_000, { lameDuckGracePeriod: GRACE_MS });
  const { clients } = fixture;
  const outcomes: Record<string, Outcome> = {};

  afterAll(() => {
    if (outcomes.atOnce && outcomes.spread) {
      recordScenario('lame-duck-200-clients', {
        published: outcomes.spread.published.all * CLIENTS + outcomes.spread.published.queue,
        // No duplicates (asserted): every delivery is a first one.
        received:
          outcomes.spread.published.all * CLIENTS +
          outcomes.spread.published.queue -
          outcomes.spread.lostAll -
          outcomes.spread.lostQueue,
        lost: outcomes.spread.lostAll + outcomes.spread.lostQueue,
        duplicated: outcomes.spread.duplicated,
        failoverMs: outcomes.spread.movesMs,
        subscriptionsRestored: outcomes.spread.moved,
        details: { ...outcomes },
      });
    }
  });

  it('0.3.1 behaviour (lameDuckSpread: 0): every client of the node leaves at once (#19 nats cluster)', async () => {
    const outcome = await lameDuckUnderLoad(clients, fixture.cluster, 'ld0', 0);
    outcomes.atOnce = outcome;
    expect(outcome.moved).toBeGreaterThan(CLIENTS / 4);
    expect(outcome.lostByClientsThatStayed).toBe(0);
    expect(outcome.duplicated).toBe(0);
    expect(outcome.outOfOrderClients).toBe(0);
    expect(outcome.evicted).toBe(0);
  });

  it(`default behaviour (moves spread over ${DEFAULT_LAME_DUCK_SPREAD} ms): every client leaves on its own, one by one; losses recorded beside all-at-once (#19 nats cluster)`, async () => {
    const outcome = await lameDuckUnderLoad(clients, fixture.cluster, 'ld1', undefined);
    outcomes.spread = outcome;
    expect(outcome.moved).toBeGreaterThan(CLIENTS / 4);
    expect(outcome.lostByClientsThatStayed).toBe(0);
    // The moves are spread: they span most of the window instead of one instant.
    expect(outcome.movesMs.max - outcome.movesMs.first).toBeGreaterThan(DEFAULT_LAME_DUCK_SPREAD / 2);
    expect(outcome.duplicated).toBe(0);
    expect(outcome.outOfOrderClients).toBe(0);
    expect(outcome.evicted).toBe(0); // all left on their own, within the grace period
    // eslint-disable-next-line no-console
    console.log(`lame duck, 200 clients: ${JSON.stringify(outcomes)}`);
  });
});
