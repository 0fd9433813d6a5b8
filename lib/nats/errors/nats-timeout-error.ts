import { NatsError } from './nats-error';

/**
 * A `request()` got no reply within its timeout. The request may still have been handled:
 * a late reply is dropped.
 */
export class NatsTimeoutError extends NatsError {
  override readonly name = 'NatsTimeoutError';

  constructor(
    /** The subject the request was sent to. */
    readonly subject: string,
    /** The timeout that expired, in ms. */
    readonly timeout: number,
  ) {
    super(`request to ${subject} timed out after ${timeout} ms`);
  }
}
