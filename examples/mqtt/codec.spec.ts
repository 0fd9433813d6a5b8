import { generate, type Packet } from 'mqtt-packet';
import { mqttCodec } from './codec';

const link = { url: 'ws://127.0.0.1:1', attempt: 0 };

/** The bytes of `packets` back to back, as one binary frame. */
function frame(...packets: Packet[]): ArrayBuffer {
  const bytes = Buffer.concat(packets.map((packet) => generate(packet)));
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

const publish: Packet = {
  cmd: 'publish',
  topic: 't/split',
  payload: Buffer.alloc(300, 7),
  qos: 1,
  messageId: 42,
  dup: false,
  retain: false,
};

describe('mqttCodec', () => {
  it('decodes several packets joined in one frame, in order (#9 mqtt)', () => {
    const decode = mqttCodec.decoder(link);
    const packets = [
      ...decode(
        frame(
          { cmd: 'connack', returnCode: 0, sessionPresent: false },
          { cmd: 'suback', messageId: 3, granted: [1] },
          { cmd: 'pingresp' },
        ),
      ),
    ];
    expect(packets.map((packet) => packet.cmd)).toEqual(['connack', 'suback', 'pingresp']);
    expect(packets[1]).toMatchObject({ messageId: 3, granted: [1] });
  });

  it('keeps a packet split across frames until its last byte arrives (#9 mqtt)', () => {
    const decode = mqttCodec.decoder(link);
    const whole = new Uint8Array(frame(publish));
    // Cut inside the fixed header's length bytes, then inside the payload.
    const parts = [whole.slice(0, 2), whole.slice(2, 100), whole.slice(100)];
    expect([...decode(parts[0]!.buffer)]).toEqual([]);
    expect([...decode(parts[1]!.buffer)]).toEqual([]);
    const [packet, ...rest] = [...decode(parts[2]!.buffer)];
    expect(rest).toEqual([]);
    expect(packet).toMatchObject({ cmd: 'publish', topic: 't/split', messageId: 42, qos: 1 });
    expect((packet as { payload: Buffer }).payload.equals(Buffer.alloc(300, 7))).toBe(true);
  });

  it('gives every link a fresh decoder: partial input of a dead link is not carried over (#9 mqtt)', () => {
    const dead = mqttCodec.decoder(link);
    expect([...dead(new Uint8Array(frame(publish)).slice(0, 50).buffer)]).toEqual([]);
    const next = mqttCodec.decoder({ ...link, attempt: 1 });
    expect([...next(frame({ cmd: 'pingresp' }))]).toEqual([expect.objectContaining({ cmd: 'pingresp' })]);
  });

  it('throws on a malformed frame (the core reports InvalidMessage) and decodes the next one (#9 mqtt)', () => {
    const decode = mqttCodec.decoder(link);
    // A PUBREL with its reserved flags wrong (0x60 instead of 0x62) is a protocol violation.
    expect(() => decode(new Uint8Array([0x60, 0x02, 0x00, 0x01]).buffer)).toThrow();
    expect([...decode(frame({ cmd: 'pingresp' }))].map((packet) => packet.cmd)).toEqual(['pingresp']);
    expect(() => decode('not binary')).toThrow(TypeError);
  });

  it('encodes a packet as one binary frame, the bytes mqtt-packet generates (#9 mqtt)', () => {
    const encoded = mqttCodec.encode({ cmd: 'pingreq' });
    expect(ArrayBuffer.isView(encoded)).toBe(true);
    expect(Buffer.from(encoded as Uint8Array)).toEqual(Buffer.from([0xc0, 0x00]));
  });
});
