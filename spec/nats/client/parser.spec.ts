import fc from 'fast-check';
import { NatsError, type NatsServerOp } from '../../../lib/nats';
import { encodeOp } from '../../../lib/nats/encoder';
import { NatsParser } from '../../../lib/nats/parser';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A sample stream as nats-server writes it: several operations, payloads with CRLF and UTF-8 inside. */
const SAMPLE =
  'INFO {"server_id":"S1","max_payload":1048576,"headers":true,"connect_urls":["127.0.0.1:4223"]}\r\n' +
  'PONG\r\n' +
  'MSG orders.new 1 5\r\nhello\r\n' +
  'MSG orders.new 2 _INBOX.x.1 13\r\nline\r\nbreak!!\r\n' +
  'PING\r\n' +
  'HMSG _INBOX.x.2 3 16 16\r\nNATS/1.0 503\r\n\r\n\r\n' +
  'HMSG a.b 4 r.1 26 32\r\nNATS/1.0\r\nK: v1\r\nK: v2\r\n\r\nhéllo\r\n' +
  'MSG empty 5 0\r\n\r\n' +
  '+OK\r\n' +
  "-ERR 'Permissions Violation for Publish to \"x\"'\r\n";

/** Operations in a comparable form (payloads as text). */
function plain(ops: readonly NatsServerOp[]): unknown[] {
  return ops.map((op) => (op.op === 'MSG' ? { ...op, data: decoder.decode(op.data) } : op));
}

function parseAll(frames: readonly (string | Uint8Array)[]): { ops: NatsServerOp[]; errors: NatsError[] } {
  const parser = new NatsParser();
  const ops: NatsServerOp[] = [];
  const errors: NatsError[] = [];
  for (const frame of frames) {
    const result = parser.parse(frame);
    ops.push(...result.ops);
    if (result.error) errors.push(result.error);
  }
  return { ops, errors };
}

const bytes = encoder.encode(SAMPLE);
const expected = plain(parseAll([SAMPLE]).ops);

describe('NatsParser', () => {
  it('parses several operations in one frame, MSG, HMSG, INFO, PING/PONG, +OK, -ERR (#9 nats)', () => {
    expect(expected).toEqual([
      { op: 'INFO', info: { server_id: 'S1', max_payload: 1048576, headers: true, connect_urls: ['127.0.0.1:4223'] } },
      { op: 'PONG' },
      { op: 'MSG', subject: 'orders.new', sid: 1, data: 'hello' },
      { op: 'MSG', subject: 'orders.new', sid: 2, reply: '_INBOX.x.1', data: 'line\r\nbreak!!' },
      { op: 'PING' },
      { op: 'MSG', subject: '_INBOX.x.2', sid: 3, data: '', headers: {}, status: 503 },
      { op: 'MSG', subject: 'a.b', sid: 4, reply: 'r.1', data: 'héllo', headers: { K: ['v1', 'v2'] } },
      { op: 'MSG', subject: 'empty', sid: 5, data: '' },
      { op: '+OK' },
      { op: '-ERR', message: 'Permissions Violation for Publish to "x"' },
    ]);
  });

  it('parses a binary frame given as an ArrayBuffer the same as text (#9 nats)', () => {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    expect(plain(parseAll([buffer as unknown as Uint8Array]).ops)).toEqual(expected);
  });

  it('parses the stream split into two frames at every byte position (#9 nats)', () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { ops, errors } = parseAll([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect({ cut, errors }).toEqual({ cut, errors: [] });
      expect(plain(ops)).toEqual(expected);
    }
  });

  it('parses the stream cut into any number of frames at random positions (property) (#9 nats)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }), (cuts) => {
        const points = [0, ...[...cuts].sort((a, b) => a - b), bytes.length];
        const frames = points.slice(1).map((end, index) => bytes.slice(points[index], end));
        const { ops, errors } = parseAll(frames);
        expect(errors).toEqual([]);
        expect(plain(ops)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('takes exactly the declared payload bytes, up to the CRLF after them: a payload of CR and LF bytes, of any size, split anywhere (property) (#18)', () => {
    // Payloads drawn from bytes that look like line ends: an off-by-one at the CRLF after a
    // payload (or after a control line) takes or leaves a byte and breaks this equality.
    const payload = fc.uint8Array({ maxLength: 12 }).map((raw) => raw.map((byte) => [0x0d, 0x0a, 0x41, 0x20][byte % 4]));
    const message = fc.record({ data: payload, headers: fc.boolean(), reply: fc.boolean() });
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 6 }), (messages, rawCuts) => {
        const parts: Uint8Array[] = [];
        messages.forEach((m, sid) => {
          const reply = m.reply ? ' r.1' : '';
          const head = m.headers ? 'NATS/1.0\r\nK: v\r\n\r\n' : '';
          const size = head.length + m.data.length;
          const line = m.headers ? `HMSG s ${sid}${reply} ${head.length} ${size}\r\n${head}` : `MSG s ${sid}${reply} ${size}\r\n`;
          parts.push(encoder.encode(line), m.data, encoder.encode('\r\n'));
        });
        parts.push(encoder.encode('PONG\r\n'));
        const stream = Uint8Array.from(parts.flatMap((part) => [...part]));
        const cuts = [...new Set(rawCuts.map((cut) => cut % (stream.length + 1)))].sort((a, b) => a - b);
        const points = [0, ...cuts, stream.length];
        const { ops, errors } = parseAll(points.slice(1).map((end, i) => stream.slice(points[i], end)));
        expect(errors).toEqual([]);
        expect(ops).toHaveLength(messages.length + 1);
        messages.forEach((m, sid) => {
          const op = ops[sid];
          expect(op.op === 'MSG' && { sid: op.sid, data: [...op.data], reply: op.reply, headers: op.headers }).toEqual({
            sid,
            data: [...m.data],
            reply: m.reply ? 'r.1' : undefined,
            headers: m.headers ? { K: ['v'] } : undefined,
          });
        });
        expect(ops[messages.length]).toEqual({ op: 'PONG' });
      }),
      { numRuns: 500 },
    );
  });

  it('parses a payload that ends in CR, and one that is a lone CRLF (#18)', () => {
    const { ops, errors } = parseAll(['MSG a 1 1\r\n\r\r\nMSG a 1 2\r\n\r\n\r\nMSG a 1 3\r\nx\r\r\r\n']);
    expect(errors).toEqual([]);
    expect(plain(ops).map((op) => (op as { data: string }).data)).toEqual(['\r', '\r\n', 'x\r\r']);
  });

  it('parses byte-per-frame input (#9 nats)', () => {
    const frames = Array.from(bytes, (byte) => Uint8Array.of(byte));
    expect(plain(parseAll(frames).ops)).toEqual(expected);
  });

  it('reports malformed input as an error, skips the bad line and parses what follows (#9 nats)', () => {
    const parser = new NatsParser();
    const first = parser.parse('PING\r\nBOGUS op\r\nMSG a 1 2\r\nhi\r\n');
    expect(first.error).toBeInstanceOf(NatsError);
    expect(first.error?.message).toMatch(/malformed protocol line: "BOGUS op"/);
    expect(plain(first.ops)).toEqual([{ op: 'PING' }, { op: 'MSG', subject: 'a', sid: 1, data: 'hi' }]);
    for (const bad of ['MSG a x 2\r\n', 'MSG a 1\r\n', 'HMSG a 1 9 3\r\n', 'INFO {nope\r\n', 'INFO [1]\r\n', 'PING extra\r\n']) {
      const result = parser.parse(bad);
      expect({ bad, ops: result.ops, error: result.error instanceof NatsError }).toEqual({ bad, ops: [], error: true });
    }
    // a payload longer than its declared size: the CRLF is missing where it should be
    expect(parser.parse('MSG a 1 2\r\nhey\r\n').error?.message).toMatch(/not followed by CRLF/);
    // the parser is clean again
    expect(plain(parser.parse('MSG b 2 3\r\nabc\r\nPONG\r\n').ops)).toEqual([
      { op: 'MSG', subject: 'b', sid: 2, data: 'abc' },
      { op: 'PONG' },
    ]);
  });

  it('refuses a control line that never ends instead of buffering it forever (#9 nats)', () => {
    const parser = new NatsParser();
    const result = parser.parse('INFO ' + 'x'.repeat(70_000));
    expect(result.error?.message).toMatch(/control line longer than/);
    expect(parser.parse('PONG\r\n').ops).toEqual([{ op: 'PONG' }]);
  });

  it('round-trips what the encoder writes for PUB through a server-style MSG (#9 nats)', () => {
    const data = encoder.encode('pay\r\nload');
    const frame = encodeOp({ op: 'PUB', subject: 's', reply: 'r', data }) as Uint8Array;
    const text = decoder.decode(frame);
    expect(text).toBe('PUB s r 9\r\npay\r\nload\r\n');
    expect(plain(new NatsParser().parse(text.replace(/^PUB s r/, 'MSG s 9 r')).ops)).toEqual([
      { op: 'MSG', subject: 's', sid: 9, reply: 'r', data: 'pay\r\nload' },
    ]);
  });

  it('encodes CONNECT with its PING, SUB with a queue, UNSUB, and refuses bad subjects (#9 nats)', () => {
    expect(
      encodeOp({ op: 'CONNECT', connect: { protocol: 1, verbose: false, pedantic: false, lang: 'l', version: 'v' } }),
    ).toBe('CONNECT {"protocol":1,"verbose":false,"pedantic":false,"lang":"l","version":"v"}\r\nPING\r\n');
    expect(encodeOp({ op: 'SUB', subject: 'a.*', queue: 'q', sid: 3 })).toBe('SUB a.* q 3\r\n');
    expect(encodeOp({ op: 'UNSUB', sid: 3 })).toBe('UNSUB 3\r\n');
    for (const subject of ['', 'a b', 'a\r\nPUB x 1', 'tab\tbed']) {
      expect(() => encodeOp({ op: 'PUB', subject, data: new Uint8Array(0) })).toThrow(NatsError);
    }
  });
});
