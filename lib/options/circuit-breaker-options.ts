/** Opt-in circuit breaker: stop hammering a server that keeps refusing. */
export interface CircuitBreakerOptions {
  /**
   * Consecutive failed attempts that open the breaker.
   * @default 5
   */
  failureThreshold?: number;
  /**
   * Ms the breaker stays open before one half-open probe.
   * @default 30000
   */
  resetTimeout?: number;
}
