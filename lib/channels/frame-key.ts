import type { Frame } from '../serializer';

/** A channel's default key: its serialized `subscribe` frame (binary frames as hex). */
export function frameKey(frame: Frame): string {
  if (typeof frame === 'string') return frame;
  // The bytes a view covers, or a whole buffer: a buffer has no `byteOffset`, which reads as 0.
  const bytes = new Uint8Array(
    ArrayBuffer.isView(frame) ? frame.buffer : frame,
    (frame as Partial<ArrayBufferView>).byteOffset,
    frame.byteLength,
  );
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
