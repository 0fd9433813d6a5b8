import { splitConnectUrls } from './connect-urls';
import { NatsError } from './errors/nats-error';
import type { NatsHeaders, NatsInfo, NatsMsgOp, NatsServerOp } from './ops';

const CR = 0x0d;
const LF = 0x0a;
const EMPTY = new Uint8Array(0);

/** Longest control line accepted (an `INFO` of a large cluster is a few KiB); longer is malformed. */
export const MAX_CONTROL_LINE = 64 * 1024;
/** Largest payload accepted (nats-server's own ceiling for `max_payload`); larger is malformed. */
export const MAX_INBOUND_PAYLOAD = 64 * 1024 * 1024;

/** @internal What one frame yields: the operations it completes and, if it held malformed input, the first error. */
export interface ParseResult {
  readonly ops: NatsServerOp[];
  readonly error?: NatsError;
}

/** @internal The control line of a `MSG`/`HMSG`, waiting for its payload. */
interface MsgHead {
  readonly subject: string;
  readonly sid: number;
  readonly reply?: string;
  /** Header bytes (0 for a `MSG`). */
  readonly headerSize: number;
  /** Header and payload bytes, without the trailing CRLF. */
  readonly size: number;
  readonly withHeaders: boolean;
}

/** @internal Payload bytes gathered across frames for one message. */
interface Pending {
  readonly head: MsgHead;
  readonly chunks: Uint8Array[];
  have: number;
}

const textDecoder = new TextDecoder('utf-8');
const textEncoder = new TextEncoder();

/**
 * A streaming parser of the server side of the NATS protocol, for one link: a frame may hold
 * several operations, and an operation (a `MSG` and its payload) may be split across frames at
 * any byte. Malformed input (an unknown operation, bad arguments, a payload without its CRLF)
 * is skipped up to the end of its line, reported as `error`, and parsing goes on with the rest.
 *
 * @example
 * ```ts
 * const parser = new NatsParser();
 * parser.parse('MSG a 1 5\r\nhel'); // { ops: [] }
 * parser.parse('lo\r\nPING\r\n');   // { ops: [{ op: 'MSG', subject: 'a', sid: 1, data: …'hello' }, { op: 'PING' }] }
 * ```
 *
 * @internal
 */
export class NatsParser {
  /** Bytes of an incomplete control line. */
  private partial: Uint8Array = EMPTY;
  private pending: Pending | undefined;

  /** Parses one frame: a string (text frame), an `ArrayBuffer` or an `ArrayBufferView` (binary). */
  parse(frame: unknown): ParseResult {
    const ops: NatsServerOp[] = [];
    let error: NatsError | undefined;
    let data = toBytes(frame);
    if (this.pending) {
      const pending = this.pending;
      pending.chunks.push(data);
      pending.have += data.length;
      if (pending.have < pending.head.size + 2) return { ops };
      this.pending = undefined;
      data = concat(pending.chunks);
      const result = takeMessage(pending.head, data, 0);
      if (result instanceof NatsError) error = result;
      else ops.push(result);
      data = data.subarray(afterMessage(pending.head, data, 0, result));
    } else if (this.partial.length > 0) {
      data = concat([this.partial, data]);
      this.partial = EMPTY;
    }
    let position = 0;
    while (position < data.length) {
      const end = indexOfCrlf(data, position);
      if (end < 0) {
        if (data.length - position > MAX_CONTROL_LINE) {
          error ??= new NatsError(`control line longer than ${MAX_CONTROL_LINE} bytes`);
        } else this.partial = data.slice(position);
        break;
      }
      const line = textDecoder.decode(data.subarray(position, end));
      position = end + 2;
      let parsed: NatsServerOp | MsgHead;
      try {
        parsed = parseControlLine(line);
      } catch (thrown) {
        error ??= thrown instanceof NatsError ? thrown : new NatsError(String(thrown), { cause: thrown });
        continue;
      }
      if (!('size' in parsed)) {
        ops.push(parsed);
        continue;
      }
      if (data.length - position < parsed.size + 2) {
        const rest = data.slice(position);
        this.pending = { head: parsed, chunks: [rest], have: rest.length };
        break;
      }
      const result = takeMessage(parsed, data, position);
      if (result instanceof NatsError) error ??= result;
      else ops.push(result);
      position = afterMessage(parsed, data, position, result);
    }
    return error ? { ops, error } : { ops };
  }
}

/** The message whose payload starts at `start` of `data` (which holds all of it and its CRLF). */
function takeMessage(head: MsgHead, data: Uint8Array, start: number): NatsMsgOp | NatsError {
  const end = start + head.size;
  if (data[end] !== CR || data[end + 1] !== LF) {
    return new NatsError(`payload of ${head.size} bytes for sid ${head.sid} not followed by CRLF`);
  }
  const base = { op: 'MSG' as const, subject: head.subject, sid: head.sid, ...(head.reply ? { reply: head.reply } : {}) };
  if (!head.withHeaders) return { ...base, data: data.slice(start, end) };
  let parsed: { headers: NatsHeaders; status?: number };
  try {
    parsed = parseHeaders(textDecoder.decode(data.subarray(start, start + head.headerSize)));
  } catch (thrown) {
    return thrown instanceof NatsError ? thrown : new NatsError(String(thrown));
  }
  return { ...base, data: data.slice(start + head.headerSize, end), ...parsed };
}

/**
 * Where parsing resumes after a message: past its CRLF, or, when the payload was not followed by
 * one (its size was wrong), past the next CRLF from where the payload should have ended.
 */
function afterMessage(head: MsgHead, data: Uint8Array, start: number, result: NatsMsgOp | NatsError): number {
  const end = start + head.size;
  if (!(result instanceof NatsError) || (data[end] === CR && data[end + 1] === LF)) return end + 2;
  const next = indexOfCrlf(data, end);
  return next < 0 ? data.length : next + 2;
}

function parseControlLine(line: string): NatsServerOp | MsgHead {
  const space = line.search(/[ \t]/);
  const name = (space < 0 ? line : line.slice(0, space)).toUpperCase();
  const rest = space < 0 ? '' : line.slice(space + 1).trim();
  const args = rest === '' ? [] : rest.split(/[ \t]+/);
  switch (name) {
    case 'MSG': {
      if (args.length !== 3 && args.length !== 4) throw malformed(line);
      const size = count(args[args.length - 1], line);
      return head(args, args.length === 4, 0, size, false, line);
    }
    case 'HMSG': {
      if (args.length !== 4 && args.length !== 5) throw malformed(line);
      const headerSize = count(args[args.length - 2], line);
      const size = count(args[args.length - 1], line);
      if (headerSize > size) throw malformed(line);
      return head(args, args.length === 5, headerSize, size, true, line);
    }
    case 'PING':
    case 'PONG':
    case '+OK':
      if (args.length !== 0) throw malformed(line);
      return { op: name };
    case '-ERR':
      return { op: '-ERR', message: rest.replace(/^'(.*)'$/s, '$1') };
    case 'INFO':
      return parseInfo(rest, line);
    default:
      throw malformed(line);
  }
}

function head(
  args: readonly string[],
  hasReply: boolean,
  headerSize: number,
  size: number,
  withHeaders: boolean,
  line: string,
): MsgHead {
  const sid = integer(args[1], line);
  return { subject: args[0], sid, ...(hasReply ? { reply: args[2] } : {}), headerSize, size, withHeaders };
}

function parseInfo(json: string, line: string): NatsServerOp {
  let info: unknown;
  try {
    info = JSON.parse(json);
  } catch (cause) {
    throw new NatsError(`INFO is not JSON: ${shorten(line)}`, { cause });
  }
  if (typeof info !== 'object' || info === null || Array.isArray(info)) throw malformed(line);
  const { max_payload: maxPayload, connect_urls: urls } = info as Record<string, unknown>;
  if (maxPayload !== undefined && (typeof maxPayload !== 'number' || !(maxPayload >= 0))) throw malformed(line);
  if (urls === undefined) return { op: 'INFO', info: info as NatsInfo };
  // A bad entry is server data, not configuration: the INFO stands, the entry is skipped.
  const { valid, malformed: skipped } = splitConnectUrls(urls);
  const kept = { ...(info as NatsInfo), connect_urls: valid };
  return skipped.length === 0 ? { op: 'INFO', info: kept } : { op: 'INFO', info: kept, malformedConnectUrls: skipped };
}

/** `NATS/1.0[ status[ description]]` then `Name: value` lines (the block ends with an empty line). */
function parseHeaders(block: string): { headers: NatsHeaders; status?: number } {
  const lines = block.split('\r\n');
  const first = /^NATS\/1\.0(?:[ \t]+(\d{3}))?/.exec(lines[0] ?? '');
  if (!first) throw new NatsError(`HMSG headers do not start with NATS/1.0: ${shorten(lines[0] ?? '')}`);
  const headers: Record<string, string[]> = {};
  for (const header of lines.slice(1)) {
    if (header === '') continue;
    const colon = header.indexOf(':');
    if (colon <= 0) throw new NatsError(`malformed header line: ${shorten(header)}`);
    const key = header.slice(0, colon).trim();
    (headers[key] ??= []).push(header.slice(colon + 1).trim());
  }
  return first[1] === undefined ? { headers } : { headers, status: Number(first[1]) };
}

/** A byte count argument: a decimal integer up to {@link MAX_INBOUND_PAYLOAD}. */
function count(text: string | undefined, line: string): number {
  const value = integer(text, line);
  if (value > MAX_INBOUND_PAYLOAD) throw malformed(line);
  return value;
}

/** A non-negative decimal integer argument (a sid). */
function integer(text: string | undefined, line: string): number {
  if (text === undefined || !/^\d{1,15}$/.test(text)) throw malformed(line);
  return Number(text);
}

function malformed(line: string): NatsError {
  return new NatsError(`malformed protocol line: ${shorten(line)}`);
}

function shorten(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

function indexOfCrlf(data: Uint8Array, from: number): number {
  let index = data.indexOf(LF, from + 1);
  while (index >= 0) {
    if (data[index - 1] === CR) return index - 1;
    index = data.indexOf(LF, index + 1);
  }
  return -1;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A frame's bytes: text frames are UTF-8 encoded, binary frames viewed in place. */
export function toBytes(frame: unknown): Uint8Array {
  if (typeof frame === 'string') return textEncoder.encode(frame);
  if (frame instanceof Uint8Array) return frame;
  if (ArrayBuffer.isView(frame)) return new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
  if (frame instanceof ArrayBuffer) return new Uint8Array(frame);
  throw new NatsError(`unsupported frame type: ${Object.prototype.toString.call(frame)}`);
}
