import { firstValueFrom, lastValueFrom } from 'rxjs';
import { ConnectionClosedError } from '../../../lib';
import { NatsNoRespondersError, NatsTimeoutError, type NatsConnection } from '../../../lib/nats';
import { client, within } from '../client/helpers';
import { NatsTestServer } from './server';

describe('natsConnect() against nats-server: request/reply', () => {
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

  async function connected(): Promise<NatsConnection> {
    const { nc, log } = client({ servers: server.wsUrl });
    open.push(nc);
    await log.waitFor('Connected');
    return nc;
  }

  it('answers a request through the shared inbox, many at once (#9 nats)', async () => {
    const nc = await connected();
    const responder = nc.subscribe('svc.echo').subscribe((m) => nc.publish(m.reply!, `re:${m.string()}`));
    await firstValueFrom(nc.flush());
    const replies = await within(
      Promise.all(Array.from({ length: 20 }, (_, i) => lastValueFrom(nc.request('svc.echo', `q${i}`)))),
      '20 replies',
    );
    expect(replies.map((m) => m.string())).toEqual(Array.from({ length: 20 }, (_, i) => `re:q${i}`));
    const inboxes = new Set(replies.map((m) => m.subject.split('.').slice(0, 2).join('.')));
    expect(inboxes.size).toBe(1); // one _INBOX.<nuid> prefix: one shared subscription
    responder.unsubscribe();
  });

  it('fails a request nobody answers with NatsTimeoutError after its timeout (#9 nats)', async () => {
    const nc = await connected();
    const silent = nc.subscribe('svc.silent').subscribe();
    await firstValueFrom(nc.flush());
    const started = Date.now();
    const error = await within(
      firstValueFrom(nc.request('svc.silent', 'x', { timeout: 300 })).catch((e: unknown) => e),
      'the timeout',
    );
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(NatsTimeoutError);
    expect(error).toMatchObject({ subject: 'svc.silent', timeout: 300 });
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(2_000);
    silent.unsubscribe();
  });

  it('fails a request to a subject without subscribers with NatsNoRespondersError, at once (#9 nats)', async () => {
    const nc = await connected();
    expect(nc.info?.headers).toBe(true);
    const started = Date.now();
    const error = await within(
      firstValueFrom(nc.request('svc.nobody', 'x', { timeout: 4_000 })).catch((e: unknown) => e),
      'no responders',
    );
    expect(error).toBeInstanceOf(NatsNoRespondersError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('fails a pending request with ConnectionClosedError on close() (#9 nats)', async () => {
    const nc = await connected();
    const silent = nc.subscribe('svc.silent2').subscribe();
    await firstValueFrom(nc.flush());
    const pending = firstValueFrom(nc.request('svc.silent2', 'x', { timeout: 4_000 })).catch((e: unknown) => e);
    nc.close();
    const error = await within(pending, 'the request to fail');
    expect(error).toBeInstanceOf(ConnectionClosedError);
    silent.unsubscribe();
  });
});
