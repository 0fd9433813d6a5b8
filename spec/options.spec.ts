import { connect, ConfigError, type ConnectOptions } from '../lib';
import { TestServer } from '../lib/testing';

const base = (): ConnectOptions<unknown, unknown> => ({ url: 'ws://test', WebSocket: new TestServer().WebSocket });

function configErrorOf(options: Partial<ConnectOptions<unknown, unknown>>): ConfigError {
  try {
    connect({ ...base(), ...options } as ConnectOptions<unknown, unknown>).close();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('option validation', () => {
  it.each<[string, Partial<ConnectOptions<unknown, unknown>>, string]>([
    ['an empty url pool', { url: [] }, 'url'],
    ['a non-ws URL', { url: 'http://example.test' }, 'url'],
    ['a non-ws URL in a pool', { url: ['ws://a', 'https://b'] }, 'url[1]'],
    ['a negative initialDelay', { retry: { initialDelay: -1 } }, 'retry.initialDelay'],
    ['a negative maxDelay', { retry: { maxDelay: -5 } }, 'retry.maxDelay'],
    ['multiplier < 1', { retry: { multiplier: 0.5 } }, 'retry.multiplier'],
    ['jitter > 1', { retry: { jitter: 1.5 } }, 'retry.jitter'],
    ['jitter < 0', { retry: { jitter: -0.1 } }, 'retry.jitter'],
    ['NaN maxAttempts', { retry: { maxAttempts: Number.NaN } }, 'retry.maxAttempts'],
    ['fractional maxAttempts', { retry: { maxAttempts: 1.5 } }, 'retry.maxAttempts'],
    ['a negative timeout', { retry: { timeout: -1 } }, 'retry.timeout'],
    ['a negative stableAfter', { retry: { stableAfter: -1 } }, 'retry.stableAfter'],
    ['a negative connectTimeout', { connectTimeout: -1 }, 'connectTimeout'],
    ['failureThreshold 0', { circuitBreaker: { failureThreshold: 0 } }, 'circuitBreaker.failureThreshold'],
    ['a negative resetTimeout', { circuitBreaker: { resetTimeout: -1 } }, 'circuitBreaker.resetTimeout'],
    ['heartbeat interval 0', { heartbeat: { interval: 0 } }, 'heartbeat.interval'],
    ['a negative buffer size', { buffer: { maxMessages: -1 } }, 'buffer.maxMessages'],
    ['a handshake without message', { handshake: {} as never }, 'handshake.message'],
    ['a serializer without deserialize', { serializer: { serialize: String } as never }, 'serializer'],
  ])('%s → ConfigError naming %s', (_, options, field) => {
    const error = configErrorOf(options);
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
  });

  it('names the bad value in the message', () => {
    expect(configErrorOf({ retry: { jitter: 2 } }).message).toBe(
      'Invalid option retry.jitter: expected a number in [0, 1], got 2',
    );
  });

  it('accepts wss URLs, pools and factories', () => {
    for (const url of ['wss://feed.example/ws', ['ws://a', 'wss://b'], () => 'ws://c']) {
      expect(() => connect({ ...base(), url }).close()).not.toThrow();
    }
  });
});
