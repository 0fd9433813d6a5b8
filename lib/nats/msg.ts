import type { NatsHeaders, NatsMsgOp } from './ops';

/** Options of {@link NatsMsg.respond}: those of `publish()` but the reply subject. */
export interface NatsRespondOptions {
  /**
   * Headers of the answer (an `HPUB`).
   * @default none
   */
  headers?: Readonly<Record<string, string | readonly string[]>>;
}

/** A message received on a subscription (or a request's reply). */
export interface NatsMsg {
  /** The subject it was published to. */
  readonly subject: string;
  /** The subscription it was delivered to. */
  readonly sid: number;
  /** Where the sender wants an answer, if anywhere. */
  readonly reply?: string;
  /** The payload. */
  readonly data: Uint8Array;
  /** The headers of a message published with headers (an `HMSG`). */
  readonly headers?: NatsHeaders;
  /** The payload as UTF-8 text. */
  string(): string;
  /**
   * Answers the message: publishes `data` to its `reply` subject (through the same connection,
   * buffered while offline like any publish). Returns false, publishing nothing, when the
   * message has no reply subject. Throws what `publish()` throws.
   *
   * @example
   * ```ts
   * nc.subscribe('time').subscribe((m) => m.respond(new Date().toISOString()));
   * ```
   */
  respond(data?: string | Uint8Array, options?: NatsRespondOptions): boolean;
}

/** Publishes an answer: the connection's `publish()` with a fixed subject. */
export type Responder = (subject: string, data: string | Uint8Array | undefined, options: NatsRespondOptions | undefined) => void;

const textDecoder = new TextDecoder('utf-8');

/** The application's view of a `MSG`/`HMSG` operation. */
export function toMsg(op: NatsMsgOp, respond: Responder): NatsMsg {
  return {
    subject: op.subject,
    sid: op.sid,
    ...(op.reply === undefined ? {} : { reply: op.reply }),
    data: op.data,
    ...(op.headers === undefined ? {} : { headers: op.headers }),
    string: () => textDecoder.decode(op.data),
    respond: (data, options) => {
      if (op.reply === undefined) return false;
      respond(op.reply, data, options);
      return true;
    },
  };
}
