import { firstValueFrom, take, toArray } from 'rxjs';
import {
  jetstream,
  jetstreamManager,
  JetStreamApiError,
  JetStreamErrCode,
  NatsArgumentError,
  NatsNoRespondersError,
  type JetStreamManager,
  type NatsConnection,
} from '../../../lib/nats';
import { pollUntil } from '../../../demo/nats/probe';
import { useCluster } from '../cluster/support/use-cluster';
import { untilMetaLeader, untilStreamCurrent } from './support/js-cluster';

const fixture = useCluster(undefined, { jetstream: true });

describe('JetStream management through $JS.API on a 3-node cluster (#19)', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeEach(async () => {
    await untilMetaLeader(fixture.cluster);
    nc = fixture.clients.open({ servers: fixture.cluster.wsUrls, name: 'jsm' }).nc;
    jsm = jetstreamManager(nc);
  });

  it('adds an R3 stream, reads its info and leader, deletes it', async () => {
    const info = await firstValueFrom(jsm.streams.add({ name: 'MGMT', subjects: ['mgmt.>'], num_replicas: 3 }));
    expect(info.config.name).toBe('MGMT');
    expect(info.config.num_replicas).toBe(3);
    const current = await untilStreamCurrent(jsm, 'MGMT', 3);
    expect(['n0', 'n1', 'n2']).toContain(current.cluster?.leader);
    expect(current.state.messages).toBe(0);
    await expect(firstValueFrom(jsm.streams.delete('MGMT'))).resolves.toBe(true);
  });

  it('reports API errors as JetStreamApiError with code, errCode and description', async () => {
    const error = await firstValueFrom(jsm.streams.info('NO_SUCH_STREAM')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JetStreamApiError);
    expect(error).toMatchObject({ code: 404, errCode: JetStreamErrCode.StreamNotFound });
    expect((error as JetStreamApiError).description).toMatch(/stream not found/);
  });

  it('refuses bad names and configurations before sending anything (NatsArgumentError)', async () => {
    await expect(firstValueFrom(jsm.streams.add({ name: 'a.b' }))).rejects.toBeInstanceOf(NatsArgumentError);
    await expect(firstValueFrom(jsm.streams.add({ name: 'S', num_replicas: 2.5 }))).rejects.toMatchObject({ argument: 'config.num_replicas' });
    await expect(firstValueFrom(jsm.consumers.info('S', 'c*'))).rejects.toMatchObject({ argument: 'name' });
    expect(() => jetstreamManager(nc, { apiPrefix: '$JS.>' })).toThrow(NatsArgumentError);
  });

  it('adds, reads and deletes a durable consumer', async () => {
    await firstValueFrom(jsm.streams.add({ name: 'CONS', subjects: ['cons.>'], num_replicas: 3 }));
    const created = await firstValueFrom(jsm.consumers.add('CONS', { durable_name: 'worker', ack_policy: 'explicit' }));
    expect(created.name).toBe('worker');
    const info = await firstValueFrom(jsm.consumers.info('CONS', 'worker'));
    expect(info.config.ack_policy).toBe('explicit');
    expect(info.num_pending).toBe(0);
    await expect(firstValueFrom(jsm.consumers.delete('CONS', 'worker'))).resolves.toBe(true);
    await expect(firstValueFrom(jsm.consumers.info('CONS', 'worker'))).rejects.toMatchObject({
      errCode: JetStreamErrCode.ConsumerNotFound,
    });
    await firstValueFrom(jsm.streams.delete('CONS'));
  });

  it('an ordered consumer delivers the stream in order, from startSeq, with JetStream info', async () => {
    await firstValueFrom(jsm.streams.add({ name: 'ORD', subjects: ['ord.>'], num_replicas: 3 }));
    for (let i = 1; i <= 20; i++) await firstValueFrom(nc.request(`ord.${i % 2 === 0 ? 'even' : 'odd'}`, `m${i}`));
    const js = jetstream(nc);
    const all = await firstValueFrom(js.orderedConsumer('ORD', { idleHeartbeat: 500 }).pipe(take(20), toArray()));
    expect(all.map((m) => m.string())).toEqual(Array.from({ length: 20 }, (_, i) => `m${i + 1}`));
    expect(all.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(all[0].info).toMatchObject({ stream: 'ORD', streamSequence: 1, consumerSequence: 1, deliveryCount: 1, pending: 19 });
    // take(20) unsubscribed: its consumer is deleted.
    await pollUntil(async () => (await firstValueFrom(jsm.streams.info('ORD'))).state.consumer_count === 0, 'the consumer deleted', 5_000);
    const evens = await firstValueFrom(js.orderedConsumer('ORD', { filterSubject: 'ord.even', startSeq: 11 }).pipe(take(5), toArray()));
    expect(evens.map((m) => m.seq)).toEqual([12, 14, 16, 18, 20]);
    await expect(firstValueFrom(js.orderedConsumer('NOPE'))).rejects.toMatchObject({ errCode: JetStreamErrCode.StreamNotFound });
    await firstValueFrom(jsm.streams.delete('ORD'));
  });

  it('publish: a PubAck with the sequence, duplicate for a repeated msgId, typed errors for a refusal and no stream', async () => {
    await firstValueFrom(jsm.streams.add({ name: 'PUB', subjects: ['pub.>'], num_replicas: 3 }));
    const js = jetstream(nc);
    await expect(firstValueFrom(js.publish('pub.a', 'one', { msgId: 'id-1' }))).resolves.toEqual({ stream: 'PUB', seq: 1 });
    await expect(firstValueFrom(js.publish('pub.a', 'two'))).resolves.toEqual({ stream: 'PUB', seq: 2 });
    await expect(firstValueFrom(js.publish('pub.a', 'one again', { msgId: 'id-1' }))).resolves.toEqual({ stream: 'PUB', seq: 1, duplicate: true });
    const refused = await firstValueFrom(js.publish('pub.a', 'x', { headers: { 'Nats-Expected-Last-Sequence': '1' } })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(JetStreamApiError);
    expect(refused).toMatchObject({ code: 400, errCode: 10071 });
    await expect(firstValueFrom(js.publish('nostream.a', 'x', { retries: 0 }))).rejects.toBeInstanceOf(NatsNoRespondersError);
    const started = Date.now();
    await expect(firstValueFrom(js.publish('nostream.a', 'x', { retries: 2 }))).rejects.toBeInstanceOf(NatsNoRespondersError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * 250);
    expect(() => js.publish('pub.a', 'x', { retries: -1 })).toThrow(NatsArgumentError);
    expect(() => js.publish('pub.a', 'x', { msgId: 'has space' })).toThrow(NatsArgumentError);
    expect(() => js.publish('pub.a', 'x', { timeout: -1 })).toThrow(/timeout/);
    const info = await firstValueFrom(jsm.streams.info('PUB'));
    expect(info.state.messages).toBe(2);
    await firstValueFrom(jsm.streams.delete('PUB'));
  });
});
