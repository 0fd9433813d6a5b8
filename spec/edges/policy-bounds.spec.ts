import fc from 'fast-check';
import http from 'node:http';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import { backoff, ConfigError, connect, DisconnectError } from '../../lib';
import { boundedRetryAfter, MAX_RETRY_AFTER_MS, retryAfterMs } from '../../lib/transport/retry-after';
import { EventLog, Resources } from '../support/until';

/**
 * Issue #16, item 2 (policies): a server's `Retry-After` and the backoff's inputs are bounded.
 * A `Retry-After` longer than a timer can wait (2^31 − 1 ms), `Infinity` included, is capped
 * to that, not ignored (ignoring it would retry sooner than the server asked); NaN is ignored.
 * `backoff()` rejects retry numbers that are not whole numbers >= 1 with a ConfigError naming
 * `attempt`, and its delay is always finite, in [0, maxDelay].
 */

const NOW = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');

describe('Retry-After is bounded (#16 item 2)', () => {
  it('MAX_RETRY_AFTER_MS is the longest timer delay, 2^31 − 1 ms', () => {
    expect(MAX_RETRY_AFTER_MS).toBe(2 ** 31 - 1);
  });

  it.each([
    ['delay-seconds past a timer’s range', '99999999999'],
    ['delay-seconds that overflow to Infinity', '9'.repeat(400)],
    ['a date in the year 9999', 'Fri, 31 Dec 9999 23:59:59 GMT'],
  ])('%s → capped at MAX_RETRY_AFTER_MS, never Infinity', (_what, value) => {
    expect(retryAfterMs(value, NOW)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('values within range are kept as they are', () => {
    expect(retryAfterMs('86400', NOW)).toBe(86_400_000);
    expect(retryAfterMs(String((2 ** 31 - 1 - 647) / 1000), NOW)).toBe(2 ** 31 - 1 - 647);
  });

  it.each([
    [Infinity, MAX_RETRY_AFTER_MS],
    [1e300, MAX_RETRY_AFTER_MS],
    [-5, 0],
    [-Infinity, 0],
    [1_500, 1_500],
    [NaN, undefined],
    ['5', undefined],
    [undefined, undefined],
  ])('boundedRetryAfter(%p) → %p', (value, expected) => {
    expect(boundedRetryAfter(value)).toBe(expected);
  });

  it('DisconnectError stores retryAfter bounded, whoever builds it', () => {
    expect(new DisconnectError('error', { retryAfter: Infinity }).retryAfter).toBe(MAX_RETRY_AFTER_MS);
    expect(new DisconnectError('error', { retryAfter: NaN }).retryAfter).toBeUndefined();
    expect(new DisconnectError('error', { retryAfter: -1 }).retryAfter).toBe(0);
    expect(new DisconnectError('error', { retryAfter: 2_000 }).retryAfter).toBe(2_000);
    expect(new DisconnectError('error', {}).retryAfter).toBeUndefined();
  });

  it('property: any Retry-After header gives undefined or a finite number of ms in [0, 2^31 − 1]', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^\d{1,400}$/), fc.date().map((d) => d.toUTCString())), (value) => {
        const ms = retryAfterMs(value, NOW);
        if (ms === undefined) return;
        expect(Number.isFinite(ms)).toBe(true);
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(ms).toBeLessThanOrEqual(MAX_RETRY_AFTER_MS);
      }),
    );
  });

  describe('a real refusal with an absurd Retry-After (server on 127.0.0.1)', () => {
    const res = new Resources();
    afterEach(() => res.release());

    it('a user delay that honours error.retryAfter waits the capped time, not Infinity (a timer would fire after 1 ms)', async () => {
      const upgrades: number[] = [];
      const sockets = new Set<net.Socket>();
      const server = http.createServer((_request, response) => response.writeHead(426).end());
      server.on('connection', (socket: net.Socket) => {
        sockets.add(socket);
        socket.on('error', () => undefined);
        socket.once('close', () => sockets.delete(socket));
      });
      server.on('upgrade', (_request: http.IncomingMessage, socket: net.Socket) => {
        upgrades.push(Date.now());
        socket.end(`HTTP/1.1 429 Slow Down\r\nConnection: close\r\nContent-Length: 0\r\nRetry-After: ${'9'.repeat(400)}\r\n\r\n`);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      res.server({
        close: () => {
          for (const socket of sockets) socket.destroy();
          return new Promise<void>((resolve) => server.close(() => resolve()));
        },
      });
      const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const conn = res.conn(
        connect({ url, retry: { delay: (_attempt, error) => (error as DisconnectError).retryAfter ?? 10 } }),
      );
      const log = new EventLog(conn);
      res.add(() => log.stop());

      const scheduled = await log.waitFor('Reconnecting');
      conn.close();
      await log.waitFor('Closed');

      expect(scheduled.error).toMatchObject({ status: 429, retryAfter: MAX_RETRY_AFTER_MS });
      expect(scheduled.delay).toBe(MAX_RETRY_AFTER_MS);
      expect(upgrades).toHaveLength(1);
    });
  });
});

describe('backoff() validates and caps its attempt (#16 item 2)', () => {
  /** The ConfigError `fn` throws (fails the test when it throws none). */
  function configErrorOf(fn: () => unknown): ConfigError {
    try {
      fn();
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('expected a ConfigError');
  }

  it.each([0, -1, 1.5, NaN, -Infinity, '2' as unknown as number])('attempt %p is no retry number: ConfigError naming attempt', (attempt) => {
    const error = configErrorOf(() => backoff()(attempt));
    expect(error.field).toBe('attempt');
    expect(error.message).toContain('attempt');
  });

  it('attempt Infinity is the cap (maxDelay), also for a constant policy (1^∞ is NaN)', () => {
    expect(backoff({ jitter: 0 })(Infinity)).toBe(30_000);
    expect(backoff({ jitter: 0, multiplier: 1, initialDelay: 250 })(Infinity)).toBe(250);
  });

  it('a random() giving NaN, undefined or a string never makes the delay NaN: no jitter, the full delay', () => {
    for (const random of [() => NaN, () => undefined as unknown as number, () => '0.5' as unknown as number]) {
      expect(backoff({ jitter: 0.5, random })(1)).toBe(100);
    }
  });

  it('NaN options are ConfigErrors naming the field', () => {
    for (const field of ['initialDelay', 'maxDelay', 'multiplier', 'jitter'] as const) {
      expect(configErrorOf(() => backoff({ [field]: NaN })).field).toBe(field);
    }
  });

  it('property: for any valid policy, any random() result and any retry number, the delay is finite and in [0, maxDelay]', () => {
    fc.assert(
      fc.property(
        fc.record({
          initialDelay: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          maxDelay: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          multiplier: fc.double({ min: 1, max: 100, noNaN: true }),
          jitter: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        fc.oneof(fc.double(), fc.constant(undefined), fc.string()),
        fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.constant(Infinity)),
        (options, draw, attempt) => {
          const delay = backoff({ ...options, random: () => draw as number })(attempt);
          expect(Number.isFinite(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(options.maxDelay);
        },
      ),
    );
  });
});
