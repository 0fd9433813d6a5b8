import type { AckId } from '../acked/acked-send-options';

/**
 * The error of an acked send's Observable when no ack came within `timeout` ms of `send()`.
 * The message is no longer resent; a copy already written may still have reached the server,
 * so resending it by hand, with the same id, lets the server de-duplicate.
 */
export class AckTimeoutError extends Error {
  override readonly name = 'AckTimeoutError';

  constructor(
    /** The id of the message that was not acknowledged. */
    readonly id: AckId,
    /** The timeout that ran out, in ms. */
    readonly timeout: number,
  ) {
    super(`No ack for message ${String(id)} within ${timeout} ms`);
  }
}
