/**
 * Raised by the standalone {@link circuitBreaker} operator when a subscription is refused
 * because the breaker is open. `retryIn` says how long until a probe is allowed.
 */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';

  constructor(
    /** Milliseconds until the breaker lets one probe through. */
    readonly retryIn: number,
  ) {
    super(`Circuit open: next probe in ${retryIn} ms`);
  }
}
