import { firstValueFrom } from 'rxjs';
import type { NatsConnection } from '../../../lib/nats';
import { client, firstN } from '../client/helpers';
import { NatsTestServer } from './server';

describe('natsConnect() against nats-server: token authentication', () => {
  let server: NatsTestServer;
  const open: NatsConnection[] = [];

  beforeAll(async () => {
    server = await NatsTestServer.start({ token: 's3cret' });
  });
  afterEach(() => {
    for (const nc of open.splice(0)) nc.close();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('connects with the right token and carries messages (#9 nats)', async () => {
    const { nc, log } = client({ servers: server.wsUrl, token: 's3cret' });
    open.push(nc);
    const received = firstN(nc.subscribe('auth.ok'), 1);
    await log.waitFor('Connected');
    await firstValueFrom(nc.flush());
    nc.publish('auth.ok', 'in');
    expect((await received)[0].string()).toBe('in');
  });

  it.each([
    ['a wrong token', 'wrong'],
    ['no token', undefined],
  ])('ends with Closed{reason: fatal} on %s, after one attempt: no retry storm (#9 nats)', async (_what, token) => {
    const { nc, log } = client({ servers: server.wsUrl, ...(token === undefined ? {} : { token }) });
    open.push(nc);
    const closed = await log.waitFor('Closed');
    expect(closed.reason).toBe('fatal');
    expect(String((closed.error as Error | undefined)?.message)).toMatch(/Authorization Violation/i);
    expect(log.eventsCompleted).toBe(true); // events$ is over: the count below is final
    expect(log.of('Connecting')).toHaveLength(1);
    expect(log.of('Connected')).toHaveLength(0);
  });
});
