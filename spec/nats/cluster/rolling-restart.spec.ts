import { pollUntil } from '../../../demo/nats/probe';
import { within } from '../../support/until';
import { useCluster } from './support/use-cluster';
import { failoverTimes, recordScenario } from './support/artifacts';
import type { WatchedClient } from './support/clients';
import { Collector } from './support/collector';
import { connectionsByName } from './support/connz';
import { tally } from './support/tally';

const CLIENTS = 200;
/** Spread the reconnects of clients dropped together (as real clients would be). */
const FLEET_RETRY = { initialDelay: 50, maxDelay: 1_000, multiplier: 2, jitter: 0.5 } as const;
const STEP_MS = 20_000;

/** `list` starting at `offset` (each client prefers a different node: the fleet is spread). */
const rotate = <T>(list: readonly T[], offset: number): T[] => list.map((_, i) => list[(i + offset) % list.length]);

describe('rolling restart under 200 clients (#9 nats cluster)', () => {
  const fixture = useCluster(15_000);
  const { clients } = fixture;

  it('restarts all three nodes one by one: every client back, every subscription restored, nothing lost (#9 nats cluster)', async () => {
    const { cluster } = fixture;
    const fleet: WatchedClient[] = Array.from({ length: CLIENTS }, (_, i) =>
      clients.open({ servers: rotate(cluster.wsUrls, i), name: `roll-${i}`, retry: FLEET_RETRY }),
    );
    await within(Promise.all(fleet.map((c) => c.watch.waitFor('Connected', { ms: STEP_MS }))), 'the fleet to connect', STEP_MS);
    const own = fleet.map((c, i) => new Collector(c.nc.subscribe(`roll.c${i}`)));
    const shared = fleet.map((c) => new Collector(c.nc.subscribe('roll.all')));
    clients.add(() => [...own, ...shared].forEach((collector) => collector.stop()));
    const publisher = clients.open({ servers: cluster.wsUrls, name: 'roll-pub' });
    await publisher.watch.waitFor('Connected');

    /** Every fleet client on exactly one node, holding both its subscriptions there. */
    const allSubscribed = async (): Promise<boolean> => {
      const seen = await connectionsByName(cluster);
      return fleet.every((_, i) => {
        const where = seen.get(`roll-${i}`) ?? [];
        return where.length === 1 && where[0].subjects.includes(`roll.c${i}`) && where[0].subjects.includes('roll.all');
      });
    };
    /** One message to each client's own subject and one to the shared subject; resolves once all arrived. */
    const published: string[] = [];
    const round = async (r: number): Promise<void> => {
      for (let i = 0; i < CLIENTS; i++) publisher.nc.publish(`roll.c${i}`, `r${r}`);
      publisher.nc.publish('roll.all', `r${r}`);
      publisher.nc.publish('roll.all', `r${r}-end`);
      published.push(`r${r}`);
      await within(
        Promise.all(shared.map((collector) => collector.waitFor((p) => p === `r${r}-end`, `round ${r}`, STEP_MS))),
        `round ${r} to reach every client`,
        STEP_MS,
      );
    };

    await pollUntil(allSubscribed, 'every subscription on the cluster', STEP_MS, 200);
    await round(0);

    const failovers: number[] = [];
    const steps: Array<Record<string, number>> = [];
    let restoredCount = 0;
    for (let node = 0; node < cluster.size; node++) {
      const affected = fleet.filter((c) => c.nc.currentServer === cluster.wsUrl(node));
      expect(affected.length).toBeGreaterThan(0);
      const restartedAt = Date.now();
      await cluster.restart(node);
      const back = await within(
        Promise.all(
          affected.map(async (c) => {
            const dropped = await c.watch.waitFor('Disconnected', { since: restartedAt, ms: STEP_MS });
            const reconnected = await c.watch.waitFor('Reconnected', { since: restartedAt, ms: STEP_MS });
            const restored = await c.watch.waitFor('SubscriptionsRestored', { since: reconnected.at, ms: STEP_MS });
            return { ms: reconnected.at - restartedAt, droppedMs: dropped.at - restartedAt, count: restored.event.count };
          }),
        ),
        `the ${affected.length} clients of node ${node} to come back`,
        STEP_MS,
      );
      failovers.push(...back.map((b) => b.ms));
      restoredCount += back.reduce((total, b) => total + b.count, 0);
      await pollUntil(() => fleet.every((c) => c.watch.state === 'connected'), 'every client connected', STEP_MS);
      await pollUntil(allSubscribed, `every subscription on the cluster after restarting node ${node}`, STEP_MS, 200);
      await round(node + 1);
      const times = failoverTimes(back.map((b) => b.ms));
      // How much of the failover is the node's own shutdown (SIGTERM to the link's end).
      const dropped = failoverTimes(back.map((b) => b.droppedMs));
      steps.push({ node, clients: affected.length, maxMs: times.max, medianMs: times.median, droppedMedianMs: dropped.median });
      // Each fleet client has two subscriptions, both restored.
      for (const b of back) expect(b.count).toBe(2);
    }

    const ownTallies = own.map((collector) => tally(published, collector.payloads));
    const sharedTallies = shared.map((collector) => tally(published, collector.payloads));
    const all = [...ownTallies, ...sharedTallies];
    const lost = all.reduce((total, t) => total + t.lost, 0);
    const duplicated = all.reduce((total, t) => total + t.duplicated, 0);
    const received = all.reduce((total, t) => total + t.received, 0);
    expect({ lost, duplicated }).toEqual({ lost: 0, duplicated: 0 });
    expect(all.every((t) => t.inOrder)).toBe(true);
    expect(fleet.every((c) => c.watch.of('Closed').length === 0)).toBe(true);

    recordScenario('rolling-restart-200-clients', {
      published: published.length * (CLIENTS + 1),
      received,
      lost,
      duplicated,
      failoverMs: failoverTimes(failovers),
      subscriptionsRestored: restoredCount,
      details: { clients: CLIENTS, rounds: published.length, expectedDeliveries: published.length * CLIENTS * 2, steps },
    });
  });
});
