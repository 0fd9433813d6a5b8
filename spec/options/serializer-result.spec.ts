import { ConnectionClosedError, type ClosedEvent, type Serializer } from '../../lib';
import { harness } from '../support/harness';
import { testScheduler } from '../support/marbles';

/** A serializer whose `serialize` returns `result` for the message `'bad'`, JSON otherwise. */
function returning(result: unknown): Serializer<unknown, unknown> {
  return {
    serialize: (message) => (message === 'bad' ? result : JSON.stringify(message)) as string,
    deserialize: (data) => (typeof data === 'string' ? JSON.parse(data) : data),
  };
}

const notFrames: Array<[string, unknown, string]> = [
  ['a number', 42, 'number'],
  ['a plain object', { op: 'x' }, 'object'],
  ['an array', ['x'], 'object'],
  ['undefined', undefined, 'undefined'],
  ['null', null, 'null'],
  ['a boolean', true, 'boolean'],
  ['a BigInt', 1n, 'bigint'],
];

function sendError(send: () => void): unknown {
  try {
    send();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('send() with a serializer result that is not a frame', () => {
  it.each(notFrames)('%s while offline: TypeError naming the serializer, nothing buffered (#8 item 25)', (_, result, kind) => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { serializer: returning(result), buffer: { maxMessages: 10, maxBytes: 100 } }, { mode: 'manual' }, 5);
      h.conn.send('before');
      const error = sendError(() => h.conn.send('bad'));
      expect(error).toBeInstanceOf(TypeError);
      expect((error as TypeError).message).toBe(
        `serializer.serialize() returned ${kind}; expected a string, ArrayBuffer or ArrayBufferView`,
      );
      h.conn.send('after');
      scheduler.flush();
      expect((h.events.at(-1) as ClosedEvent).unsent).toEqual(['before', 'after']);
    });
  });

  it.each(notFrames)('%s while connected: TypeError, nothing reaches the server, the link goes on (#8 item 25)', (_, result, kind) => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { serializer: returning(result) }, {}, 100);
      const errors: unknown[] = [];
      h.at(10, () => {
        h.conn.send('before');
        errors.push(sendError(() => h.conn.send('bad')));
        h.conn.send('after');
      });
      scheduler.flush();
      expect(errors).toEqual([expect.any(TypeError)]);
      expect((errors[0] as TypeError).message).toContain(`serializer.serialize() returned ${kind};`);
      expect(h.server.received).toEqual(['before', 'after']);
      expect(h.events.map((e) => e.type)).toEqual(['Connecting', 'Connected', 'Disconnected', 'Closed']);
    });
  });

  it('a number result can no longer slip past maxBytes (its size was NaN) (#8 item 25)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { serializer: returning(123_456), buffer: { maxBytes: 4 } }, { mode: 'manual' }, 5);
      for (let i = 0; i < 3; i++) expect(() => h.conn.send('bad')).toThrow(TypeError);
      scheduler.flush();
      expect((h.events.at(-1) as ClosedEvent).unsent).toEqual([]);
    });
  });

  it('strings, ArrayBuffers and every ArrayBufferView are frames, sent as they are', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const frames: unknown[] = ['text', new ArrayBuffer(2), new Uint8Array([1, 2]), new DataView(new ArrayBuffer(3)), Buffer.from('hi')];
      let next = 0;
      const serializer: Serializer<unknown, unknown> = {
        serialize: () => frames[next++] as string,
        deserialize: (data) => data,
      };
      const h = harness(scheduler, { serializer }, {}, 100);
      h.at(10, () => frames.forEach(() => h.conn.send('x')));
      scheduler.flush();
      expect(h.server.received).toHaveLength(frames.length);
      h.server.received.forEach((frame, index) => expect(frame).toBe(frames[index]));
    });
  });

  it('after close, send() still throws ConnectionClosedError first, whatever the serializer returns', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { serializer: returning(42) }, {}, 5);
      scheduler.flush();
      expect(() => h.conn.send('bad')).toThrow(ConnectionClosedError);
    });
  });
});
