import type { AckId } from '../acked/acked-send-options';

/**
 * Thrown by an acked send for a message whose id is still waiting for its ack: two pending
 * messages with one id could not be told apart by their acks. Nothing is sent.
 */
export class AckIdInUseError extends Error {
  override readonly name = 'AckIdInUseError';

  constructor(
    /** The id already in use. */
    readonly id: AckId,
  ) {
    super(`A message with id ${String(id)} is still waiting for its ack`);
  }
}
