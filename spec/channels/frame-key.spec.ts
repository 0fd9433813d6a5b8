import { frameKey } from '../../lib/channels/frame-key';

describe('frameKey (a channel’s default key)', () => {
  it('is a text frame itself', () => {
    expect(frameKey('{"op":"sub"}')).toBe('{"op":"sub"}');
    expect(frameKey('')).toBe('');
  });

  it('is the hex of a binary frame’s bytes: an ArrayBuffer, or exactly the bytes a view covers', () => {
    const buffer = new Uint8Array([0x00, 0x0f, 0x10, 0xab, 0xff, 0x7e]).buffer;
    expect(frameKey(buffer)).toBe('000f10abff7e');
    expect(frameKey(new Uint8Array(buffer, 2, 3))).toBe('10abff');
    expect(frameKey(new DataView(buffer, 1, 2))).toBe('0f10');
    expect(frameKey(new Uint16Array(buffer, 2, 2))).toBe('10abff7e');
    expect(frameKey(Buffer.from([1, 2, 254]))).toBe('0102fe');
    expect(frameKey(new ArrayBuffer(0))).toBe('');
  });
});
