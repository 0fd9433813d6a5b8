import { ConnectionClosedError } from '../../../lib';
import { DEFAULT_MAX_PAYLOAD, natsConnect, NatsArgumentError, type NatsConnection, type NatsInfo } from '../../../lib/nats';
import { publishOp } from '../../../lib/nats/publish-op';

describe('publish(): arguments it cannot use are a typed error naming them (#16)', () => {
  let nc: NatsConnection;
  beforeEach(() => {
    // Never connects: the checks happen before anything is buffered or sent.
    nc = natsConnect({ servers: 'ws://127.0.0.1:1', retry: false });
  });
  afterEach(() => nc.close());

  it.each<[string, unknown, RegExp]>([
    ['a number', 42, /invalid data: expected a string, a Uint8Array or undefined, got 42/],
    ['an object', { price: 1 }, /invalid data: expected .*got an object \(\[object Object\]\)/],
    ['null', null, /invalid data: .*got null/],
    ['an ArrayBuffer', new ArrayBuffer(2), /invalid data: .*ArrayBuffer/],
  ])('throws NatsArgumentError naming `data` for %s, and buffers nothing (#16)', (_what, data, message) => {
    const publish = (): void => nc.publish('a', data as string);
    expect(publish).toThrow(NatsArgumentError);
    expect(publish).toThrow(message);
    try {
      publish();
    } catch (error) {
      expect(error).toMatchObject({ name: 'NatsArgumentError', argument: 'data', value: data });
    }
    expect(nc.buffered).toBe(0);
  });

  it('throws NatsArgumentError naming `subject` for a subject that is not a string (#16)', () => {
    expect(() => nc.publish(7 as unknown as string, 'x')).toThrow(NatsArgumentError);
    expect(() => nc.publish(7 as unknown as string, 'x')).toThrow(/invalid subject: expected a string, got 7/);
    expect(nc.buffered).toBe(0);
  });

  it('errors a request with a bad payload with NatsArgumentError (#16)', async () => {
    const error = await new Promise<unknown>((resolve) =>
      nc.request('svc', 42 as unknown as string).subscribe({ error: resolve, complete: () => resolve('completed') }),
    );
    expect(error).toBeInstanceOf(NatsArgumentError);
    expect(error).not.toBeInstanceOf(ConnectionClosedError);
  });
});

describe('publishOp(): what the server of the moment accepts (#19)', () => {
  const info = (fields: Partial<NatsInfo>): NatsInfo => ({ server_id: 'S', max_payload: 1_048_576, headers: true, ...fields });

  it('counts the header block towards max_payload, and names whose limit it is (#19)', () => {
    const block = 'NATS/1.0\r\nA: 1\r\n\r\n'.length;
    expect(publishOp('a', 'xy', { headers: { A: '1' } }, info({ max_payload: block + 2 })).size).toBe(block + 2);
    expect(() => publishOp('a', 'xyz', { headers: { A: '1' } }, info({ max_payload: block + 2 }))).toThrow(
      `payload of ${block + 3} bytes exceeds the server's max_payload of ${block + 2} bytes`,
    );
    expect(() => publishOp('a', new Uint8Array(DEFAULT_MAX_PAYLOAD + 1), {}, undefined)).toThrow(/the default max_payload \(no server INFO yet\)/);
  });

  it('refuses headers for a server without headers support, and a reply that is not a string (#19)', () => {
    expect(() => publishOp('a', 'x', { headers: { A: '1' } }, info({ headers: false }))).toThrow(/does not support headers/);
    expect(() => publishOp('a', 'x', { reply: 5 }, undefined)).toThrow(NatsArgumentError);
    expect(() => publishOp('a', 'x', null, undefined)).toThrow(/invalid options/);
  });
});
