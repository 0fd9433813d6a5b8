/** What identifies an acked message: the same on every resend, so the server can de-duplicate. */
export type AckId = string | number;

/**
 * Options of {@link ackedSender}: how a message carries its id, how an inbound message names
 * the message it acknowledges, and how long and how many messages are kept waiting.
 */
export interface AckedSendOptions<In, Out> {
  /**
   * The id `message` carries (read once, when `send()` accepts it). Pending messages have
   * different ids: `send()` throws {@link AckIdInUseError} for an id still waiting for its ack.
   */
  id: (message: Out) => AckId;
  /**
   * The id of the message that `message` (any inbound message) acknowledges, or `undefined`
   * for a message that is no ack. A positive and a negative ack are both acks: they end the
   * resending, and the `Observable` returned by `send()` emits the ack message for the caller
   * to tell them apart. A throw is reported as `InvalidMessage` and the message is no ack.
   */
  ackOf: (message: In) => AckId | undefined;
  /**
   * Milliseconds from `send()` to {@link AckTimeoutError}: the message is then no longer
   * resent (a copy already written may still reach the server).
   * @default 30000
   */
  timeout?: number;
  /**
   * Messages waiting for their ack at most (written, or buffered while offline).
   * @default 1000
   */
  maxMessages?: number;
  /**
   * Bytes waiting for their ack at most (UTF-8 length of text frames).
   * @default 8388608 (8 MiB)
   */
  maxBytes?: number;
  /**
   * The form a message takes when it is written again on a new link, for protocols that mark
   * redeliveries (MQTT's DUP flag). It must keep the id. A throw, or a result the serializer
   * cannot encode, ends that message with the error (it is not resent).
   * @default the message as first sent
   */
  redeliver?: (message: Out) => Out;
}

/** The defaults of {@link AckedSendOptions}. */
export const DEFAULT_ACKED_SEND_OPTIONS = Object.freeze({
  timeout: 30_000,
  maxMessages: 1000,
  maxBytes: 8 * 1024 * 1024,
});
