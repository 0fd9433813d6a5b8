import { MAX_TIMER_MS } from '../validate';

/** An HTTP date starts with a day name: IMF-fixdate, RFC 850 or asctime (RFC 9110 §5.6.7). */
const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /i;
/** asctime (`Sun Nov  6 08:49:37 1994`) carries no zone: it is GMT. */
const ASCTIME = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/**
 * The longest `Retry-After` kept, in ms: 2^31 − 1 (about 24.8 days), the longest wait a timer
 * can express. A longer one — `"99999999999"` seconds, a date in the year 9999, or delay-seconds
 * so long they overflow to `Infinity` — is capped to it, not ignored: ignoring it would retry
 * sooner than the server asked, and a value past what any timer (or duration option) accepts
 * would break whoever waits on it. The connection's own policy caps it further (`maxDelay`).
 */
export const MAX_RETRY_AFTER_MS = MAX_TIMER_MS;

/**
 * Ms to wait from an HTTP `Retry-After` header value: delay-seconds (`"5"`) or an HTTP date,
 * measured from `now`. Undefined when the value is neither; never negative, never more than
 * {@link MAX_RETRY_AFTER_MS}. Pure.
 *
 * @example
 * ```ts
 * retryAfterMs('5', 0); // 5000
 * retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:58 GMT')); // 2000
 * retryAfterMs('-1', 0); // undefined
 * ```
 */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return boundedRetryAfter(Number(text) * 1000);
  if (!HTTP_DATE.test(text)) return undefined;
  const date = Date.parse(ASCTIME.test(text) ? `${text} GMT` : text);
  return Number.isNaN(date) ? undefined : boundedRetryAfter(date - now);
}

/**
 * A wait the server asked for, made safe to use: a number of ms in `[0, MAX_RETRY_AFTER_MS]`.
 * Longer (`Infinity` included) is capped; a negative wait is 0 (the time has passed); anything
 * that is not a number, or NaN, means nothing and is undefined (ignored). Pure.
 *
 * @example
 * ```ts
 * boundedRetryAfter(Infinity); // 2147483647
 * boundedRetryAfter(NaN); // undefined
 * ```
 */
export function boundedRetryAfter(ms: unknown): number | undefined {
  if (typeof ms !== 'number' || Number.isNaN(ms)) return undefined;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}
