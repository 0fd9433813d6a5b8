import { duration, positiveCount } from '../validate';
import type { CircuitBreakerOptions } from './circuit-breaker-options';
import { DEFAULT_CIRCUIT_BREAKER_OPTIONS } from './defaults';
import { resolveBySchema, type OptionsSchema } from './schema';

/** Every key of {@link CircuitBreakerOptions} and its rule. */
const CIRCUIT_BREAKER_SCHEMA = { failureThreshold: positiveCount, resetTimeout: duration } satisfies OptionsSchema<CircuitBreakerOptions>;

/** The `circuitBreaker` option with its defaults filled in, or `false` (off, the default). */
export function resolveCircuitBreaker(options: unknown, field: string): Required<CircuitBreakerOptions> | false {
  if (options === false || options === undefined) return false;
  return resolveBySchema(field, options, CIRCUIT_BREAKER_SCHEMA, DEFAULT_CIRCUIT_BREAKER_OPTIONS);
}
