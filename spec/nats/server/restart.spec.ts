import { firstValueFrom } from 'rxjs';
import type { NatsConnection } from '../../../lib/nats';
import { client, until, within } from '../client/helpers';
import { NatsTestServer } from './server';

describe('natsConnect() against nats-server: a server restart', () => {
  let server: NatsTestServer;
  let nc: NatsConnection | undefined;

  beforeAll(async () => {
    server = await NatsTestServer.start();
  });
  afterEach(() => nc?.close());
  afterAll(async () => {
    await server?.stop();
  });

  it('restores subscriptions and delivers publishes made while down once, in order (#9 nats)', async () => {
    const made = client({ servers: server.wsUrl });
    nc = made.nc;
    const { log } = made;
    const a: string[] = [];
    const b: string[] = [];
    const subs = [
      nc.subscribe('restart.a').subscribe((m) => a.push(m.string())),
      nc.subscribe('restart.b', { queue: 'g' }).subscribe((m) => b.push(m.string())),
    ];
    await log.waitFor('Connected');
    await firstValueFrom(nc.flush());
    nc.publish('restart.a', 'before');
    await firstValueFrom(nc.flush());
    expect(a).toEqual(['before']);

    const lost = log.events.length;
    await server.kill();
    await log.waitFor('Disconnected', { after: lost });
    expect(nc.currentServer).toBeUndefined();
    const whileDown = Array.from({ length: 50 }, (_, i) => `down${i}`);
    for (const text of whileDown) {
      nc.publish('restart.a', text);
      nc.publish('restart.b', text);
    }
    const flushed = firstValueFrom(nc.flush()); // queued behind the buffered publishes

    await server.start();
    const restored = await log.waitFor('SubscriptionsRestored', { after: lost, ms: 8_000 });
    expect(restored.count).toBe(2);
    await within(flushed, 'the flush made while down');
    // the flush's PONG follows every MSG the server routed for the publishes before it
    expect(a).toEqual(['before', ...whileDown]);
    expect(b).toEqual(whileDown);
    expect(nc.currentServer).toBe(server.wsUrl);

    // and the restored subscriptions keep working
    nc.publish('restart.a', 'after');
    await until(() => a.length === 52, 'the publish after the restart');
    expect(a[51]).toBe('after');
    expect(log.of('Reconnected')).toHaveLength(1);
    for (const sub of subs) sub.unsubscribe();
  });
});
