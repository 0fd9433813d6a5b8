import type { SchedulerLike } from 'rxjs';
import { ConfigError } from './errors/config-error';

/** A duration in ms: a finite number >= 0. */
export function requireDuration(field: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    throw new ConfigError(field, value, 'a finite number of milliseconds >= 0');
  }
}

/** A duration in ms that may be `Infinity` (no limit). */
export function requireLimit(field: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !(value >= 0) || Number.isNaN(value)) {
    throw new ConfigError(field, value, 'a number >= 0 (Infinity for no limit)');
  }
}

/** A count: a whole number >= `min`, or `Infinity`. */
export function requireCount(field: string, value: unknown, min = 0): asserts value is number {
  if (typeof value !== 'number' || !(value >= min) || (Number.isFinite(value) && !Number.isInteger(value))) {
    throw new ConfigError(field, value, `a whole number >= ${min} (or Infinity)`);
  }
}

/** A function, when given. */
export function requireOptionalFunction(field: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new ConfigError(field, value, 'a function');
  }
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
    throw new ConfigError(field, value, 'an options object');
  }
}

/** A SchedulerLike (something with `schedule()` and `now()`). */
export function requireScheduler(field: string, value: unknown): asserts value is SchedulerLike {
  const candidate = value as Partial<SchedulerLike> | null;
  if (typeof candidate?.schedule !== 'function' || typeof candidate?.now !== 'function') {
    throw new ConfigError(field, value, 'a SchedulerLike');
  }
}

/** The longest close reason a WebSocket close frame can carry, in UTF-8 bytes. */
export const MAX_CLOSE_REASON_BYTES = 123;

/** A close reason: a string of at most 123 UTF-8 bytes, or undefined. */
export function requireCloseReason(reason: unknown): asserts reason is string | undefined {
  if (reason === undefined) return;
  if (typeof reason !== 'string') throw new ConfigError('close(reason)', reason, 'a string');
  const bytes = new TextEncoder().encode(reason).length;
  if (bytes > MAX_CLOSE_REASON_BYTES) {
    throw new ConfigError('close(reason)', reason, `at most ${MAX_CLOSE_REASON_BYTES} UTF-8 bytes (got ${bytes})`);
  }
}
