import type { NatsConnection } from '../../../lib/nats';
import type { WsTestServer } from '../../support/ws-server';
import { startFakeNats } from './fake-nats';
import { client, until } from './helpers';

/** The sids of the `SUB`s a server connection received, by subject. */
function subs(received: readonly string[]): Array<{ subject: string; sid: number }> {
  return received
    .join('')
    .split('\r\n')
    .filter((line) => line.startsWith('SUB '))
    .map((line) => {
      const parts = line.split(' ');
      return { subject: parts[1], sid: Number(parts[parts.length - 1]) };
    });
}

describe('natsConnect(): subscription ids across reconnects (#18)', () => {
  let server: WsTestServer | undefined;
  let nc: NatsConnection | undefined;

  afterEach(async () => {
    nc?.close();
    await server?.stop();
  });

  it('never gives a new SUB the sid of a restored one: numbering does not restart on a new link (#18)', async () => {
    server = await startFakeNats();
    const made = client({ servers: server.url });
    nc = made.nc;
    const got: Record<string, string[]> = { a: [], b: [], c: [] };
    const sub = (name: string) => nc!.subscribe(`sid.${name}`).subscribe((m) => got[name].push(m.string()));
    const live = [sub('a'), sub('b')];
    await made.log.waitFor('Connected');
    const first = server.connections[0];
    await until(() => subs(first.received).length === 2, 'two SUBs on the first link');
    // the server drops the link; the client restores a and b on the next one
    first.socket.terminate();
    await made.log.waitFor('SubscriptionsRestored');
    const second = await server.connection(1);
    live.push(sub('c'));
    await until(() => subs(second.received).length === 3, 'the restored SUBs and the new one on the second link');

    const onSecond = subs(second.received);
    expect(onSecond.map((s) => s.subject)).toEqual(['sid.a', 'sid.b', 'sid.c']);
    // the restored subscriptions keep their sids; the new one gets a sid of its own
    expect(onSecond.slice(0, 2)).toEqual(subs(first.received));
    expect(new Set(onSecond.map((s) => s.sid)).size).toBe(3);
    // a message for the new subscription's sid reaches it alone
    second.socket.send(`MSG sid.c ${onSecond[2].sid} 2\r\nhi\r\n`);
    await until(() => got.c.length === 1, 'the message for c');
    expect(got).toEqual({ a: [], b: [], c: ['hi'] });
    for (const s of live) s.unsubscribe();
  });
});
