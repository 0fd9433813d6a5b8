import { firstValueFrom } from 'rxjs';
import { pollUntil } from '../../../demo/nats/probe';
import { NatsTimeoutError, type NatsMsg } from '../../../lib/nats';
import { within } from '../../support/until';
import { failoverTimes, recordScenario } from './support/artifacts';
import { Collector } from './support/collector';
import { connectionsByName } from './support/connz';
import { tally } from './support/tally';
import { useCluster } from './support/use-cluster';
import { untilRouted } from './support/warm-up';

const PRE = 50; // published while connected, before the kill
const BUFFERED = 100; // published while the client is away
const POST = 50; // published after the failover
const REQUEST_TIMEOUT = 2_000;

const ids = (tag: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${tag}-${i + 1}`);

describe('kill the node in use (#9 nats cluster)', () => {
  const fixture = useCluster();
  const { clients } = fixture;

  it('restores subscriptions on another node, delivers buffered publishes once and in order, settles the request in flight (#9 nats cluster)', async () => {
    const { cluster } = fixture;
    const a = clients.open({ servers: cluster.wsUrls, name: 'kill-a' });
    await a.watch.waitFor('Connected');
    const k = cluster.indexOf(a.nc.currentServer);
    expect(k).toBeGreaterThanOrEqual(0);
    const j = (k + 1) % cluster.size;
    // b stays on a node that is not killed, and knows no other.
    const b = clients.open({ servers: [cluster.wsUrl(j)], name: 'kill-b', ignoreDiscoveredServers: true });
    await b.watch.waitFor('Connected');

    const toA = new Collector(a.nc.subscribe('kill.to-a'));
    const fromA = new Collector(b.nc.subscribe('kill.from-a'));
    const requests: NatsMsg[] = [];
    const questions = (): NatsMsg[] => requests.filter((msg) => msg.string() === 'question');
    const service = b.nc.subscribe('kill.svc').subscribe((msg) => requests.push(msg));
    clients.add(() => {
      toA.stop();
      fromA.stop();
      service.unsubscribe();
    });
    await untilRouted(a.nc, 'kill.from-a', fromA, 'warm');
    await untilRouted(b.nc, 'kill.to-a', toA, 'warm');
    const serviceSeen = new Collector(b.nc.subscribe('kill.svc'));
    clients.add(() => serviceSeen.stop());
    await untilRouted(a.nc, 'kill.svc', serviceSeen, 'warm');

    // Connected: published and seen arriving before the kill.
    const pre = ids('pre', PRE);
    for (const id of pre) a.nc.publish('kill.from-a', id);
    await fromA.waitFor((p) => p === pre[pre.length - 1], 'the last message published before the kill');

    // A request the responder holds until its requester's node is dead.
    const request = firstValueFrom(a.nc.request('kill.svc', 'question', { timeout: REQUEST_TIMEOUT })).then(
      (msg) => ({ outcome: 'answered' as const, data: msg.string() }),
      (error: unknown) => ({ outcome: 'failed' as const, error }),
    );
    const requestSentAt = Date.now();
    await pollUntil(() => questions().length > 0, 'the request to reach its responder', 3_000, 10);

    const killedAt = Date.now();
    await cluster.kill(k);
    b.nc.publish(questions()[0].reply!, 'answer');
    await a.watch.waitFor('Disconnected', { since: killedAt });

    // Away: every publish is buffered, none written to a dead link.
    const buffered = ids('buf', BUFFERED);
    const statesWhilePublishing = new Set<string>();
    for (const id of buffered) {
      statesWhilePublishing.add(a.watch.state ?? 'none');
      a.nc.publish('kill.from-a', id);
    }
    expect(statesWhilePublishing.has('connected')).toBe(false);

    const reconnected = await a.watch.waitFor('Reconnected', { since: killedAt, ms: 10_000 });
    const restored = await a.watch.waitFor('SubscriptionsRestored', { since: reconnected.at });
    const m = cluster.indexOf(reconnected.event.url);
    expect(m).toBeGreaterThanOrEqual(0);
    expect(m).not.toBe(k);
    expect(a.nc.currentServer).toBe(cluster.wsUrl(m));

    // After the failover.
    const post = ids('post', POST);
    for (const id of post) a.nc.publish('kill.from-a', id);
    a.nc.publish('kill.from-a', 'end');
    await fromA.waitFor((p) => p === 'end', 'the end marker');

    const ofBuffered = tally(buffered, fromA.payloads);
    const all = tally([...pre, ...buffered, ...post], fromA.payloads);
    expect(ofBuffered).toMatchObject({ received: BUFFERED, lost: 0, duplicated: 0, inOrder: true });
    expect(all).toMatchObject({ lost: 0, duplicated: 0, inOrder: true });

    // The subscription lives on the new node, and messages reach it there.
    const seen = (await connectionsByName(cluster)).get('kill-a') ?? [];
    expect(seen.map((s) => s.node)).toEqual([m]);
    expect(seen[0].subjects).toContain('kill.to-a');
    const afterTries = await untilRouted(b.nc, 'kill.to-a', toA, 'after');

    // The request in flight settled: answered, or failed with its timeout, never hung.
    const settled = await within(request, 'the request in flight to settle', REQUEST_TIMEOUT + 3_000);
    const settledIn = Date.now() - requestSentAt;
    if (settled.outcome === 'answered') expect(settled.data).toBe('answer');
    else expect(settled.error).toBeInstanceOf(NatsTimeoutError);

    recordScenario('kill-node-in-use', {
      published: all.published,
      received: all.received,
      lost: all.lost,
      duplicated: all.duplicated,
      failoverMs: failoverTimes([reconnected.at - killedAt]),
      subscriptionsRestored: restored.event.count,
      details: {
        buffered: ofBuffered,
        killedNode: k,
        movedTo: m,
        request: settled.outcome === 'answered' ? 'answered' : `failed: ${(settled.error as Error).name}`,
        requestSettledMs: settledIn,
        publishesUntilSubscriptionSeenOnNewNode: afterTries,
      },
    });
  });
});
