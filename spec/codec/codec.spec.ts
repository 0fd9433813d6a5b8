import fc from 'fast-check';
import { connect, ConfigError, DeserializeError, type Codec, type InvalidMessageEvent } from '../../lib';
import { harness } from '../support/harness';
import { testScheduler } from '../support/marbles';

/**
 * Newline-delimited text: a frame may hold several lines or part of one. `decoders` records
 * every decoder made (one per link), with what each one was told about its link.
 */
function lines(): Codec<string, string> & { decoders: Array<{ url: string; attempt: number }> } {
  const decoders: Array<{ url: string; attempt: number }> = [];
  return {
    decoders,
    encode: (message) => `${message}\n`,
    decoder(link) {
      decoders.push({ url: link.url, attempt: link.attempt });
      let pending = '';
      return (frame) => {
        const parts = (pending + String(frame)).split('\n');
        pending = parts.pop()!;
        return parts;
      };
    },
  };
}

describe('codec: a per-link decoder, zero or more messages per frame (#9)', () => {
  it('delivers every message of a frame in order, and joins a message split across frames (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(scheduler, { codec: lines() }, {}, 100);
      const got: string[] = [];
      h.conn.messages$.subscribe((m) => got.push(m));
      h.at(10, () => h.server.send('a\nb\nc\n'));
      h.at(20, () => h.server.send('hel'));
      h.at(30, () => h.server.send('lo\nwor'));
      h.at(40, () => h.server.send('ld\n'));
      h.at(50, () => h.server.send('')); // an empty frame completes nothing
      scheduler.flush();
      expect(got).toEqual(['a', 'b', 'c', 'hello', 'world']);
    });
  });

  it('makes a fresh decoder for every link: partial input never leaks into the next link (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const codec = lines();
      const h = harness<string, string>(scheduler, { codec }, {}, 1_000);
      const got: string[] = [];
      h.conn.messages$.subscribe((m) => got.push(m));
      h.at(10, () => h.server.send('half of a li'));
      h.at(20, () => h.server.drop());
      h.at(300, () => h.server.send('ne\nfresh\n'));
      scheduler.flush();
      // 'ne' is a whole line to the new link's decoder; the old half is gone with its link.
      expect(got).toEqual(['ne', 'fresh']);
      expect(codec.decoders).toEqual([
        { url: 'ws://test', attempt: 0 },
        { url: 'ws://test', attempt: 1 },
      ]);
    });
  });

  it('encodes sends, handshake, heartbeat and channel messages with codec.encode (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(
        scheduler,
        {
          codec: lines(),
          handshake: { message: () => 'HELLO', ack: (m) => m === 'WELCOME' },
          heartbeat: { interval: 50, timeout: 1_000, message: 'PING', isPong: (m) => m === 'PONG' },
        },
        {},
        120,
      );
      h.server.messages$.subscribe(({ connection, message }) => {
        if (message === 'HELLO\n') connection.send('WELCOME\n');
      });
      h.conn.channel({ key: 't', subscribe: 'SUB t', unsubscribe: 'UNSUB t', match: (m) => m.startsWith('t ') }).subscribe();
      h.conn.send('PUB x');
      scheduler.flush();
      expect(h.server.received.slice(0, 4)).toEqual(['HELLO\n', 'SUB t\n', 'PUB x\n', 'PING\n']);
    });
  });

  it('sends every decoded message through handshake.ack, isPong, route and channels, one by one (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(
        scheduler,
        {
          codec: lines(),
          handshake: { message: () => 'CONNECT', ack: (m) => m === 'OK' },
          heartbeat: { interval: 100, timeout: 1_000, message: 'PING', isPong: (m) => m === 'PONG' },
          route: (m) => (m.startsWith('MSG ') ? m.split(' ')[1] : undefined),
        },
        {},
        250, // one probe, at 200 (the first tick saw the link-up traffic)
      );
      const all: string[] = [];
      const onA: string[] = [];
      h.conn.messages$.subscribe((m) => all.push(m));
      h.conn.channel({ key: 'a', subscribe: 'SUB a', ack: (m) => m === 'SUBACK a' }).subscribe((m) => onA.push(m));
      h.server.messages$.subscribe(({ connection, message }) => {
        // The ack, the channel's ack and its first message all in one frame.
        if (message === 'CONNECT\n') connection.send('INFO\nOK\nMSG a 1\n');
        if (message === 'SUB a\n') connection.send('SUBACK a\nMSG a 2\nMSG b 3\n');
        if (message === 'PING\n') connection.send('PONG\nMSG a 4\n');
      });
      scheduler.flush();
      expect(h.timeline.map(([, e]) => e)).toEqual(['Connecting 0', 'Connected', 'Disconnected manual 0 p', 'Closed manual 0']);
      expect(onA).toEqual(['MSG a 1', 'MSG a 2', 'MSG a 4']);
      // The pong answered a probe and was swallowed; everything else reached messages$ in order.
      expect(all).toEqual(['INFO', 'OK', 'MSG a 1', 'SUBACK a', 'MSG a 2', 'MSG b 3', 'MSG a 4']);
    });
  });

  it('a decoder that throws reports the frame as InvalidMessage and the link goes on (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const codec: Codec<string, string> = {
        encode: (m) => m,
        decoder: () => (frame) => {
          if (frame === 'bad') throw new SyntaxError('bad frame');
          return [String(frame)];
        },
      };
      const h = harness<string, string>(scheduler, { codec }, {}, 100);
      const got: string[] = [];
      h.conn.messages$.subscribe((m) => got.push(m));
      h.at(10, () => h.server.send('bad'));
      h.at(20, () => h.server.send('good'));
      scheduler.flush();
      const invalid = h.events.filter((e): e is InvalidMessageEvent => e.type === 'InvalidMessage');
      expect(invalid).toHaveLength(1);
      expect(invalid[0].data).toBe('bad');
      expect(invalid[0].error).toBeInstanceOf(DeserializeError);
      expect((invalid[0].error as DeserializeError).cause).toBeInstanceOf(SyntaxError);
      expect(got).toEqual(['good']);
      expect(h.server.connections).toHaveLength(1);
    });
  });

  it('a generator decoder that throws midway keeps what it yielded before, then reports the frame (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const codec: Codec<string, string> = {
        encode: (m) => m,
        decoder: () =>
          function* (frame) {
            for (const part of String(frame).split(',')) {
              if (part === '!') throw new Error('broken');
              yield part;
            }
          },
      };
      const h = harness<string, string>(scheduler, { codec }, {}, 100);
      const got: string[] = [];
      h.conn.messages$.subscribe((m) => got.push(m));
      h.at(10, () => h.server.send('a,b,!,c'));
      scheduler.flush();
      expect(got).toEqual(['a', 'b']);
      expect(h.events.filter((e) => e.type === 'InvalidMessage')).toHaveLength(1);
    });
  });

  it('a decoder that returns something not iterable is an InvalidMessage (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const codec = { encode: (m: string) => m, decoder: () => () => 42 as unknown as Iterable<string> };
      const h = harness<string, string>(scheduler, { codec }, {}, 100);
      h.at(10, () => h.server.send('x'));
      scheduler.flush();
      const invalid = h.events.find((e): e is InvalidMessageEvent => e.type === 'InvalidMessage');
      expect(String((invalid?.error as DeserializeError).cause)).toContain('iterable');
    });
  });

  it('codec.decoder() that throws fails the attempt, which is retried (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      let calls = 0;
      const codec: Codec<string, string> = {
        encode: (m) => m,
        decoder: () => {
          if (++calls === 1) throw new Error('no parser today');
          return (frame) => [String(frame)];
        },
      };
      const h = harness<string, string>(scheduler, { codec }, {}, 1_000);
      scheduler.flush();
      expect(h.timeline.map(([, e]) => e)).toEqual([
        'Connecting 0',
        'Disconnected error 0',
        'Reconnecting 1 100',
        'Connecting 1',
        'Connected',
        'Disconnected manual 0 p',
        'Closed manual 0',
      ]);
    });
  });

  it('send() throws what codec.encode throws, and a TypeError naming codec.encode() for a non-frame (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const codec: Codec<string, string> = {
        encode: (m) => {
          if (m === 'boom') throw new RangeError('cannot encode boom');
          return (m === 'num' ? 42 : m) as string;
        },
        decoder: () => (frame) => [String(frame)],
      };
      const h = harness<string, string>(scheduler, { codec }, {}, 100);
      expect(() => h.conn.send('boom')).toThrow(RangeError);
      expect(() => h.conn.send('num')).toThrow(/codec\.encode\(\) returned number/);
      h.conn.send('fine');
      scheduler.flush();
      expect(h.events.find((e) => e.type === 'Closed')).toMatchObject({ unsent: [] });
      expect(h.server.received).toEqual(['fine']);
    });
  });

  it('codec and serializer together, or a codec without decoder(), are ConfigErrors naming codec (#9)', () => {
    const codec = { encode: (m: unknown) => String(m), decoder: () => (f: unknown) => [f] };
    const serializer = { serialize: (m: unknown) => String(m), deserialize: (d: unknown) => d };
    const errorOf = (make: () => unknown): ConfigError => {
      try {
        make();
      } catch (error) {
        return error as ConfigError;
      }
      throw new Error('no error');
    };
    const both = errorOf(() => connect({ url: 'ws://x', codec, serializer }));
    expect(both).toBeInstanceOf(ConfigError);
    expect(both.field).toBe('codec');
    const partial = errorOf(() => connect({ url: 'ws://x', codec: { encode: codec.encode } as never }));
    expect(partial.field).toBe('codec');
    expect(partial.message).toContain('decoder()');
  });

  it('property: however a byte stream of lines is cut into frames, the same messages arrive in order (#9)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z]{0,6}$/), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (messages, cuts) => {
          const stream = messages.map((m) => `${m}\n`).join('');
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const frames: string[] = [];
          let from = 0;
          for (const point of [...points, stream.length]) {
            frames.push(stream.slice(from, point));
            from = point;
          }
          const scheduler = testScheduler();
          let got: string[] = [];
          scheduler.run(() => {
            const h = harness<string, string>(scheduler, { codec: lines() }, {}, 1_000);
            got = [];
            h.conn.messages$.subscribe((m) => got.push(m));
            frames.forEach((frame, i) => h.at(10 + i, () => h.server.send(frame)));
          });
          expect(got).toEqual(messages);
        },
      ),
      { numRuns: 100 },
    );
  });
});
