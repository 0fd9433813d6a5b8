import fc from 'fast-check';
import { DisconnectError } from '../../lib';
import { honourRetryAfter } from '../../lib/connection/retry-plan';
import { retryAfterMs } from '../../lib/transport/retry-after';

const NOW = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');

describe('retryAfterMs(value, now)', () => {
  it.each([
    ['5', 5_000],
    ['0', 0],
    ['120', 120_000],
    [' 7 ', 7_000],
  ])('delay-seconds %p → %p ms (#9)', (value, ms) => {
    expect(retryAfterMs(value, NOW)).toBe(ms);
  });

  it('an HTTP date (IMF-fixdate) is the time left until it, measured from now (#9)', () => {
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:02 GMT', NOW)).toBe(2_000);
    expect(retryAfterMs('Wed, 21 Oct 2015 08:28:00 GMT', NOW)).toBe(3_600_000);
  });

  it('the obsolete RFC 850 date form is read too (#9)', () => {
    expect(retryAfterMs('Wednesday, 21-Oct-15 07:28:05 GMT', NOW)).toBe(5_000);
  });

  it('a date now or in the past is 0, never negative (#9)', () => {
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', NOW)).toBe(0);
    expect(retryAfterMs('Tue, 20 Oct 2015 07:28:00 GMT', NOW)).toBe(0);
  });

  it.each([undefined, '', '   ', 'soon', '5 minutes', '1e3', '0x10'])('%p is neither seconds nor a date → undefined (#9)', (value) => {
    expect(retryAfterMs(value, NOW)).toBeUndefined();
  });

  // Date.parse alone would read these as dates in 2001 (and report 0 ms).
  it.each(['-1', '1.5', '+5'])('malformed %p is undefined, not a date (#9)', (value) => {
    expect(retryAfterMs(value, NOW)).toBeUndefined();
  });

  it('an asctime date has no zone and is read as GMT, whatever the local zone (#9)', () => {
    expect(retryAfterMs('Wed Oct 21 07:28:03 2015', NOW)).toBe(3_000);
  });
});

describe('honourRetryAfter(delay, failure, cap)', () => {
  const refused = (status: number | undefined, retryAfter?: number): DisconnectError =>
    new DisconnectError('error', { status, retryAfter });

  it.each([429, 503])('HTTP %i: waits what the server asked when it is longer than the backoff (#9)', (status) => {
    expect(honourRetryAfter(10, refused(status, 2_000), 30_000)).toBe(2_000);
  });

  it('never longer than the cap (maxDelay) (#9)', () => {
    expect(honourRetryAfter(10, refused(429, 120_000), 3_000)).toBe(3_000);
    expect(honourRetryAfter(10, refused(503, 3_001), 3_000)).toBe(3_000);
  });

  it('never shorter than the backoff (#9)', () => {
    expect(honourRetryAfter(1_500, refused(503, 1_000), 30_000)).toBe(1_500);
    expect(honourRetryAfter(100, refused(429, 0), 30_000)).toBe(100);
  });

  it.each([
    ['another status (500)', refused(500, 5_000)],
    ['a fatal status (401)', refused(401, 5_000)],
    ['no status (a dropped link)', refused(undefined, 5_000)],
    ['429 without Retry-After', refused(429)],
  ])('%s: the backoff as is (#9)', (_what, failure) => {
    expect(honourRetryAfter(10, failure, 30_000)).toBe(10);
  });

  it('property: on 429/503 the wait is the backoff or the capped Retry-After, whichever is longer (#9)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(429, 503),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 600_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        (status, cap, retryAfter, backoff) => {
          const delay = Math.min(backoff, cap); // the backoff never exceeds maxDelay
          const wait = honourRetryAfter(delay, refused(status, retryAfter), cap);
          expect(wait).toBeGreaterThanOrEqual(delay);
          expect(wait).toBeGreaterThanOrEqual(Math.min(retryAfter, cap));
          expect(wait).toBeLessThanOrEqual(cap);
          expect([delay, Math.min(retryAfter, cap)]).toContain(wait);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('property: any other status leaves the backoff untouched (#9)', () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 100, max: 599 }).filter((s) => s !== 429 && s !== 503), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 600_000 }), { nil: undefined }),
        fc.integer({ min: 0, max: 30_000 }),
        (status, retryAfter, delay) => {
          expect(honourRetryAfter(delay, refused(status, retryAfter), 30_000)).toBe(delay);
        },
      ),
      { numRuns: 500 },
    );
  });
});
