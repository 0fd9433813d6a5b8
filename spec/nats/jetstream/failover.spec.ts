import { firstValueFrom } from 'rxjs';
import { pollUntil } from '../../../demo/nats/probe';
import { jetstream, jetstreamManager, JetStreamApiError, JetStreamErrCode, type JetStreamManager, type NatsConnection, type PubAck } from '../../../lib/nats';
import { useCluster } from '../cluster/support/use-cluster';
import { nodeNamed, untilMetaLeader, untilStreamCurrent } from './support/js-cluster';
import { ConsumerRecord, recordJetStream, SteadyPublisher, type PublishOutcome } from './support/workload';

/**
 * Issue #19's proof: a 3-node JetStream cluster, an R3 stream, a publisher with acked
 * publishes at a steady rate and several ordered consumers, while (a) the node the clients use
 * is killed, (b) the stream leader is killed, (c) every node restarts in turn. Every acked
 * publish is consumed exactly once, in stream order, by every consumer.
 */
const RATE = 150; // msg/s
const MAX = 6_000; // publishes at most per scenario
const PUB_ACK_TIMEOUT = 8_000;
const HEARTBEAT = 500;

const fixture = useCluster(10_000, { jetstream: true });

describe('JetStream across failures: acked publishes, ordered consumers, an R3 stream (#19)', () => {
  let admin: NatsConnection;
  let jsm: JetStreamManager;

  beforeEach(async () => {
    await untilMetaLeader(fixture.cluster);
    admin = fixture.clients.open({ servers: fixture.cluster.wsUrls, name: 'admin' }).nc;
    jsm = jetstreamManager(admin, { timeout: 2_000 });
  });

  /** Node order for a client that starts on `first`. */
  const orderFrom = (first: number): string[] => {
    const { cluster } = fixture;
    return [cluster.wsUrl(first), ...cluster.wsUrls.filter((_, i) => i !== first)];
  };

  /** The stream's leader, as a node index. */
  async function leaderOf(stream: string): Promise<number> {
    const info = await untilStreamCurrent(jsm, stream, 3);
    const leader = nodeNamed(fixture.cluster, info.cluster?.leader);
    expect(leader).toBeGreaterThanOrEqual(0);
    return leader;
  }

  /**
   * Publishes at {@link RATE} for 4 s, runs `fault`, publishes 6 s more, then waits (bounded)
   * for every PubAck or error and for every consumer to reach the stream's last sequence;
   * republishes each errored message once with its msgId, then checks and records.
   */
  async function scenario(
    name: string,
    stream: string,
    place: (leader: number) => { publisher: number; consumers: number[] },
    fault: (leader: number) => Promise<void>,
  ): Promise<void> {
    const subject = `fo.${name}`;
    await firstValueFrom(jsm.streams.add({ name: stream, subjects: [subject], num_replicas: 3 }));
    const leader = await leaderOf(stream);
    const firstNodes = place(leader);
    const pub = fixture.clients.open({ servers: orderFrom(firstNodes.publisher), name: `${name}-pub` });
    const js = jetstream(pub.nc);
    const consumers = firstNodes.consumers.map((first, i) => {
      const client = fixture.clients.open({ servers: orderFrom(first), name: `${name}-c${i}` });
      return new ConsumerRecord(jetstream(client.nc, { timeout: 1_500 }).orderedConsumer(stream, { idleHeartbeat: HEARTBEAT }));
    });
    const publisher = new SteadyPublisher(js, subject, name, RATE, MAX, PUB_ACK_TIMEOUT);
    fixture.clients.add(() => {
      publisher.dispose();
      for (const consumer of consumers) consumer.stop();
    });
    publisher.start();
    await pollUntil(() => publisher.published >= 4 * RATE, '4 s of publishes before the fault', 15_000);
    const metaLeader = await untilMetaLeader(fixture.cluster);
    const faultAt = Date.now();
    await fault(leader);
    const faultDone = Date.now();
    const before = publisher.published;
    await pollUntil(() => publisher.published >= Math.min(MAX, before + 6 * RATE), '6 s of publishes after the fault', 20_000);
    publisher.stop();
    await pollUntil(() => publisher.settled === publisher.outcomes.length, 'a PubAck or an error for every publish', PUB_ACK_TIMEOUT + 10_000, 100);

    // The application's answer to an error: the same message again, with the same msgId.
    const errored = publisher.outcomes.flatMap((outcome, i) => (outcome.error === undefined ? [] : [i]));
    const republished = await Promise.all(
      errored.map((i) => firstValueFrom(js.publish(subject, String(i), { msgId: `${name}-${i}`, timeout: PUB_ACK_TIMEOUT }))),
    );

    const info = await firstValueFrom(jsm.streams.info(stream));
    const lastSeq = info.state.last_seq;
    await pollUntil(() => consumers.every((c) => c.last >= lastSeq || c.error !== undefined), `every consumer at seq ${lastSeq}`, 30_000, 100);

    const outcomes = publisher.outcomes;
    const acked = outcomes.filter((o): o is PublishOutcome & { ack: PubAck } => o.ack !== undefined);
    const stored = consumers[0].payloads;
    const lostAcked = outcomes.flatMap((o, i) => (o.ack !== undefined && !stored.includes(i) ? [i] : []));
    const missing = outcomes.flatMap((_, i) => (stored.includes(i) ? [] : [i]));
    const deliveryGaps = consumers.map((c) => gaps(c.at, faultAt - 1_000));
    // How late each consumer delivered a message after its PubAck (a consumer re-created after the fault catches up).
    const lags = consumers.map((c) => Math.max(0, ...acked.map((o) => c.at[o.ack.seq - 1] - o.ackedAt!)));
    const report = {
      published: outcomes.length,
      acked: acked.length,
      pubAckErrors: errored.length,
      pubAckErrorKinds: countBy(outcomes.flatMap((o) => (o.error === undefined ? [] : [(o.error as Error).name]))),
      republishedDuplicates: republished.filter((ack) => ack.duplicate).length,
      duplicatesSuppressed: acked.filter((o) => o.ack.duplicate).length + republished.filter((ack) => ack.duplicate).length,
      stored: info.state.messages,
      consumedPerConsumer: consumers.map((c) => c.seqs.length),
      lostAcked: lostAcked.length,
      lostAfterRepublish: missing.length,
      streamLeader: `n${leader}`,
      metaLeader,
      faultMs: faultDone - faultAt,
      maxPubAckLatencyMs: Math.max(...acked.map((o) => o.ackedAt! - o.at)),
      maxDeliveryLagMs: Math.max(...lags),
      longestDeliverySilenceMs: Math.max(...deliveryGaps),
    };
    recordJetStream(name, report);

    expect(publisher.refused).toEqual([]);
    for (const consumer of consumers) {
      expect(consumer.error).toBeUndefined();
      expect(consumer.contiguous()).toBe(true); // every stream message once, in order
      expect(consumer.last).toBe(lastSeq);
      expect(consumer.payloads).toEqual(stored);
    }
    expect(new Set(stored).size).toBe(stored.length); // no message stored twice: the stream de-duplicated
    expect(info.state.messages).toBe(lastSeq);
    expect(lostAcked).toEqual([]);
    for (const outcome of acked) expect(stored[outcome.ack.seq - 1]).toBe(outcomes.indexOf(outcome));
    expect(missing).toEqual([]); // with the errored ones republished, every message is in the stream
    for (const consumer of consumers) consumer.stop();
  }

  /**
   * Deletes `stream`, retrying while the JetStream API is silent (an election after a kill can
   * outlast one request's timeout): clean-up, so the next scenario starts from an empty cluster.
   */
  async function deleteStream(stream: string): Promise<void> {
    await pollUntil(
      () =>
        firstValueFrom(jsm.streams.delete(stream)).then(
          () => true,
          (error: unknown) => error instanceof JetStreamApiError && error.errCode === JetStreamErrCode.StreamNotFound,
        ),
      `stream ${stream} deleted`,
      30_000,
      500,
    );
  }

  it('(a) kill -9 of the node every client uses (the JetStream meta leader: consumer creation waits for its election)', async () => {
    const { cluster } = fixture;
    const used = nodeNamed(cluster, await untilMetaLeader(cluster));
    try {
      await scenario('kill-used', 'FO_A', () => ({ publisher: used, consumers: [used, used, used] }), () => cluster.kill(used));
    } finally {
      // Whatever happened, the next scenario gets three nodes and no stream of this one.
      await cluster.restart(used);
      await deleteStream('FO_A');
    }
  }, 120_000);

  it('(b) kill -9 of the stream leader (the clients on the other nodes)', async () => {
    const { cluster } = fixture;
    let killed = -1;
    try {
      await scenario(
        'kill-leader',
        'FO_B',
        (leader) => ({ publisher: (leader + 1) % 3, consumers: [(leader + 1) % 3, (leader + 2) % 3, (leader + 2) % 3] }),
        async (leader) => {
          killed = leader;
          await cluster.kill(leader);
        },
      );
    } finally {
      if (killed >= 0) await cluster.restart(killed);
      await deleteStream('FO_B');
    }
  }, 120_000);

  it('(c) every node restarts in turn (rolling restart)', async () => {
    const { cluster } = fixture;
    try {
      await scenario('rolling-restart', 'FO_C', () => ({ publisher: 0, consumers: [0, 1, 2] }), async () => {
        for (let i = 0; i < cluster.size; i++) {
          await cluster.restart(i);
          await untilStreamCurrent(jsm, 'FO_C', 3);
        }
      });
    } finally {
      await deleteStream('FO_C');
    }
  }, 150_000);
});

/** The longest interval between consecutive times from `since` on (ms). */
function gaps(times: readonly number[], since: number): number {
  let longest = 0;
  let previous: number | undefined;
  for (const t of times) {
    if (t < since) continue;
    if (previous !== undefined) longest = Math.max(longest, t - previous);
    previous = t;
  }
  return longest;
}

function countBy(names: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}
