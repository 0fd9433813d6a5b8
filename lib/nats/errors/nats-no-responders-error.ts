import { NatsError } from './nats-error';

/**
 * A `request()` went to a subject nobody subscribes to: the server answered at once with a
 * `503` status (servers with headers support, which the client asks for in `CONNECT`).
 */
export class NatsNoRespondersError extends NatsError {
  override readonly name = 'NatsNoRespondersError';

  constructor(
    /** The subject the request was sent to. */
    readonly subject: string,
  ) {
    super(`no responders for ${subject}`);
  }
}
