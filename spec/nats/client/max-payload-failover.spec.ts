import { filter, take } from 'rxjs';
import { NatsError, type NatsConnection } from '../../../lib/nats';
import { publishedSize } from '../../../lib/nats/publish-op';
import { encodeOp } from '../../../lib/nats/encoder';
import type { WsTestServer } from '../../support/ws-server';
import { startFakeNats } from './fake-nats';
import { client, until } from './helpers';

describe('a publish buffered across a failover is checked against the new server max_payload (#19)', () => {
  const servers: WsTestServer[] = [];
  const clients: NatsConnection[] = [];
  afterEach(async () => {
    for (const nc of clients.splice(0)) nc.close();
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  it('publishedSize() reads the size of a PUB or the total of an HPUB longer than the limit, and nothing else (#19)', () => {
    const data = new Uint8Array(600);
    expect(publishedSize(encodeOp({ op: 'PUB', subject: 'a', data }), 500)).toBe(600);
    expect(publishedSize(encodeOp({ op: 'PUB', subject: 'a', reply: 'r', data }), 500)).toBe(600);
    expect(publishedSize(encodeOp({ op: 'PUB', subject: 'a', data }), 1_000)).toBeUndefined(); // short enough to fit
    const hpub = encodeOp({ op: 'PUB', subject: 'a', data, headers: { k: ['v'] } });
    expect(publishedSize(hpub, 500)).toBeGreaterThan(600);
    expect(publishedSize(`SUB ${'x'.repeat(600)} 1\r\n`, 500)).toBeUndefined();
  });

  it('drops the oversize one with a NatsError on errors$ instead of writing it (the server would close the link and lose what follows); the rest goes out (#19)', async () => {
    const a = await startFakeNats(() => ({ max_payload: 1_000 }));
    const b = await startFakeNats(() => ({ max_payload: 500 }));
    servers.push(a, b);
    const made = client({ servers: [a.url, b.url] });
    clients.push(made.nc);
    const errors: NatsError[] = [];
    made.nc.errors$.subscribe((error) => errors.push(error));
    await made.log.waitFor('Connected');
    // While the link is down, publishes are checked against a's INFO (1000) and buffered.
    made.nc.events$.pipe(filter((event) => event.type === 'Disconnected'), take(1)).subscribe(() => {
      made.nc.publish('before', 'x');
      made.nc.publish('big', new Uint8Array(600));
      made.nc.publish('after', 'y');
    });
    await a.stop();
    await made.log.waitFor('Reconnected');
    await until(() => b.received.join('').includes('PUB after'), 'the publish after the big one on b');
    const onB = b.received.join('');
    expect(onB).toContain('PUB before');
    expect(onB).not.toContain('PUB big');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(NatsError);
    expect(errors[0].message).toMatch(/600 bytes.*max_payload of 500/);
    expect(made.log.of('Disconnected')).toHaveLength(1); // b kept the link
  });
});
