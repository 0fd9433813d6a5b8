import type { Codec } from '../index';
import type { NatsError } from './errors/nats-error';
import { encodeOp } from './encoder';
import type { NatsClientOp, NatsServerOp } from './ops';
import { NatsParser } from './parser';

/**
 * The NATS protocol as a core codec: `encode` writes one client operation per frame, and every
 * link gets a fresh streaming `NatsParser`. A frame with malformed input yields the
 * operations it does hold, then throws the parse error (the core reports it as
 * `InvalidMessage` and the link goes on; the parser has already skipped the bad line).
 */
export const natsCodec: Codec<NatsServerOp, NatsClientOp> = {
  encode: encodeOp,
  decoder() {
    const parser = new NatsParser();
    return (frame) => {
      const { ops, error } = parser.parse(frame);
      return error ? thenThrow(ops, error) : ops;
    };
  },
};

function* thenThrow(ops: readonly NatsServerOp[], error: NatsError): Generator<NatsServerOp> {
  yield* ops;
  throw error;
}
