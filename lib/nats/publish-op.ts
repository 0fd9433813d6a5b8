import { NatsArgumentError } from './errors/nats-argument-error';
import { NatsError } from './errors/nats-error';
import { encodeHeaders, toHeaders } from './headers';
import type { NatsPublishOptions } from './nats-connection';
import type { NatsClientOp, NatsHeaders, NatsInfo } from './ops';

/**
 * The payload limit, in bytes, until a server's `INFO` says its own: nats-server's default
 * `max_payload` (1 MiB). A larger publish made before the first `INFO` would make the server
 * drop the link, and what was queued behind it with it.
 */
export const DEFAULT_MAX_PAYLOAD = 1_048_576;

const textEncoder = new TextEncoder();
const NO_DATA = new Uint8Array(0);

/** A checked publish: the operation to send and the bytes it counts towards `max_payload`. */
export interface PublishOp {
  readonly op: Extract<NatsClientOp, { op: 'PUB' }>;
  readonly size: number;
}

/**
 * Checks the arguments of `publish()` against what the server of the moment accepts (`info`, or
 * the defaults before any `INFO`) and builds the `PUB`/`HPUB`. Throws, building nothing:
 * {@link NatsArgumentError} for an argument of the wrong type, a {@link NatsError} for headers
 * the server does not support or a size over its `max_payload`. Pure.
 *
 * @example
 * ```ts
 * publishOp('a', 'hi', {}, undefined); // { op: { op: 'PUB', subject: 'a', data: …'hi' }, size: 2 }
 * ```
 */
export function publishOp(subject: unknown, data: unknown, options: unknown, info: NatsInfo | undefined): PublishOp {
  if (typeof subject !== 'string') throw new NatsArgumentError('subject', subject, 'a string');
  if (typeof options !== 'object' || options === null) throw new NatsArgumentError('options', options, 'an object or undefined');
  const { reply, headers: init } = options as NatsPublishOptions;
  if (reply !== undefined && typeof reply !== 'string') throw new NatsArgumentError('options.reply', reply, 'a string');
  const bytes = payloadBytes(data);
  const headers = init === undefined ? undefined : toHeaders(init);
  if (headers !== undefined && info !== undefined && !info.headers) {
    throw new NatsError('the server does not support headers (INFO.headers is not true)');
  }
  const size = bytes.length + (headers === undefined ? 0 : headerBytes(headers));
  const limit = info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
  if (size > limit) {
    const whose = info === undefined ? 'the default max_payload (no server INFO yet)' : "the server's max_payload";
    throw new NatsError(`payload of ${size} bytes exceeds ${whose} of ${limit} bytes`);
  }
  return {
    op: { op: 'PUB', subject, ...(reply === undefined ? {} : { reply }), data: bytes, ...(headers === undefined ? {} : { headers }) },
    size,
  };
}

/** Bytes of the header block of an `HPUB` (part of what `max_payload` limits). */
function headerBytes(headers: NatsHeaders): number {
  return textEncoder.encode(encodeHeaders(headers)).length;
}

/** A publish's payload as bytes; throws {@link NatsArgumentError} for anything but a string, bytes or nothing. */
function payloadBytes(data: unknown): Uint8Array {
  if (data === undefined) return NO_DATA;
  if (typeof data === 'string') return textEncoder.encode(data);
  if (data instanceof Uint8Array) return data;
  throw new NatsArgumentError('data', data, 'a string, a Uint8Array or undefined');
}

const textDecoder = new TextDecoder();

/**
 * The size a `PUB`/`HPUB` frame counts towards `max_payload` (the total of an `HPUB`), read from
 * its first line; undefined for any other frame. Only frames longer than `limit` are read: a
 * shorter one cannot carry more. Pure.
 *
 * @example
 * ```ts
 * publishedSize(encodeOp({ op: 'PUB', subject: 'a', data: new Uint8Array(600) }), 500); // 600
 * ```
 */
export function publishedSize(frame: unknown, limit: number): number | undefined {
  if (!(frame instanceof Uint8Array) || frame.length <= limit) return undefined;
  const start = frame[0] === 0x48 ? 1 : 0; // HPUB
  if (frame[start] !== 0x50 || frame[start + 1] !== 0x55 || frame[start + 2] !== 0x42 || frame[start + 3] !== 0x20) return undefined;
  const end = frame.indexOf(0x0d);
  if (end < 0) return undefined;
  const line = textDecoder.decode(frame.subarray(0, end));
  const size = Number(line.slice(line.lastIndexOf(' ') + 1));
  return Number.isSafeInteger(size) ? size : undefined;
}
