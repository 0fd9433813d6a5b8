import { ConnectionClosedError } from '../../../lib';
import { natsConnect, NatsArgumentError, type NatsConnection } from '../../../lib/nats';

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
