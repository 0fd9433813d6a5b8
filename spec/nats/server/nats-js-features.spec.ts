import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { NatsArgumentError, NatsError, type NatsConnection, type NatsMsg } from '../../../lib/nats';
import { client, firstN, until, within } from '../client/helpers';
import { NatsTestServer } from './server';

describe('natsConnect() against nats-server: what nats.js users expect (#19)', () => {
  let server: NatsTestServer;
  const open: NatsConnection[] = [];

  beforeAll(async () => {
    server = await NatsTestServer.start();
  });
  afterEach(() => {
    for (const nc of open.splice(0)) nc.close();
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function connected(name = 'spec'): Promise<{ nc: NatsConnection; log: ReturnType<typeof client>['log'] }> {
    const made = client({ servers: server.wsUrl, name });
    open.push(made.nc);
    await made.log.waitFor('Connected');
    return made;
  }

  it('publishes headers (HPUB) and receives them (HMSG), several values per name (#19)', async () => {
    const { nc } = await connected();
    const got = firstN(nc.subscribe('hdr.a'), 2);
    await firstValueFrom(nc.flush());
    nc.publish('hdr.a', 'with', { headers: { 'Nats-Msg-Id': 'id-1', Tag: ['x', 'y'] } });
    nc.publish('hdr.a', 'without');
    const [withHeaders, without] = await got;
    expect(withHeaders.headers).toEqual({ 'Nats-Msg-Id': ['id-1'], Tag: ['x', 'y'] });
    expect(withHeaders.string()).toBe('with');
    expect(without.headers).toBeUndefined();
    expect(() => nc.publish('hdr.a', '', { headers: { 'Bad Name': 'v' } })).toThrow(NatsArgumentError);
    expect(() => nc.publish('hdr.a', '', { headers: { K: 'v\r\nPUB x 1' } })).toThrow(/options.headers\["K"\]/);
  });

  it('answers with msg.respond() (headers included); respond() on a message without reply is false (#19)', async () => {
    const { nc } = await connected();
    const service = nc.subscribe('svc.time').subscribe((m: NatsMsg) => {
      m.respond(`re:${m.string()}:${m.headers?.Q?.[0] ?? ''}`, { headers: { Served: 'yes' } });
    });
    const noReply: boolean[] = [];
    const plain = nc.subscribe('svc.plain').subscribe((m) => noReply.push(m.respond('nobody')));
    await firstValueFrom(nc.flush());
    const reply = await within(firstValueFrom(nc.request('svc.time', 'now', { headers: { Q: 'h' } })), 'the reply');
    expect(reply.string()).toBe('re:now:h');
    expect(reply.headers).toEqual({ Served: ['yes'] });
    nc.publish('svc.plain', 'x');
    await until(() => noReply.length === 1, 'the plain message');
    expect(noReply).toEqual([false]);
    service.unsubscribe();
    plain.unsubscribe();
  });

  it('unsubscribes on the server after max messages (UNSUB sid max): the server sends no more, the Observable completes (#19)', async () => {
    const { nc } = await connected();
    const received = lastValueFrom(nc.subscribe('max.a', { max: 3 }).pipe(toArray()));
    await firstValueFrom(nc.flush());
    for (let i = 1; i <= 6; i++) nc.publish('max.a', `m${i}`);
    await firstValueFrom(nc.flush());
    expect((await within(received, 'completion')).map((m) => m.string())).toEqual(['m1', 'm2', 'm3']);
    // Published at once, m4–m6 would have reached the link before a client-side UNSUB: the server stopped at 3.
    expect(nc.stats().inMsgs).toBe(3);
  });

  it('keeps what is left of max across a server restart (#19)', async () => {
    const made = client({ servers: server.wsUrl });
    open.push(made.nc);
    const { nc, log } = made;
    const seen: string[] = [];
    let completed = false;
    nc.subscribe('max.r', { max: 4 }).subscribe({ next: (m) => seen.push(m.string()), complete: () => (completed = true) });
    await log.waitFor('Connected');
    await firstValueFrom(nc.flush());
    nc.publish('max.r', 'a');
    nc.publish('max.r', 'b');
    await until(() => seen.length === 2, 'two messages');
    const mark = log.events.length;
    await server.kill();
    await server.start();
    await log.waitFor('SubscriptionsRestored', { after: mark, ms: 8_000 });
    const inBefore = nc.stats().inMsgs;
    for (const text of ['c', 'd', 'e', 'f']) nc.publish('max.r', text);
    await firstValueFrom(nc.flush());
    await until(() => completed, 'completion after max');
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
    expect(nc.stats().inMsgs - inBefore).toBe(2); // the restored SUB carried UNSUB sid 2
    expect(nc.stats().reconnects).toBe(1);
  });

  it('drain(): what was published and due is delivered, subscriptions complete, then the connection closes (#19)', async () => {
    const watcher = await connected('watcher');
    const elsewhere = firstN(watcher.nc.subscribe('drain.out'), 50);
    await firstValueFrom(watcher.nc.flush());
    const { nc, log } = await connected('drainer');
    const seen: string[] = [];
    let completed = false;
    nc.subscribe('drain.in').subscribe({ next: (m) => seen.push(m.string()), complete: () => (completed = true) });
    await firstValueFrom(nc.flush());
    for (let i = 0; i < 50; i++) {
      watcher.nc.publish('drain.in', `in${i}`);
      nc.publish('drain.out', `out${i}`);
    }
    await firstValueFrom(watcher.nc.flush()); // the server has them all: they are due to the drainer
    const done = lastValueFrom(nc.drain(), { defaultValue: 'none' });
    expect(() => nc.publish('drain.out', 'late')).toThrow(NatsError);
    await within(done, 'the drain');
    expect(seen).toHaveLength(50);
    expect(completed).toBe(true);
    expect((await elsewhere).map((m) => m.string())).toEqual(Array.from({ length: 50 }, (_, i) => `out${i}`));
    const closed = await log.waitFor('Closed');
    expect(closed.reason).toBe('manual');
    expect(await firstValueFrom(nc.drain()).catch((e: unknown) => e)).toBeInstanceOf(NatsError);
  });

  it('counts messages and bytes in and out (stats()) (#19)', async () => {
    const { nc } = await connected();
    const got = firstN(nc.subscribe('stats.a'), 2);
    await firstValueFrom(nc.flush());
    nc.publish('stats.a', 'abc');
    nc.publish('stats.a', new Uint8Array(10));
    await got;
    expect(nc.stats()).toEqual({ inMsgs: 2, inBytes: 13, outMsgs: 2, outBytes: 13, reconnects: 0 });
  });
});
