import type { Frame } from './serializer';

/**
 * Bytes a frame takes on the wire: the UTF-8 length of text, the byte length of binary.
 * Counted without allocating, since it runs for every buffered message.
 */
export function frameSize(frame: Frame): number {
  if (typeof frame !== 'string') return frame.byteLength;
  let bytes = frame.length;
  for (let i = 0; i < frame.length; i++) {
    const code = frame.charCodeAt(i);
    if (code < 0x80) continue;
    bytes += code < 0x800 ? 1 : 2;
    if (code >= 0xd800 && code <= 0xdbff) i++; // a surrogate pair: 4 bytes for its 2 units
  }
  return bytes;
}
