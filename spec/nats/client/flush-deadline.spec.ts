import { firstValueFrom } from 'rxjs';
import { ConfigError } from '../../../lib';
import { NatsFlushTimeoutError, type NatsConnection } from '../../../lib/nats';
import type { WsTestServer } from '../../support/ws-server';
import { startFakeNats } from './fake-nats';
import { client, within } from './helpers';

describe('flush(): a deadline and a typed timeout (#19)', () => {
  let nc: NatsConnection | undefined;
  let server: WsTestServer | undefined;
  afterEach(async () => {
    nc?.close();
    await server?.stop();
  });

  it('errors with NatsFlushTimeoutError when the server stops answering PING while the link stays up (#19)', async () => {
    let answering = true;
    server = await startFakeNats(undefined, () => answering);
    const made = client({ servers: server.url });
    nc = made.nc;
    await made.log.waitFor('Connected');
    await within(firstValueFrom(nc.flush()), 'a flush the server answers');
    answering = false;
    const started = Date.now();
    const error = await within(firstValueFrom(nc.flush({ timeout: 250 })).catch((e: unknown) => e), 'the flush deadline');
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(error).toBeInstanceOf(NatsFlushTimeoutError);
    expect(error).toMatchObject({ timeout: 250, message: 'flush not confirmed by the server within 250 ms' });
    expect(made.log.types).toEqual(['Connecting', 'Connected']); // the link itself stayed up
  });

  it('uses flushTimeout as the default deadline, and refuses a bad timeout with ConfigError (#19)', async () => {
    server = await startFakeNats(undefined, () => false);
    const made = client({ servers: server.url, flushTimeout: 150 });
    nc = made.nc;
    await made.log.waitFor('Connected');
    const error = await within(firstValueFrom(nc.flush()).catch((e: unknown) => e), 'the default deadline');
    expect(error).toMatchObject({ name: 'NatsFlushTimeoutError', timeout: 150 });
    const bad = await firstValueFrom(nc.flush({ timeout: -1 })).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ConfigError);
  });
});
