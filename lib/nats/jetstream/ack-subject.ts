/** Where a JetStream message sits: read from its `$JS.ACK…` reply subject. */
export interface JsMsgInfo {
  /** The stream it is stored in. */
  readonly stream: string;
  /** The consumer that delivered it. */
  readonly consumer: string;
  /** How many times the consumer has delivered it (1 the first time). */
  readonly deliveryCount: number;
  /** Its sequence in the stream. */
  readonly streamSequence: number;
  /** The consumer's delivery sequence (1, 2, 3… for each consumer; a gap means a message was missed). */
  readonly consumerSequence: number;
  /** When the stream stored it, ns since the epoch (as a number: precise to about 0.25 µs). */
  readonly timestampNanos: number;
  /** Messages of the consumer still to deliver after this one. */
  readonly pending: number;
  /** The JetStream domain, if any. */
  readonly domain?: string;
}

/**
 * Reads a JetStream message's reply subject: the v1 form
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>` or the v2 form
 * `$JS.ACK.<domain>.<account>.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>[.<token>]`.
 * Undefined for anything else. Pure.
 *
 * @example
 * ```ts
 * parseAckSubject('$JS.ACK.ORDERS.c1.1.42.7.1700000000000000000.3')?.streamSequence; // 42
 * ```
 */
export function parseAckSubject(subject: string | undefined): JsMsgInfo | undefined {
  if (subject === undefined || !subject.startsWith('$JS.ACK.')) return undefined;
  const tokens = subject.split('.');
  let domain: string | undefined;
  let at: number;
  if (tokens.length === 9) at = 2;
  else if (tokens.length === 11 || tokens.length === 12) {
    domain = tokens[2] === '_' ? undefined : tokens[2];
    at = 4;
  } else return undefined;
  const [stream, consumer] = [tokens[at], tokens[at + 1]];
  const numbers = tokens.slice(at + 2, at + 7).map(Number);
  if (!stream || !consumer || numbers.length !== 5) return undefined;
  // Delivery count and both sequences start at 1; the timestamp (above 2^53) and pending are only read.
  const valid = numbers.every((n, i) => (i === 3 ? Number.isFinite(n) && n >= 0 : Number.isSafeInteger(n) && n >= (i === 4 ? 0 : 1)));
  if (!valid) return undefined;
  const [deliveryCount, streamSequence, consumerSequence, timestampNanos, pending] = numbers;
  return {
    stream,
    consumer,
    deliveryCount,
    streamSequence,
    consumerSequence,
    timestampNanos,
    pending,
    ...(domain === undefined ? {} : { domain }),
  };
}
