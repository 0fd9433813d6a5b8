import { NatsError } from './nats-error';

/**
 * A `flush()` got no `PONG` within its deadline: the server did not confirm, in time, that it
 * processed what was published before the flush (it may be stalled, or the link half dead while
 * WebSocket pings still pass). The publishes themselves are not withdrawn.
 */
export class NatsFlushTimeoutError extends NatsError {
  override readonly name = 'NatsFlushTimeoutError';

  constructor(
    /** The deadline that expired, in ms. */
    readonly timeout: number,
  ) {
    super(`flush not confirmed by the server within ${timeout} ms`);
  }
}
