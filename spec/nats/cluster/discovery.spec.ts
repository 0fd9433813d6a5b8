import { pollUntil } from '../../../demo/nats/probe';
import { failoverTimes, recordScenario } from './support/artifacts';
import { Collector } from './support/collector';
import { tally } from './support/tally';
import { useCluster } from './support/use-cluster';
import { untilRouted } from './support/warm-up';

const BUFFERED = 50;

describe('server discovery through INFO.connect_urls (#9 nats cluster)', () => {
  const fixture = useCluster();
  const { clients } = fixture;

  it('a client given one server learns the others and fails over to them when its node is killed (#9 nats cluster)', async () => {
    const { cluster } = fixture;
    const a = clients.open({ servers: [cluster.wsUrl(0)], name: 'disc-a' });
    await a.watch.waitFor('Connected');
    expect(a.nc.currentServer).toBe(cluster.wsUrl(0));
    await pollUntil(() => cluster.wsUrls.every((url) => a.nc.servers.includes(url)), 'the other nodes in the pool', 3_000);
    expect([...a.nc.servers].sort()).toEqual([...cluster.wsUrls].sort());

    const b = clients.open({ servers: [cluster.wsUrl(1)], name: 'disc-b', ignoreDiscoveredServers: true });
    await b.watch.waitFor('Connected');
    // ignoreDiscoveredServers: b's pool stays as given.
    expect(b.nc.servers).toEqual([cluster.wsUrl(1)]);
    const toA = new Collector(a.nc.subscribe('disc.to-a'));
    const fromA = new Collector(b.nc.subscribe('disc.from-a'));
    clients.add(() => {
      toA.stop();
      fromA.stop();
    });
    await untilRouted(b.nc, 'disc.to-a', toA, 'warm');
    await untilRouted(a.nc, 'disc.from-a', fromA, 'warm');

    const killedAt = Date.now();
    await cluster.kill(0);
    await a.watch.waitFor('Disconnected', { since: killedAt });
    const buffered = Array.from({ length: BUFFERED }, (_, i) => `buf-${i + 1}`);
    for (const id of buffered) a.nc.publish('disc.from-a', id);

    const reconnected = await a.watch.waitFor('Reconnected', { since: killedAt, ms: 10_000 });
    const restored = await a.watch.waitFor('SubscriptionsRestored', { since: reconnected.at });
    expect([cluster.wsUrl(1), cluster.wsUrl(2)]).toContain(reconnected.event.url);
    expect(restored.event.count).toBeGreaterThanOrEqual(1);

    // Its subscription works on the discovered node, and what it buffered got through.
    const tries = await untilRouted(b.nc, 'disc.to-a', toA, 'after');
    a.nc.publish('disc.from-a', 'end');
    await fromA.waitFor((payload) => payload === 'end', 'the end marker');
    const t = tally(buffered, fromA.payloads);
    expect(t).toMatchObject({ lost: 0, duplicated: 0, inOrder: true });

    recordScenario('discovery-connect-urls', {
      published: t.published,
      received: t.received,
      lost: t.lost,
      duplicated: t.duplicated,
      failoverMs: failoverTimes([reconnected.at - killedAt]),
      subscriptionsRestored: restored.event.count,
      details: {
        configured: 1,
        known: a.nc.servers.length,
        movedTo: cluster.indexOf(reconnected.event.url),
        attemptsOnDeadNode: a.watch
          .of('Connecting')
          .filter((c) => c.at >= killedAt && c.event.url === cluster.wsUrl(0)).length,
        publishesUntilSubscriptionWorked: tries,
      },
    });
  });
});
