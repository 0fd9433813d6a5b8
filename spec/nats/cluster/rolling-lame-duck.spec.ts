import { failoverTimes, recordScenario } from './support/artifacts';
import type { WatchedClient } from './support/clients';
import { Collector } from './support/collector';
import { useCluster } from './support/use-cluster';
import { untilRouted } from './support/warm-up';

const CLIENTS = 6;

/** `list` starting at `offset`. */
const rotate = <T>(list: readonly T[], offset: number): T[] => list.map((_, i) => list[(i + offset) % list.length]);

describe('rolling restart in lame-duck mode (#9 nats cluster)', () => {
  const fixture = useCluster();
  const { clients } = fixture;

  it('each node in turn goes lame and comes back: its clients move before it stops, every time (#9 nats cluster)', async () => {
    const { cluster } = fixture;
    const fleet: WatchedClient[] = Array.from({ length: CLIENTS }, (_, i) =>
      clients.open({ servers: rotate(cluster.wsUrls, i), name: `ldm-roll-${i}` }),
    );
    await Promise.all(fleet.map((c) => c.watch.waitFor('Connected')));
    const probe = clients.open({ servers: cluster.wsUrls, name: 'ldm-roll-probe' });
    await probe.watch.waitFor('Connected');
    const inboxes = fleet.map((c, i) => new Collector(c.nc.subscribe(`ldm-roll.c${i}`)));
    clients.add(() => inboxes.forEach((inbox) => inbox.stop()));

    const moves: Array<{ step: number; client: number; ms: number; graceful: boolean; beforeExit: boolean; restored: number }> = [];
    for (let node = 0; node < cluster.size; node++) {
      const onNode = fleet.map((c, i) => ({ c, i })).filter(({ c }) => c.nc.currentServer === cluster.wsUrl(node));
      const signalledAt = Date.now();
      await cluster.lameDuck(node);
      const exitedAt = Date.now();
      for (const { c, i } of onNode) {
        const back = await c.watch.waitFor('Reconnected', { since: signalledAt, ms: 10_000 });
        const restored = await c.watch.waitFor('SubscriptionsRestored', { since: back.at });
        const drops = c.watch.of('Disconnected').filter((d) => d.at >= signalledAt && d.at <= back.at);
        moves.push({
          step: node,
          client: i,
          ms: back.at - signalledAt,
          graceful: drops.length === 1 && drops[0].event.reason === 'manual',
          beforeExit: back.at < exitedAt,
          restored: restored.event.count,
        });
      }
      await cluster.restart(node);
    }
    // Every subscription works wherever its client ended up.
    for (const [i, inbox] of inboxes.entries()) await untilRouted(probe.nc, `ldm-roll.c${i}`, inbox, 'after');

    recordScenario('rolling-lame-duck-restart', {
      published: 0,
      received: 0,
      lost: 0,
      duplicated: 0,
      failoverMs: failoverTimes(moves.map((m) => m.ms)),
      subscriptionsRestored: moves.reduce((total, m) => total + m.restored, 0),
      details: { clients: CLIENTS, moves: moves.length, notGraceful: moves.filter((m) => !m.graceful || !m.beforeExit) },
    });
    expect(moves.length).toBeGreaterThanOrEqual(CLIENTS);
    expect(moves.filter((m) => !m.graceful || !m.beforeExit)).toEqual([]);
    expect(moves.every((m) => m.restored === 1)).toBe(true);
  });
});
