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

/**
 * Throws the {@link ConfigError} naming `field` and `value`. `expected` says what the option
 * accepts; callers pass `DEVELOPMENT ? '…' : ''`, so production builds carry no such text.
 */
export function invalid(field: string, value: unknown, expected: string): never {
  throw new ConfigError(field, value, expected);
}

/**
 * How one option is resolved: given its value (with any default filled in), its dotted name
 * and the options object it was read from, returns the value to use, or throws
 * {@link ConfigError} naming the field. A check returns the value as it is; a nested group
 * (`retry`, `heartbeat`…) returns its resolved form.
 *
 * Options are checked by data, not by code written per option: each group is a schema of rules
 * (lib/options/schema.ts), and the rules below are shared by every group. Option resolution runs
 * once per `connect()`, so this trades nothing that matters for a smaller bundle.
 */
export type Rule<T = unknown> = (value: unknown, field: string, options: object) => T;

/** What a rule accepts, for development messages: a text, or one chosen by the value refused. */
export type Expected = string | ((value: unknown) => string);

/**
 * The rule that accepts what `test` accepts, unchanged. `expected` is development-only text:
 * pass `DEVELOPMENT ? '…' : ''`.
 */
export function rule<T = unknown>(test: (value: unknown) => boolean, expected: Expected): Rule<T> {
  return (value, field) =>
    test(value) ? (value as T) : invalid(field, value, DEVELOPMENT ? (typeof expected === 'string' ? expected : expected(value)) : '');
}

/**
 * `check`, with `fallback` in place of `null` as well as `undefined`: the options that have always
 * taken `null` for "the default" (`connectTimeout`, `scheduler`, `handshake.timeout`,
 * `lazy.idleAfter`) keep doing so. Elsewhere only `undefined` is left out, and `null` is refused.
 */
export function withDefault<T>(check: Rule<T>, fallback: T): Rule<T> {
  return (value, field, options) => check(value ?? fallback, field, options);
}

/** Any value, `undefined` included (a message, a key checked elsewhere). */
export const anything: Rule = (value) => value;

/**
 * True for a number in `[min, max]` that is, when `whole`, a whole number (`Infinity` counts as
 * one). NaN is in no range. Only a number is ever compared, so no user `valueOf` runs.
 */
export function isNumberIn(value: unknown, min: number, max: number, whole = false): value is number {
  return typeof value === 'number' && value >= min && value <= max && (!whole || Math.floor(value) === value);
}

/** `test`, or `undefined` (an option that may be left out and has no default). */
export function optional(test: (value: unknown) => boolean): (value: unknown) => boolean {
  return (value) => value === undefined || test(value);
}

/** A duration in ms: a finite number >= 0 and at most {@link MAX_TIMER_MS}. */
export function isDuration(value: unknown): value is number {
  return isNumberIn(value, 0, MAX_TIMER_MS);
}

/** The development text of a duration refused: too long for a timer, or no duration at all. */
function durationExpected(value: unknown): string {
  return Number.isFinite(value) && (value as number) > MAX_TIMER_MS
    ? `at most ${MAX_TIMER_MS} ms (longer timers fire after 1 ms)`
    : 'a finite number of milliseconds >= 0';
}

// The shared rules. `@__PURE__` lets a bundler drop the ones an app does not use (an app that
// imports only `backoff()` needs few of them).

/** A duration (see {@link isDuration}). */
export const duration: Rule<number> = /* @__PURE__ */ rule(isDuration, DEVELOPMENT ? durationExpected : '');

/** A duration that must be greater than 0 (a timeout or interval of 0 makes no sense). */
export const positiveDuration: Rule<number> = /* @__PURE__ */ rule(
  (value) => value !== 0 && isDuration(value),
  DEVELOPMENT ? (value) => (value === 0 ? 'a number of milliseconds > 0' : durationExpected(value)) : '',
);

/**
 * A time limit in ms: a duration, or `Infinity` for no limit. A finite limit is bounded like a
 * timer, since reaching it is what a timer waits for.
 */
export const timeLimit: Rule<number> = /* @__PURE__ */ rule(
  (value) => value === Infinity || isDuration(value),
  DEVELOPMENT
    ? (value) =>
        Number.isFinite(value) && (value as number) > MAX_TIMER_MS
          ? `at most ${MAX_TIMER_MS} ms, or Infinity for no limit`
          : 'a number >= 0 (Infinity for no limit)'
    : '',
);

/** A size limit (bytes, messages) that may be `Infinity`: not a duration, so not bounded by timers. */
export const limit: Rule<number> = /* @__PURE__ */ rule(
  (value) => isNumberIn(value, 0, Infinity),
  DEVELOPMENT ? 'a number >= 0 (Infinity for no limit)' : '',
);

/** A count: a whole number >= 0, or `Infinity`. */
export const count: Rule<number> = /* @__PURE__ */ rule(
  (value) => isNumberIn(value, 0, Infinity, true),
  DEVELOPMENT ? 'a whole number >= 0 (or Infinity)' : '',
);

/** A count of at least one: a whole number >= 1, or `Infinity`. */
export const positiveCount: Rule<number> = /* @__PURE__ */ rule(
  (value) => isNumberIn(value, 1, Infinity, true),
  DEVELOPMENT ? 'a whole number >= 1 (or Infinity)' : '',
);

/** A function, when given. */
export const optionalFunction: Rule = /* @__PURE__ */ rule(
  (value) => value === undefined || typeof value === 'function',
  DEVELOPMENT ? 'a function' : '',
);

/** A boolean, when given. */
export const optionalBoolean: Rule = /* @__PURE__ */ rule(
  (value) => value === undefined || typeof value === 'boolean',
  DEVELOPMENT ? 'a boolean' : '',
);

/** A SchedulerLike (something with `schedule()` and `now()`). */
export const schedulerLike: Rule<SchedulerLike> = /* @__PURE__ */ rule(
  (value) =>
    typeof (value as Partial<SchedulerLike> | null)?.schedule === 'function' && typeof (value as SchedulerLike).now === 'function',
  DEVELOPMENT ? 'a SchedulerLike' : '',
);

// The checks as statements, for code that checks one value at a time.

/** A duration in ms (see {@link isDuration}). */
export function requireDuration(field: string, value: unknown): asserts value is number {
  duration(value, field, {});
}

/** A size limit that may be `Infinity`. */
export function requireLimit(field: string, value: unknown): asserts value is number {
  limit(value, field, {});
}

/** A count: a whole number >= `min`, or `Infinity`. */
export function requireCount(field: string, value: unknown, min = 0): asserts value is number {
  if (!isNumberIn(value, min, Infinity, true)) invalid(field, value, DEVELOPMENT ? `a whole number >= ${min} (or Infinity)` : '');
}

/** A SchedulerLike (something with `schedule()` and `now()`). */
export function requireScheduler(field: string, value: unknown): asserts value is SchedulerLike {
  schedulerLike(value, field, {});
}

/** True for a plain options object: an object, not null, not an array. */
export function isOptionsObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A plain options object (or undefined). */
export function requireObject(field: string, value: unknown): void {
  if (value !== undefined && !isOptionsObject(value)) invalid(field, value, DEVELOPMENT ? 'an options object' : '');
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
    if (!known.includes(key)) {
      invalid(fieldName(field, key), (value as Record<string, unknown>)[key], DEVELOPMENT ? noSuchOption(key, known) : '');
    }
  }
}

/** The dotted name of `key` in the group `field` (just `key` at the top level, where `field` is ''). */
export function fieldName(field: string, key: string): string {
  return field === '' ? key : `${field}.${key}`;
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
  if (reason !== undefined && (typeof reason !== 'string' || !fitsCloseFrame(reason))) {
    invalid('close(reason)', reason, DEVELOPMENT ? `a string of at most ${MAX_CLOSE_REASON_BYTES} UTF-8 bytes` : '');
  }
}

function fitsCloseFrame(text: string): boolean {
  // A UTF-16 unit takes at least one UTF-8 byte, so a longer text is never encoded; a lone
  // surrogate is encoded as U+FFFD (3 bytes), as the transport does.
  return text.length <= MAX_CLOSE_REASON_BYTES && new TextEncoder().encode(text).length <= MAX_CLOSE_REASON_BYTES;
}
