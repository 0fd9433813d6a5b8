import type { Frame } from '../serializer';

/** A channel's default key: its serialized `subscribe` frame (binary frames as hex). */
export function frameKey(frame: Frame): string {
  if (typeof frame === 'string') return frame;
  const bytes = ArrayBuffer.isView(frame)
    ? new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength)
    : new Uint8Array(frame);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
