import { firstValueFrom } from 'rxjs';
import {
  DEFAULT_MAX_PAYLOAD,
  NatsError,
  NatsFlushTimeoutError,
  NatsPermissionError,
  type NatsConnection,
} from '../../../lib/nats';
import { client, firstN, within } from '../client/helpers';
import { NatsTestServer } from './server';

describe('natsConnect() against nats-server: nothing lost silently (#19)', () => {
  let server: NatsTestServer;
  const open: NatsConnection[] = [];

  beforeAll(async () => {
    server = await NatsTestServer.start({
      extra: [
        'authorization { users = [',
        '  { user: "full", password: "pw" }',
        '  { user: "limited", password: "pw", permissions: { subscribe: { deny: ["secret.>"] }, publish: { deny: ["secret.>"] } } }',
        '] }',
      ],
    });
  });
  afterEach(() => {
    server.resume();
    for (const nc of open.splice(0)) nc.close();
  });
  afterAll(async () => {
    await server?.stop();
  });

  function connect(user: string): ReturnType<typeof client> {
    const made = client({ servers: server.wsUrl, user, pass: 'pw' });
    open.push(made.nc);
    return made;
  }

  it('errors a refused subscription with NatsPermissionError naming the subject; the others go on (#19)', async () => {
    const { nc, log } = connect('limited');
    const refused = new Promise<unknown>((resolve) => nc.subscribe('secret.plans').subscribe({ error: resolve }));
    const fine = firstN(nc.subscribe('public.news'), 1);
    const reported: NatsError[] = [];
    nc.errors$.subscribe((error) => reported.push(error));
    await log.waitFor('Connected');
    const error = await within(refused, 'the refused subscription to error');
    expect(error).toBeInstanceOf(NatsPermissionError);
    expect(error).toMatchObject({ operation: 'subscribe', subject: 'secret.plans' });
    expect(String((error as Error).message)).toMatch(/permission denied to subscribe "secret.plans"/);
    nc.publish('public.news', 'still here');
    expect((await fine)[0].string()).toBe('still here');
    expect(reported.map((e) => e.name)).toEqual(['NatsPermissionError']);
    expect(log.of('Disconnected')).toEqual([]);
  });

  it('reports a refused publish on errors$ as NatsPermissionError naming the subject; the link stays (#19)', async () => {
    const { nc, log } = connect('limited');
    const reported = new Promise<unknown>((resolve) => nc.errors$.subscribe(resolve));
    await log.waitFor('Connected');
    nc.publish('secret.leak', 'x');
    const error = await within(reported, 'the refusal');
    expect(error).toMatchObject({ name: 'NatsPermissionError', operation: 'publish', subject: 'secret.leak' });
    await within(firstValueFrom(nc.flush()), 'a flush after the refusal');
    expect(log.of('Disconnected')).toEqual([]);
  });

  it('refuses a publish over 1 MiB made before the first INFO; the publishes queued behind it arrive (#19)', async () => {
    const watcher = connect('full');
    const seen = firstN(watcher.nc.subscribe('big.before'), 2);
    await watcher.log.waitFor('Connected');
    await firstValueFrom(watcher.nc.flush());

    const { nc, log } = connect('full');
    expect(nc.info).toBeUndefined(); // no INFO yet: the default limit applies
    nc.publish('big.before', 'first');
    expect(() => nc.publish('big.before', new Uint8Array(DEFAULT_MAX_PAYLOAD + 1))).toThrow(/default max_payload .* of 1048576 bytes/);
    nc.publish('big.before', 'second');
    expect((await seen).map((m) => m.string())).toEqual(['first', 'second']);
    expect(log.of('Disconnected')).toEqual([]); // the server never saw an oversize PUB
  });

  it("gives flush() a deadline: a server that stops answering fails it with NatsFlushTimeoutError (#19)", async () => {
    const { nc, log } = connect('full');
    await log.waitFor('Connected');
    await firstValueFrom(nc.flush());
    server.pause();
    const error = await within(firstValueFrom(nc.flush({ timeout: 400 })).catch((e: unknown) => e), 'the flush deadline');
    expect(error).toBeInstanceOf(NatsFlushTimeoutError);
    server.resume();
    // the server answers both PINGs in order: a later flush settles on its own PONG
    await within(firstValueFrom(nc.flush()), 'a flush after the server resumed');
    expect(log.types).toEqual(['Connecting', 'Connected']);
  });
});
