import type { SchedulerLike } from 'rxjs';
import { DEVELOPMENT } from './development';
import { ConfigError } from './errors/config-error';

/**
 * The longest duration, in ms, that any option accepts: 2^31 − 1, about 24.8 days.
 *
 * Timers (`setTimeout`, and so RxJS's `asyncScheduler`) store the delay as a signed 32-bit
 * integer: a longer delay is not an error there but is silently set to 1 ms, so a
 * `retry.maxDelay` of 2^31 would retry about 500 times a second. Every option that ends up
 * as a timer is therefore checked against this bound.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** An RFC 7230 token (tchar: visible ASCII but separators): a header name, a WebSocket subprotocol (RFC 6455 §4.1). */
export const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A duration in ms: a finite number >= 0 and at most {@link MAX_TIMER_MS}. */
export function requireDuration(field: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    throw new ConfigError(field, value, DEVELOPMENT ? 'a finite number of milliseconds >= 0' : '');
  }
  if (value > MAX_TIMER_MS) {
    throw new ConfigError(field, value, DEVELOPMENT ? `at most ${MAX_TIMER_MS} ms (longer timers fire after 1 ms)` : '');
  }
}

/** A duration in ms that must be greater than 0 (a timeout or interval of 0 makes no sense). */
export function requirePositiveDuration(field: string, value: unknown): asserts value is number {
  requireDuration(field, value);
  if (value === 0) throw new ConfigError(field, value, DEVELOPMENT ? 'a number of milliseconds > 0' : '');
}

/**
 * A time limit in ms: a duration (see {@link requireDuration}), or `Infinity` for no limit.
 * A finite limit is bounded like a timer, since reaching it is what a timer waits for.
 */
export function requireTimeLimit(field: string, value: unknown): asserts value is number {
  if (value === Infinity) return;
  if (typeof value !== 'number' || !(value >= 0) || Number.isNaN(value)) {
    throw new ConfigError(field, value, DEVELOPMENT ? 'a number >= 0 (Infinity for no limit)' : '');
  }
  if (value > MAX_TIMER_MS) {
    throw new ConfigError(field, value, DEVELOPMENT ? `at most ${MAX_TIMER_MS} ms, or Infinity for no limit` : '');
  }
}

/** A size limit (bytes, messages) that may be `Infinity`: not a duration, so not bounded by timers. */
export function requireLimit(field: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !(value >= 0) || Number.isNaN(value)) {
    throw new ConfigError(field, value, DEVELOPMENT ? 'a number >= 0 (Infinity for no limit)' : '');
  }
}

/** A count: a whole number >= `min`, or `Infinity`. */
export function requireCount(field: string, value: unknown, min = 0): asserts value is number {
  if (typeof value !== 'number' || !(value >= min) || (Number.isFinite(value) && !Number.isInteger(value))) {
    throw new ConfigError(field, value, DEVELOPMENT ? `a whole number >= ${min} (or Infinity)` : '');
  }
}

/** A function, when given. */
export function requireOptionalFunction(field: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new ConfigError(field, value, DEVELOPMENT ? 'a function' : '');
  }
}

/** A boolean, when given. */
export function requireOptionalBoolean(field: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') throw new ConfigError(field, value, DEVELOPMENT ? 'a boolean' : '');
}

/** How one field of an options object is checked: throws {@link ConfigError} naming `field`. */
export type FieldCheck = (field: string, value: unknown) => void;

/**
 * An options group's schema: every key it accepts, each with its check (none for a value of any
 * kind), in the order the checks run.
 */
export type OptionsSchema<T> = { readonly [K in keyof Required<T>]: FieldCheck | undefined };

/**
 * Resolves an options group (`buffer`, `heartbeat`, …) against its schema: a plain object with
 * no key the schema lacks, then, with `defaults` filled in for absent and `undefined` fields,
 * every field's check in the schema's order (`field.key` named). Returns the filled-in copy.
 */
export function resolveBySchema<T extends object, D extends Partial<T>>(
  field: string,
  options: T,
  schema: OptionsSchema<T>,
  defaults: D,
): D & Partial<T> {
  requireObject(field, options);
  const keys = Object.keys(schema) as (keyof T & string)[];
  requireKnownKeys(field, options, keys);
  const resolved = { ...defaults, ...withoutUndefined(options) };
  for (const key of keys) schema[key]?.(`${field}.${key}`, resolved[key]);
  return resolved;
}

/** Copies an options object without its `undefined` fields, so they do not erase defaults. */
export function withoutUndefined<T extends object>(options: T): Partial<T> {
  const copy: Partial<T> = {};
  for (const key of Object.keys(options) as (keyof T)[]) {
    if (options[key] !== undefined) copy[key] = options[key];
  }
  return copy;
}

/** A plain options object (or undefined). */
export function requireObject(field: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw new ConfigError(field, value, DEVELOPMENT ? 'an options object' : '');
  }
}

/** A SchedulerLike (something with `schedule()` and `now()`). */
export function requireScheduler(field: string, value: unknown): asserts value is SchedulerLike {
  const candidate = value as Partial<SchedulerLike> | null;
  if (typeof candidate?.schedule !== 'function' || typeof candidate?.now !== 'function') {
    throw new ConfigError(field, value, DEVELOPMENT ? 'a SchedulerLike' : '');
  }
}

/**
 * Every own key of `value` is one of `known`, or throws {@link ConfigError} naming the first
 * unknown one (`field.key`, or just `key` when `field` is empty), suggesting the closest
 * known key when one is near (a typo such as `retyr` or `jiter`; development builds only). A misspelled option must
 * not be silently ignored: the default it leaves in place is rarely what was meant.
 *
 * @example
 * ```ts
 * requireKnownKeys('retry', { jiter: 0 }, ['initialDelay', 'jitter']);
 * // ConfigError: Invalid option retry.jiter: expected no such option (did you mean `jitter`?), got 0
 * ```
 */
export function requireKnownKeys(field: string, value: object, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const name = field === '' ? key : `${field}.${key}`;
    throw new ConfigError(name, (value as Record<string, unknown>)[key], DEVELOPMENT ? noSuchOption(key, known) : '');
  }
}

/** What to say of an unknown key: the known key it was probably meant to be, or every known key. */
function noSuchOption(key: string, known: readonly string[]): string {
  const closest = closestKey(key, known);
  return closest ? `no such option (did you mean \`${closest}\`?)` : `no such option (known: ${known.join(', ')})`;
}

/** The known key nearest to `key` (edit distance, transpositions counting 1), if near enough. */
function closestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.min(3, Math.floor(key.length / 3)));
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= bestDistance && (best === undefined || distance < bestDistance)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0]!.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]!.push(d);
    }
  }
  return rows[a.length]![b.length]!;
}

/** Bytes at most in a close frame's reason (RFC 6455: 125 bytes of payload, 2 for the code). */
export const MAX_CLOSE_REASON_BYTES = 123;

/**
 * The `reason` of `close(code, reason)`: undefined, or a string of at most 123 UTF-8 bytes
 * (bytes, not characters: 62 × `é` is 124 bytes). Checked before `close()` does anything,
 * since the transport would throw only after the socket has started closing.
 */
export function requireCloseReason(reason: unknown): asserts reason is string | undefined {
  if (reason === undefined) return;
  if (typeof reason !== 'string' || !fitsCloseFrame(reason)) {
    throw new ConfigError('close(reason)', reason, DEVELOPMENT ? `a string of at most ${MAX_CLOSE_REASON_BYTES} UTF-8 bytes` : '');
  }
}

let encoder: TextEncoder | undefined;
function fitsCloseFrame(text: string): boolean {
  // Each UTF-16 unit takes 1 to 3 UTF-8 bytes (a lone surrogate is encoded as U+FFFD).
  if (text.length * 3 <= MAX_CLOSE_REASON_BYTES) return true;
  if (text.length > MAX_CLOSE_REASON_BYTES) return false;
  return (encoder ??= new TextEncoder()).encode(text).length <= MAX_CLOSE_REASON_BYTES;
}
