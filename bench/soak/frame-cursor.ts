/**
 * Follows a server→client WebSocket byte stream (the HTTP upgrade response, then frames) just
 * far enough to know where each frame ends, so the fault proxy can inject a frame of its own
 * (a close frame, a malformed one) between two frames instead of inside one.
 */
export class FrameCursor {
  private inHttpHead = true;
  /** How much of "\r\n\r\n" has been matched at the end of the bytes so far. */
  private headMatch = 0;
  private header: number[] = [];
  private remaining = 0;

  /** True between frames (after the HTTP head): a frame written now stands on its own. */
  atBoundary(): boolean {
    return !this.inHttpHead && this.header.length === 0 && this.remaining === 0;
  }

  /** Reads `chunk`; returns the offsets just after each frame (or the HTTP head) that ends in it. */
  feed(chunk: Uint8Array): number[] {
    const ends: number[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.inHttpHead) {
        const byte = chunk[i++]!;
        const wanted = this.headMatch % 2 === 0 ? 13 : 10;
        this.headMatch = byte === wanted ? this.headMatch + 1 : byte === 13 ? 1 : 0;
        if (this.headMatch === 4) {
          this.inHttpHead = false;
          ends.push(i);
        }
        continue;
      }
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - i);
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) ends.push(i);
        continue;
      }
      this.header.push(chunk[i++]!);
      const length = headerLength(this.header);
      if (length !== undefined && this.header.length === length) {
        this.remaining = payloadLength(this.header);
        this.header = [];
        if (this.remaining === 0) ends.push(i);
      }
    }
    return ends;
  }
}

/** Bytes in a frame header, once its first two bytes are known. */
function headerLength(header: readonly number[]): number | undefined {
  if (header.length < 2) return undefined;
  const length7 = header[1]! & 0x7f;
  const masked = (header[1]! & 0x80) !== 0;
  return 2 + (length7 === 126 ? 2 : length7 === 127 ? 8 : 0) + (masked ? 4 : 0);
}

function payloadLength(header: readonly number[]): number {
  const length7 = header[1]! & 0x7f;
  if (length7 === 126) return (header[2]! << 8) | header[3]!;
  if (length7 !== 127) return length7;
  let length = 0;
  for (let k = 2; k < 10; k++) length = length * 256 + header[k]!;
  return length;
}

/** An unmasked server close frame with `code` and no reason. */
export function closeFrame(code: number): Uint8Array {
  return Uint8Array.of(0x88, 0x02, code >> 8, code & 0xff);
}

/** A frame with a reserved opcode (0x3): a protocol error the client must survive. */
export function malformedFrame(): Uint8Array {
  return Uint8Array.of(0x83, 0x01, 0x21);
}
