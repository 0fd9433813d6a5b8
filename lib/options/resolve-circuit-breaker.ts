import { requireCount, requireDuration, resolveBySchema, type OptionsSchema } from '../validate';
import type { CircuitBreakerOptions } from './circuit-breaker-options';
import { DEFAULT_CIRCUIT_BREAKER_OPTIONS } from './defaults';

/** Every key of {@link CircuitBreakerOptions} and its check (the compiler holds it to the interface). */
const CIRCUIT_BREAKER_SCHEMA: OptionsSchema<CircuitBreakerOptions> = {
  failureThreshold: (field, value) => requireCount(field, value, 1),
  resetTimeout: requireDuration,
};

/** The `circuitBreaker` option with its defaults filled in, or `false` (off, the default). */
export function resolveCircuitBreaker(options: CircuitBreakerOptions | false | undefined): Required<CircuitBreakerOptions> | false {
  if (options === false || options === undefined) return false;
  return resolveBySchema('circuitBreaker', options, CIRCUIT_BREAKER_SCHEMA, DEFAULT_CIRCUIT_BREAKER_OPTIONS);
}
