/** An HTTP date starts with a day name: IMF-fixdate, RFC 850 or asctime (RFC 9110 §5.6.7). */
const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /i;
/** asctime (`Sun Nov  6 08:49:37 1994`) carries no zone: it is GMT. */
const ASCTIME = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/**
 * Ms to wait from an HTTP `Retry-After` header value: delay-seconds (`"5"`) or an HTTP date,
 * measured from `now`. Undefined when the value is neither; never negative. Pure.
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
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!HTTP_DATE.test(text)) return undefined;
  const date = Date.parse(ASCTIME.test(text) ? `${text} GMT` : text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
