import { requireCount, requireDuration, requireKnownKeys, requireObject, withoutUndefined } from '../validate';
import { CIRCUIT_BREAKER_OPTION_KEYS, type CircuitBreakerOptions } from './circuit-breaker-options';
import { DEFAULT_CIRCUIT_BREAKER_OPTIONS } from './defaults';

/** The `circuitBreaker` option with its defaults filled in, or `false` (off, the default). */
export function resolveCircuitBreaker(options: CircuitBreakerOptions | false | undefined): Required<CircuitBreakerOptions> | false {
  if (options === false || options === undefined) return false;
  requireObject('circuitBreaker', options);
  requireKnownKeys('circuitBreaker', options, CIRCUIT_BREAKER_OPTION_KEYS);
  const resolved = { ...DEFAULT_CIRCUIT_BREAKER_OPTIONS, ...withoutUndefined(options) };
  requireCount('circuitBreaker.failureThreshold', resolved.failureThreshold, 1);
  requireDuration('circuitBreaker.resetTimeout', resolved.resetTimeout);
  return resolved;
}
