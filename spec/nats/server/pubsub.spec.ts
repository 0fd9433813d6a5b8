import { firstValueFrom, lastValueFrom } from 'rxjs';
import { NatsError, type NatsConnection } from '../../../lib/nats';
import { client, firstN, within } from '../client/helpers';
import { NatsTestServer } from './server';

describe('natsConnect() against nats-server: publish and subscribe', () => {
  let server: NatsTestServer;
  const open: NatsConnection[] = [];

  beforeAll(async () => {
    server = await NatsTestServer.start({ maxPayload: 4096 });
  });
  afterEach(() => {
    for (const nc of open.splice(0)) nc.close();
  });
  afterAll(async () => {
    await server?.stop();
  });

  function connected(): { nc: NatsConnection; ready: Promise<unknown> } {
    const { nc, log } = client({ servers: server.wsUrl, name: 'spec' });
    open.push(nc);
    return { nc, ready: log.waitFor('Connected') };
  }

  it('round-trips a publish to a subscription, in order, on one connection (#9 nats)', async () => {
    const { nc, ready } = connected();
    const received = firstN(nc.subscribe('pubsub.a'), 5);
    await ready;
    await firstValueFrom(nc.flush()); // the SUB is in before the publishes
    for (let i = 0; i < 5; i++) nc.publish('pubsub.a', `m${i}`);
    const messages = await received;
    expect(messages.map((m) => m.string())).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(messages[0].subject).toBe('pubsub.a');
    expect(nc.currentServer).toBe(server.wsUrl);
    expect(nc.info?.server_id).toMatch(/^N/);
  });

  it('delivers each message once to a queue group of two subscribers (#9 nats)', async () => {
    const { nc, ready } = connected();
    const a: string[] = [];
    const b: string[] = [];
    const subs = [
      nc.subscribe('pubsub.q', { queue: 'workers' }).subscribe((m) => a.push(m.string())),
      nc.subscribe('pubsub.q', { queue: 'workers' }).subscribe((m) => b.push(m.string())),
    ];
    await ready;
    await firstValueFrom(nc.flush());
    const sent = Array.from({ length: 40 }, (_, i) => `q${i}`);
    for (const text of sent) nc.publish('pubsub.q', text);
    await within(firstValueFrom(nc.flush()), 'flush');
    // the server has routed everything by the PONG; deliveries to this link precede it
    expect([...a, ...b].sort()).toEqual([...sent].sort());
    expect(new Set([...a, ...b]).size).toBe(sent.length);
    for (const sub of subs) sub.unsubscribe();
  });

  it('sends UNSUB when unsubscribed: a later publish is not delivered (#9 nats)', async () => {
    const { nc, ready } = connected();
    const seen: string[] = [];
    const sub = nc.subscribe('pubsub.u').subscribe((m) => seen.push(m.string()));
    const witness = firstN(nc.subscribe('pubsub.u'), 2);
    await ready;
    await firstValueFrom(nc.flush());
    nc.publish('pubsub.u', 'before');
    await firstValueFrom(nc.flush());
    sub.unsubscribe();
    nc.publish('pubsub.u', 'after');
    // the witness subscription still gets 'after': the server handled it, and the UNSUB before it
    expect((await witness).map((m) => m.string())).toEqual(['before', 'after']);
    expect(seen).toEqual(['before']);
  });

  it('flush() resolves after the server has processed earlier publishes (#9 nats)', async () => {
    const { nc, ready } = connected();
    const seen: string[] = [];
    const sub = nc.subscribe('pubsub.f').subscribe((m) => seen.push(m.string()));
    await ready;
    await firstValueFrom(nc.flush());
    for (let i = 0; i < 200; i++) nc.publish('pubsub.f', `f${i}`);
    const done = await within(lastValueFrom(nc.flush(), { defaultValue: 'none' }), 'flush');
    expect(done).toBeUndefined();
    // every MSG was written by the server before the PONG on the same link
    expect(seen.length).toBe(200);
    expect(seen[199]).toBe('f199');
    sub.unsubscribe();
  });

  it('refuses a payload over INFO.max_payload with a NatsError, sending nothing (#9 nats)', async () => {
    const { nc, ready } = connected();
    const seen: number[] = [];
    const sub = nc.subscribe('pubsub.big').subscribe((m) => seen.push(m.data.length));
    await ready;
    expect(nc.info?.max_payload).toBe(4096);
    expect(() => nc.publish('pubsub.big', new Uint8Array(4097))).toThrow(NatsError);
    expect(() => nc.publish('pubsub.big', new Uint8Array(4097))).toThrow(/max_payload of 4096/);
    nc.publish('pubsub.big', new Uint8Array(4096));
    await firstValueFrom(nc.flush());
    expect(seen).toEqual([4096]);
    sub.unsubscribe();
  });
});
