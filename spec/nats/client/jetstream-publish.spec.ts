import { firstValueFrom } from 'rxjs';
import { AckTimeoutError } from '../../../lib';
import {
  jetstream,
  JetStreamApiError,
  JetStreamResponseError,
  NatsArgumentError,
  parseAckSubject,
  type NatsConnection,
  type PubAck,
} from '../../../lib/nats';
import { parseApiResponse } from '../../../lib/nats/jetstream/api';
import type { ServerSocket, WsTestServer } from '../../support/ws-server';
import { startFakeNats } from './fake-nats';
import { client, until, within } from './helpers';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('JetStream pieces without a server (#19)', () => {
  it('parseAckSubject reads the v1 and v2 reply subjects, and nothing else', () => {
    expect(parseAckSubject('$JS.ACK.ORDERS.c1.2.42.7.1700000000000000000.3')).toEqual({
      stream: 'ORDERS',
      consumer: 'c1',
      deliveryCount: 2,
      streamSequence: 42,
      consumerSequence: 7,
      timestampNanos: 1700000000000000000,
      pending: 3,
    });
    expect(parseAckSubject('$JS.ACK.hub.ACC.ORDERS.c1.1.5.5.1700000000000000000.0.tok')).toMatchObject({
      domain: 'hub',
      stream: 'ORDERS',
      streamSequence: 5,
    });
    expect(parseAckSubject('$JS.ACK._.ACC.ORDERS.c1.1.5.5.1700000000000000000.0.tok')?.domain).toBeUndefined();
    for (const bad of [undefined, '_INBOX.x', '$JS.ACK.S.c.1.0.1.1.0', '$JS.ACK.S.c.1.x.1.1.0', '$JS.ACK.S.c.1.1.1', '$JS.ACK.S.c.1.1.1.1.-1']) {
      expect(parseAckSubject(bad)).toBeUndefined();
    }
  });

  it('parseApiResponse: the JSON, or JetStreamApiError with code, errCode, description, or JetStreamResponseError', () => {
    expect(parseApiResponse<PubAck>('s', text('{"stream":"S","seq":3}'))).toEqual({ stream: 'S', seq: 3 });
    const refused = (() => {
      try {
        parseApiResponse('$JS.API.STREAM.INFO.X', text('{"error":{"code":404,"err_code":10059,"description":"stream not found"}}'));
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(refused).toBeInstanceOf(JetStreamApiError);
    expect(refused).toMatchObject({ name: 'JetStreamApiError', code: 404, errCode: 10059, description: 'stream not found', subject: '$JS.API.STREAM.INFO.X' });
    expect(() => parseApiResponse('s', text('not json'))).toThrow(JetStreamResponseError);
    expect(() => parseApiResponse('s', text('42'))).toThrow(JetStreamResponseError);
  });
});

/** The `HPUB`s of a connection: subject, reply, headers block. */
function hpubs(connection: ServerSocket): Array<{ subject: string; reply: string; headers: string; payload: string }> {
  const all = connection.received.join('');
  const found = [];
  for (const match of all.matchAll(/HPUB (\S+) (\S+) (\d+) (\d+)\r\n/g)) {
    const start = match.index! + match[0].length;
    const headerLength = Number(match[3]);
    found.push({
      subject: match[1],
      reply: match[2],
      headers: all.slice(start, start + headerLength),
      payload: all.slice(start + headerLength, start + Number(match[4])),
    });
  }
  return found;
}

function ack(connection: ServerSocket, reply: string, json: string): void {
  const all = connection.received.join('');
  const sub = [...all.matchAll(/SUB (\S+)\.\* (\d+)\r\n/g)].find((m) => reply.startsWith(`${m[1]}.`));
  if (!sub) throw new Error(`no inbox SUB for ${reply}`);
  connection.socket.send(`MSG ${reply} ${sub[2]} ${json.length}\r\n${json}\r\n`);
}

describe('JetStream publish on the core acked send, against a scripted server (#19)', () => {
  let server: WsTestServer;
  let nc: NatsConnection | undefined;

  beforeEach(async () => {
    server = await startFakeNats();
  });

  afterEach(async () => {
    nc?.close();
    await server.stop();
  });

  it('carries Nats-Msg-Id and a reply in the ack inbox (subscribed first); emits the PubAck', async () => {
    nc = client({ servers: server.url }).nc;
    const js = jetstream(nc);
    const acked = firstValueFrom(js.publish('orders.new', 'hello', { msgId: 'm-1', headers: { Tag: 'x' } }));
    const connection = await server.connection(0);
    await until(() => hpubs(connection).length === 1, 'the HPUB');
    const [pub] = hpubs(connection);
    expect(pub).toMatchObject({ subject: 'orders.new', payload: 'hello' });
    expect(pub.headers).toContain('Nats-Msg-Id: m-1\r\n');
    expect(pub.headers).toContain('Tag: x\r\n');
    const all = connection.received.join('');
    expect(all.indexOf('SUB _INBOX.')).toBeLessThan(all.indexOf('HPUB'));
    ack(connection, pub.reply, '{"stream":"ORDERS","seq":9}');
    await expect(within(acked, 'the PubAck')).resolves.toEqual({ stream: 'ORDERS', seq: 9 });
  });

  it('resends an unacked publish on the next link, after the inbox SUB, with the same Nats-Msg-Id', async () => {
    nc = client({ servers: server.url }).nc;
    const js = jetstream(nc);
    const first = await server.connection(0);
    const acked = firstValueFrom(js.publish('orders.new', 'once'));
    await until(() => hpubs(first).length === 1, 'the HPUB');
    const msgId = /Nats-Msg-Id: (\S+)\r\n/.exec(hpubs(first)[0].headers)![1];
    expect(msgId).toMatch(/^[0-9A-Za-z]{22}$/); // a nuid by default
    first.socket.terminate();
    const second = await server.connection(1);
    await until(() => hpubs(second).length === 1, 'the resent HPUB');
    const resent = hpubs(second)[0];
    expect(resent.headers).toContain(`Nats-Msg-Id: ${msgId}\r\n`);
    const all = second.received.join('');
    expect(all.indexOf('SUB _INBOX.')).toBeLessThan(all.indexOf('HPUB'));
    ack(second, resent.reply, '{"stream":"ORDERS","seq":1,"duplicate":true}');
    await expect(within(acked, 'the PubAck')).resolves.toEqual({ stream: 'ORDERS', seq: 1, duplicate: true });
  });

  it('counts in stats() like publish(), and is refused with NatsError once drain() has begun', async () => {
    nc = client({ servers: server.url }).nc;
    const js = jetstream(nc);
    const connection = await server.connection(0);
    js.publish('orders.new', 'hello', { msgId: 'm-1' }).subscribe({ error: () => undefined });
    expect(nc.stats()).toMatchObject({ outMsgs: 1, outBytes: 5 + 'NATS/1.0\r\nNats-Msg-Id: m-1\r\n\r\n'.length });
    await until(() => hpubs(connection).length === 1, 'the HPUB');
    nc.drain().subscribe({ error: () => undefined });
    expect(() => js.publish('orders.new', 'late')).toThrow(/draining/);
    expect(nc.stats().outMsgs).toBe(1);
  });

  it('an error PubAck is a JetStreamApiError; no PubAck in time is the core AckTimeoutError', async () => {
    nc = client({ servers: server.url }).nc;
    const js = jetstream(nc);
    const refused = firstValueFrom(js.publish('orders.new', 'x')).catch((e: unknown) => e);
    const late = firstValueFrom(js.publish('orders.new', 'y', { timeout: 100 })).catch((e: unknown) => e);
    const connection = await server.connection(0);
    await until(() => hpubs(connection).length === 2, 'two HPUBs');
    ack(connection, hpubs(connection)[0].reply, '{"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"},"stream":"ORDERS"}');
    await expect(within(refused, 'the refusal')).resolves.toMatchObject({ name: 'JetStreamApiError', code: 503, errCode: 10077 });
    await expect(within(late, 'the timeout')).resolves.toBeInstanceOf(AckTimeoutError);
  });

  it('throws NatsArgumentError for bad options, keeping nothing', () => {
    nc = client({ servers: server.url }).nc;
    const js = jetstream(nc);
    expect(() => js.publish('a', 'x', { msgId: 'two words' })).toThrow(NatsArgumentError);
    expect(() => js.publish('a', 42 as never)).toThrow(NatsArgumentError);
    expect(() => js.publish('a', 'x', { retries: 1.5 })).toThrow(NatsArgumentError);
    expect(() => jetstream(nc!, { timeout: 0 })).toThrow(/timeout/);
    expect(() => jetstream({} as NatsConnection)).toThrow(TypeError);
  });
});
