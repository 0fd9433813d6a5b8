import { pollUntil } from '../../../demo/nats/probe';
import { failoverTimes, recordScenario } from './support/artifacts';
import type { WatchedClient } from './support/clients';
import { Collector } from './support/collector';
import { tally } from './support/tally';
import { useCluster } from './support/use-cluster';
import { untilRouted } from './support/warm-up';

const PUBLISHERS = 5;
const PUBLISH_EVERY_MS = 5;
/** Per publisher: bounds the load whatever happens (~10 s of publishing). */
const MAX_PER_PUBLISHER = 2_000;

describe('lame-duck shutdown of the node in use (#9 nats cluster)', () => {
  const fixture = useCluster();
  const { clients } = fixture;

  it('clients move to another node before it stops, and no publish is lost (#9 nats cluster)', async () => {
    const { cluster } = fixture;
    const publishers: WatchedClient[] = Array.from({ length: PUBLISHERS }, (_, i) =>
      clients.open({ servers: cluster.wsUrls, name: `ldm-p${i}` }),
    );
    await Promise.all(publishers.map((p) => p.watch.waitFor('Connected')));
    const k = cluster.indexOf(publishers[0].nc.currentServer);
    expect(k).toBeGreaterThanOrEqual(0);
    expect(publishers.map((p) => p.nc.currentServer)).toEqual(publishers.map(() => cluster.wsUrl(k)));

    // The subscriber sits on a node that stays up.
    const j = (k + 2) % cluster.size;
    const sub = clients.open({ servers: [cluster.wsUrl(j)], name: 'ldm-sub', ignoreDiscoveredServers: true });
    await sub.watch.waitFor('Connected');
    const inbox = new Collector(sub.nc.subscribe('ldm.>'));
    clients.add(() => inbox.stop());
    for (const [i, p] of publishers.entries()) await untilRouted(p.nc, `ldm.p${i}`, inbox, `warm${i}`);
    // Each moving client also holds a subscription of its own, to be restored on its new node.
    const echoes = publishers.map((p, i) => new Collector(p.nc.subscribe(`echo.p${i}`)));
    clients.add(() => echoes.forEach((echo) => echo.stop()));
    for (const [i, echo] of echoes.entries()) await untilRouted(sub.nc, `echo.p${i}`, echo, 'before');

    // Each publisher publishes steadily while its node goes lame, moves, and after.
    const published: string[][] = publishers.map(() => []);
    const publishAll = (): void => {
      for (const [i, p] of publishers.entries()) {
        if (published[i].length >= MAX_PER_PUBLISHER) continue;
        const id = `p${i}-${published[i].length + 1}`;
        p.nc.publish(`ldm.p${i}`, id);
        published[i].push(id);
      }
    };
    const timer = setInterval(publishAll, PUBLISH_EVERY_MS);
    clients.add(() => clearInterval(timer));
    await inbox.waitFor((payload) => payload === 'p0-20', 'steady publishing');

    const ldmAt = Date.now();
    const exited = cluster.lameDuck(k).then(() => Date.now());
    const moves = await Promise.all(publishers.map((p) => p.watch.waitFor('Reconnected', { since: ldmAt, ms: 10_000 })));
    const exitedAt = await exited;
    // Keep publishing a little on the new nodes, then stop and mark the end.
    const countAtExit = published[0].length;
    await pollUntil(() => published[0].length >= countAtExit + 20, 'publishing after the exit', 3_000);
    clearInterval(timer);
    for (const [i, p] of publishers.entries()) p.nc.publish(`ldm.p${i}`, `end${i}`);
    for (let i = 0; i < PUBLISHERS; i++) await inbox.waitFor((payload) => payload === `end${i}`, `end marker of publisher ${i}`);

    // Moved before the node stopped, on their own (a manual reconnect, not a server drop).
    for (const [i, move] of moves.entries()) {
      expect(move.at).toBeLessThan(exitedAt);
      expect(cluster.indexOf(move.event.url)).not.toBe(k);
      const drops = publishers[i].watch.of('Disconnected').filter((d) => d.at >= ldmAt && d.at <= move.at);
      expect(drops.map((d) => d.event.reason)).toEqual(['manual']);
    }
    const tallies = published.map((ids) => tally(ids, inbox.payloads));
    for (const t of tallies) expect(t).toMatchObject({ lost: 0, duplicated: 0, inOrder: true });

    // Their subscriptions were restored on the new node: one each, and it delivers there.
    const restored = publishers.map((p) => p.watch.of('SubscriptionsRestored').filter((s) => s.at >= ldmAt));
    expect(restored.map((events) => events.map((s) => s.event.count))).toEqual(publishers.map(() => [1]));
    for (const [i, echo] of echoes.entries()) await untilRouted(sub.nc, `echo.p${i}`, echo, 'after');
    recordScenario('lame-duck-node-in-use', {
      published: sum(tallies.map((t) => t.published)),
      received: sum(tallies.map((t) => t.received)),
      lost: sum(tallies.map((t) => t.lost)),
      duplicated: sum(tallies.map((t) => t.duplicated)),
      failoverMs: failoverTimes(moves.map((move) => move.at - ldmAt)),
      subscriptionsRestored: sum(restored.map((events) => events[0].event.count)),
      details: {
        clients: PUBLISHERS,
        lameNode: k,
        movedTo: moves.map((move) => cluster.indexOf(move.event.url)),
        nodeExitedMsAfterSignal: exitedAt - ldmAt,
        lastMoveMsBeforeExit: exitedAt - Math.max(...moves.map((move) => move.at)),
      },
    });
  });
});

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
