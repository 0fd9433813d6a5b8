import { connect, ConfigError, type ClosedEvent, type ConnectOptions } from '../../lib';
import { TestServer } from '../../lib/testing';
import { harness } from '../support/harness';
import { testScheduler } from '../support/marbles';

type Options = Partial<ConnectOptions<unknown, unknown>>;

/** The longest delay a timer can hold (2^31 − 1 ms); the library exports it as MAX_TIMER_MS. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The ConfigError `connect()` throws for these options (fails the test when it throws none). */
function configErrorOf(options: Options | Record<string, unknown>): ConfigError {
  try {
    connect({ url: 'ws://test', WebSocket: new TestServer().WebSocket, ...options } as ConnectOptions<unknown, unknown>).close();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

function accepts(options: Options): void {
  expect(() => connect({ url: 'ws://test', WebSocket: new TestServer().WebSocket, ...options }).close()).not.toThrow();
}

/** Every duration a timer is set with, as options giving it `ms`. */
const timerFields: Array<[string, (ms: number) => Options]> = [
  ['connectTimeout', (ms) => ({ connectTimeout: ms })],
  ['retry.initialDelay', (ms) => ({ retry: { initialDelay: ms } })],
  ['retry.maxDelay', (ms) => ({ retry: { maxDelay: ms } })],
  ['retry.stableAfter', (ms) => ({ retry: { stableAfter: ms } })],
  ['circuitBreaker.resetTimeout', (ms) => ({ circuitBreaker: { resetTimeout: ms } })],
  ['heartbeat.interval', (ms) => ({ heartbeat: { interval: ms } })],
  ['heartbeat.timeout', (ms) => ({ heartbeat: { timeout: ms } })],
  ['handshake.timeout', (ms) => ({ handshake: { message: () => 'hello', timeout: ms } })],
];

describe('durations', () => {
  it.each(timerFields)('%s of 2^31 ms (a timer would fire after 1 ms) is a ConfigError (#8 item 23)', (field, options) => {
    const error = configErrorOf(options(2 ** 31));
    expect(error.field).toBe(field);
    expect(error.value).toBe(2 ** 31);
    expect(error.expected).toContain(String(MAX_TIMER_MS));
  });

  it.each(timerFields)('%s of 1e12 ms is a ConfigError too (#8 item 23)', (field, options) => {
    expect(configErrorOf(options(1e12)).field).toBe(field);
  });

  it.each(timerFields)('%s of 2^31 − 1 ms, the longest timer, is accepted', (_, options) => {
    accepts(options(MAX_TIMER_MS));
  });

  it.each<[string, string, Options]>([
    ['connectTimeout', ' (#8 item 23)', { connectTimeout: 0 }],
    ['heartbeat.timeout', ' (#8 item 23)', { heartbeat: { timeout: 0 } }],
    ['heartbeat.interval', '', { heartbeat: { interval: 0 } }], // refused by 0.1.0 already
  ])('%s: 0 is a ConfigError (it must be > 0)%s', (field, _tag, options) => {
    const error = configErrorOf(options);
    expect(error.field).toBe(field);
    expect(error.expected).toBe('a number of milliseconds > 0');
  });

  it('zero stays valid where it means "at once": initialDelay, maxDelay, stableAfter, resetTimeout', () => {
    accepts({ retry: { initialDelay: 0, maxDelay: 0, stableAfter: 0 }, circuitBreaker: { resetTimeout: 0 } });
  });

  it('retry.timeout is a limit: Infinity means none, but a finite one must fit a timer (#8 item 23)', () => {
    accepts({ retry: { timeout: Infinity } });
    accepts({ retry: { timeout: MAX_TIMER_MS } });
    expect(configErrorOf({ retry: { timeout: 2 ** 31 } }).field).toBe('retry.timeout');
  });

  it('a custom retry.delay() returning 2^31 ms is not scheduled as a 1 ms timer: the connection ends with a ConfigError (#8 item 23)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { retry: { delay: () => 2 ** 31 } }, {}, 1_000);
      h.at(5, () => h.server.drop());
      scheduler.flush();
      expect(h.events.filter((e) => e.type === 'Reconnecting')).toEqual([]);
      expect(h.server.connections).toHaveLength(1);
      const closed = h.events.at(-1) as ClosedEvent;
      expect(closed.type).toBe('Closed');
      expect(closed.reason).toBe('fatal');
      expect(closed.error).toBeInstanceOf(ConfigError);
      expect(closed.error).toMatchObject({ field: 'retry.delay() result', value: 2 ** 31 });
    });
  });
});

describe('unknown option keys', () => {
  it('a misspelled top-level key is a ConfigError naming it and suggesting the right one (#8 item 23)', () => {
    const error = configErrorOf({ retyr: { maxAttempts: 3 } });
    expect(error.field).toBe('retyr');
    expect(error.value).toEqual({ maxAttempts: 3 });
    expect(error.expected).toBe('no such option (did you mean `retry`?)');
    expect(error.message).toBe(
      'Invalid option retyr: expected no such option (did you mean `retry`?), got { maxAttempts: 3 }',
    );
  });

  it.each<[string, Record<string, unknown>, string | undefined]>([
    ['retry.jiter', { retry: { jiter: 0 } }, 'jitter'],
    ['heartbeat.intervl', { heartbeat: { intervl: 1_000 } }, 'interval'],
    ['buffer.maxMsgs', { buffer: { maxMsgs: 10 } }, undefined],
    ['handshake.mesage', { handshake: { message: () => 'hi', mesage: 'hi' } }, 'message'],
    ['circuitBreaker.x', { circuitBreaker: { x: 1 } }, undefined],
    ['connecttimeout', { connecttimeout: 5 }, 'connectTimeout'],
    ['wake', { wake: undefined }, 'wake$'],
  ])('%s is a ConfigError naming it (#8 item 23)', (field, options, suggestion) => {
    const error = configErrorOf(options);
    expect(error.field).toBe(field);
    expect(error.expected).toContain('no such option');
    if (suggestion) expect(error.expected).toContain(`did you mean \`${suggestion}\`?`);
    else expect(error.expected).toMatch(/known: \w+, \w+/);
  });

  it('lists the known keys of the group when no key is close (#8 item 23)', () => {
    expect(configErrorOf({ circuitBreaker: { x: 1 } }).expected).toBe(
      'no such option (known: failureThreshold, resetTimeout)',
    );
  });

  it('accepts every documented key, at top level and in each group', () => {
    const server = new TestServer();
    // Every key but `codec`, which replaces `serializer` (giving both is an error of its own).
    const options: Required<Omit<ConnectOptions<unknown, unknown>, 'codec'>> = {
      url: 'ws://test',
      protocols: ['v1'],
      WebSocket: server.WebSocket,
      transport: { headers: { authorization: 'Bearer t' }, maxPayload: 1_000 },
      serializer: { serialize: (m) => JSON.stringify(m), deserialize: (d) => d },
      retry: {
        initialDelay: 10,
        maxDelay: 100,
        multiplier: 2,
        jitter: 0,
        random: () => 0.5,
        maxAttempts: 3,
        timeout: 1_000,
        stableAfter: 50,
        delay: () => 10,
        shouldRetry: () => true,
        retryOnFailedConnect: true,
      },
      circuitBreaker: { failureThreshold: 2, resetTimeout: 100 },
      heartbeat: { interval: 100, timeout: 50, message: 'ping', isPong: (m) => m === 'pong', outbound: true },
      connectTimeout: 100,
      buffer: { maxMessages: 10, maxBytes: 1_000 },
      handshake: { message: () => 'hello', ack: () => true, timeout: 100 },
      wake$: new TestServer().messages$,
      route: () => undefined,
      lazy: { idleAfter: 10 },
      scheduler: testScheduler(),
    };
    expect(() => connect(options).close()).not.toThrow();
    const codec = { encode: (m: unknown) => JSON.stringify(m), decoder: () => (frame: unknown) => [frame] };
    expect(() => connect({ ...options, serializer: undefined, codec }).close()).not.toThrow();
  });
});
