/**
 * Thrown synchronously by {@link connect} and the standalone operators when an option is
 * invalid. `field` names the option (dotted for nested groups, e.g. `retry.jitter`) and
 * `value` is what was given, so the fix is obvious from the message alone.
 *
 * @example
 * ```ts
 * try { connect({ url: 'http://x' }); } catch (e) { if (e instanceof ConfigError) console.log(e.field); }
 * ```
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    /** The option that was wrong, e.g. `'retry.multiplier'`. */
    readonly field: string,
    /** The value that was given. */
    readonly value: unknown,
    /** What the option accepts. */
    readonly expected: string,
  ) {
    super(`Invalid option ${field}: expected ${expected}, got ${describe(value)}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  return String(value);
}

/** True for a {@link ConfigError}, also across bundles where `instanceof` may fail. */
export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof ConfigError || (error as { name?: unknown } | null)?.name === 'ConfigError';
}
