import type { NatsHeaders, NatsMsgOp } from './ops';

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
}

const textDecoder = new TextDecoder('utf-8');

/** The application's view of a `MSG`/`HMSG` operation. */
export function toMsg(op: NatsMsgOp): NatsMsg {
  return {
    subject: op.subject,
    sid: op.sid,
    ...(op.reply === undefined ? {} : { reply: op.reply }),
    data: op.data,
    ...(op.headers === undefined ? {} : { headers: op.headers }),
    string: () => textDecoder.decode(op.data),
  };
}
