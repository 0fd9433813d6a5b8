import { NatsError } from './errors/nats-error';
import { encodeHeaders } from './headers';
import type { NatsClientOp } from './ops';

const CRLF = '\r\n';
const textEncoder = new TextEncoder();

/**
 * One client operation → one frame. Control operations are text frames; a `PUB` (or `HPUB`,
 * with headers) is a binary frame (its payload is bytes); a `SUB` with `max` carries its
 * `UNSUB <sid> <max>` in the same frame. `CONNECT` carries a `PING` in the same frame: its `PONG` is the
 * handshake's ack. Throws a {@link NatsError} for a subject, queue or reply that the protocol
 * cannot carry (empty, or with whitespace), so nothing malformed is ever buffered or sent.
 *
 * @example
 * ```ts
 * encodeOp({ op: 'SUB', subject: 'orders.>', sid: 7 }); // 'SUB orders.> 7\r\n'
 * ```
 */
export function encodeOp(op: NatsClientOp): string | Uint8Array {
  switch (op.op) {
    case 'CONNECT':
      return `CONNECT ${JSON.stringify(op.connect)}${CRLF}PING${CRLF}`;
    case 'PUB': {
      const reply = op.reply === undefined ? '' : ` ${token(op.reply, 'reply subject')}`;
      const subject = token(op.subject, 'subject');
      const block = op.headers === undefined ? undefined : textEncoder.encode(encodeHeaders(op.headers));
      const line =
        block === undefined
          ? `PUB ${subject}${reply} ${op.data.length}${CRLF}`
          : `HPUB ${subject}${reply} ${block.length} ${block.length + op.data.length}${CRLF}`;
      const head = block === undefined ? textEncoder.encode(line) : concatBytes(textEncoder.encode(line), block);
      const frame = new Uint8Array(head.length + op.data.length + 2);
      frame.set(head, 0);
      frame.set(op.data, head.length);
      frame[frame.length - 2] = 0x0d;
      frame[frame.length - 1] = 0x0a;
      return frame;
    }
    case 'SUB': {
      const queue = op.queue === undefined ? '' : ` ${token(op.queue, 'queue group')}`;
      const autoUnsub = op.max === undefined ? '' : `UNSUB ${sid(op.sid)} ${sid(op.max)}${CRLF}`;
      return `SUB ${token(op.subject, 'subject')}${queue} ${sid(op.sid)}${CRLF}${autoUnsub}`;
    }
    case 'UNSUB':
      return `UNSUB ${sid(op.sid)}${op.max === undefined ? '' : ` ${sid(op.max)}`}${CRLF}`;
    case 'PING':
    case 'PONG':
      return `${op.op}${CRLF}`;
  }
}

/** A subject, reply or queue name: one protocol token (not empty, no whitespace or control characters). */
function token(value: string, what: string): string {
  if (typeof value !== 'string' || value === '' || /[\s\u0000-\u001f\u007f]/.test(value)) {
    throw new NatsError(`invalid ${what}: ${JSON.stringify(String(value)).slice(0, 90)}`);
  }
  return value;
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function sid(value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new NatsError(`invalid sid: ${String(value)}`);
  return value;
}
