/**
 * Ms to wait from an HTTP `Retry-After` header value: delay-seconds (`"5"`) or an HTTP date,
 * measured from `now`. Undefined when the value is neither; never negative. Pure.
 *
 * @example
 * ```ts
 * retryAfterMs('5', 0); // 5000
 * retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:58 GMT')); // 2000
 * ```
 */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
