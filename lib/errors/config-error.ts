import { DEVELOPMENT } from '../development';

/**
 * Thrown synchronously by {@link connect} and the standalone operators when an option is
 * invalid. `field` names the option (dotted for nested groups, e.g. `retry.jitter`) and
 * `value` is what was given, so the fix is obvious from the message alone.
 *
 * In a production build (`process.env.NODE_ENV === 'production'`, or no `process` at all) the
 * library leaves out what an option accepts (`expected` is then empty) and did-you-mean
 * suggestions, to stay small; the same checks throw the same error, naming the field and
 * the value: `Invalid option retry.jitter: got 2` instead of
 * `Invalid option retry.jitter: expected a number in [0, 1], got 2` (an object or a function is
 * named by its `typeof` alone there: `got object`).
 *
 * Building the message never throws, whatever `value` is (see `describeValue`): a
 * validation error must not be replaced by an error from printing the bad value.
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
    /** What the option accepts; empty when not known (in production builds, see above). */
    readonly expected: string = '',
  ) {
    super(`Invalid option ${field}: ${expected ? `expected ${expected}, ` : ''}got ${DEVELOPMENT ? describeValue(value) : describeBriefly(value)}`);
  }
}

/**
 * The production build's description of a value: a string quoted, any other primitive as
 * `String()` prints it (`2`, `null`, `Symbol(x)`), an object or a function by its `typeof`
 * alone; cut to 80 characters. Nothing of an object is read (no getter, trap or `toString`
 * runs), so it never throws.
 */
function describeBriefly(value: unknown): string {
  if (Object(value) === value) return typeof value;
  return truncate(typeof value === 'string' ? JSON.stringify(value) : String(value));
}

/** Characters of a string (or of any one description) kept in a message. */
const MAX_TEXT = 80;
/** Elements of an array, or keys of an object, shown before `…`. */
const MAX_ITEMS = 5;
/** Nesting shown before `…`. */
const MAX_DEPTH = 2;

/**
 * A short, readable description of any value, for error messages. Pure and total: it never
 * throws and always returns a string, whatever it is given — an object without a prototype,
 * one whose `toString` or `Symbol.toPrimitive` throws, a self-containing array, a symbol, a
 * BigInt, a revoked Proxy or one whose every trap throws. Long text is cut to 80 characters.
 *
 * @example
 * ```ts
 * describeValue('x'.repeat(500)); // "xxxx…x…" (80 characters kept)
 * describeValue(Object.create(null)); // {}
 * ```
 */
export function describeValue(value: unknown): string {
  try {
    return describe(value, 0, []);
  } catch {
    // Only hostile objects get here (a Proxy whose traps throw, a getter that throws).
    return unprintable(value);
  }
}

function describe(value: unknown, depth: number, seen: object[]): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(truncate(value));
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return truncate(`${String(value)}n`);
    case 'symbol':
      // String(symbol) reads the description without calling any user code.
      return truncate(String(value));
    case 'undefined':
    case 'boolean':
      return String(value);
    case 'function':
      return 'a function';
  }
  if (value === null) return 'null';
  const object = value as object;
  if (seen.includes(object)) return '[Circular]';
  if (depth >= MAX_DEPTH) return Array.isArray(object) ? '[…]' : '{…}';
  if (Array.isArray(object)) {
    const shown = object.slice(0, MAX_ITEMS).map((item) => describe(item, depth + 1, [...seen, object]));
    if (object.length > MAX_ITEMS) shown.push('…');
    return truncate(`[${shown.join(', ')}]`);
  }
  const prototype: unknown = Object.getPrototypeOf(object);
  if (prototype === Object.prototype || prototype === null) {
    const keys = Object.keys(object);
    const shown = keys
      .slice(0, MAX_ITEMS)
      .map((key) => `${keyName(key)}: ${describe((object as Record<string, unknown>)[key], depth + 1, [...seen, object])}`);
    if (keys.length > MAX_ITEMS) shown.push('…');
    return truncate(shown.length === 0 ? '{}' : `{ ${shown.join(', ')} }`);
  }
  // Class instances, errors, buffers, Observables…: their kind says enough, and reading
  // more of them could run user code.
  return truncate(Object.prototype.toString.call(object));
}

function keyName(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(truncate(key));
}

function truncate(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT)}…`;
}

function unprintable(value: unknown): string {
  return typeof value === 'function' ? 'a function' : `an unprintable ${typeof value}`;
}

/** True for a {@link ConfigError}, also across bundles where `instanceof` may fail. */
export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof ConfigError || (error as { name?: unknown } | null)?.name === 'ConfigError';
}
