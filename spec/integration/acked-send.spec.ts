import { forkJoin, lastValueFrom } from 'rxjs';
import { ackedSender, connect } from '../../lib';
import { WsTestServer } from '../support/ws-server';
import { EventLog, FAST_RETRY, Resources, within } from '../support/until';

type Out = { op: 'order'; id: number };
type In = { op: 'ack'; id: number; duplicate: boolean };

describe('acked send against a real ws server', () => {
  const res = new Resources();
  afterEach(() => res.release());

  it('every order is stored once, in order, although the server drops the link before acking some', async () => {
    const stored: number[] = [];
    const killOn = new Set([5, 15, 25]); // the first time these arrive: stored, then the link dies unacked
    const server = res.server(
      await WsTestServer.start({
        onMessage: ({ socket }, text) => {
          // ws may still hand over frames that arrived in the same read as the fatal one: a dead
          // server would not have processed them.
          if (socket.readyState !== socket.OPEN) return;
          const { id } = JSON.parse(text) as Out;
          const duplicate = stored.includes(id);
          if (!duplicate) stored.push(id);
          if (!duplicate && killOn.has(id)) {
            socket.terminate(); // the ack is lost with the link; so are the orders written behind it
            return;
          }
          socket.send(JSON.stringify({ op: 'ack', id, duplicate }));
        },
      }),
    );
    const conn = res.conn(connect<In, Out>({ url: server.url, retry: FAST_RETRY }));
    const log = new EventLog(conn);
    res.add(() => log.stop());
    const orders = ackedSender(conn, { id: (m) => m.id, ackOf: (m) => m.id, timeout: 10_000 });
    const acks = await within(
      lastValueFrom(forkJoin(Array.from({ length: 30 }, (_, id) => orders.send({ op: 'order', id })))),
      'every ack',
      10_000,
    );
    expect(acks.map((a) => a.id)).toEqual(Array.from({ length: 30 }, (_, id) => id));
    expect(stored).toEqual(Array.from({ length: 30 }, (_, id) => id));
    // The orders the server had before the link died were acked as duplicates on a later link.
    expect(acks.filter((a) => a.duplicate).map((a) => a.id)).toEqual(expect.arrayContaining([5, 15, 25]));
    expect(server.received.length).toBeGreaterThan(30);
    expect(log.of('Reconnected').length).toBeGreaterThanOrEqual(3);
    expect(orders.pending).toBe(0);
  });
});
