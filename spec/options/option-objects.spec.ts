import { connect, ConfigError, type ConnectOptions } from '../../lib';
import { TestServer } from '../../lib/testing';
import { testScheduler } from '../support/marbles';

/**
 * How option objects are read, whatever their group: one schema per group (lib/options/schema.ts)
 * reads every option it knows once, by name (so a getter, own or inherited, works), fills in a
 * default for `undefined`, and refuses anything but a plain object for a group.
 */

/** The ConfigError `connect()` throws for these options, or undefined when it accepts them. */
function configErrorOf(options: unknown): ConfigError | undefined {
  try {
    connect(options as ConnectOptions<unknown, unknown>).close();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  return undefined;
}

const base = (): ConnectOptions<unknown, unknown> => ({ url: 'ws://test', WebSocket: new TestServer().WebSocket });

describe('option objects', () => {
  it('an array is no options object: a ConfigError naming the group', () => {
    expect(configErrorOf(['ws://test'])).toMatchObject({ field: 'options', value: ['ws://test'] });
    expect(configErrorOf({ ...base(), retry: [] })).toMatchObject({ field: 'retry', value: [] });
    expect(configErrorOf({ ...base(), lazy: [] })).toMatchObject({ field: 'lazy', value: [] });
    expect(configErrorOf({ ...base(), handshake: [() => 'hi'] })).toMatchObject({ field: 'handshake' });
  });

  it('options inherited from a prototype (a class with getters) are read like own ones', () => {
    class Options {
      readonly WebSocket = new TestServer().WebSocket;
      get url(): string {
        return 'ws://test';
      }
      get connectTimeout(): number {
        return -1;
      }
    }
    expect(configErrorOf(new Options())).toMatchObject({ field: 'connectTimeout', value: -1 });
  });

  it('reads each option once', () => {
    const reads: string[] = [];
    const options = base() as unknown as Record<string, unknown>;
    for (const key of ['url', 'retry', 'heartbeat']) {
      const value = key === 'url' ? 'ws://test' : { timeout: 1_000 };
      Object.defineProperty(options, key, {
        enumerable: true,
        get: () => {
          reads.push(key);
          return value;
        },
      });
    }
    expect(configErrorOf(options)).toBeUndefined();
    expect(reads).toEqual(['url', 'retry', 'heartbeat']);
  });

  it('null is the default where it always was (connectTimeout, scheduler, handshake.timeout, lazy.idleAfter)', () => {
    const nulls = { connectTimeout: null, scheduler: null, handshake: { message: () => 'hi', timeout: null }, lazy: { idleAfter: null } };
    expect(configErrorOf({ ...base(), ...nulls })).toBeUndefined();
  });

  it('null is refused elsewhere, naming the field', () => {
    expect(configErrorOf({ ...base(), retry: { initialDelay: null } })).toMatchObject({ field: 'retry.initialDelay', value: null });
    expect(configErrorOf({ ...base(), buffer: { maxBytes: null } })).toMatchObject({ field: 'buffer.maxBytes', value: null });
    expect(configErrorOf({ ...base(), serializer: null })).toMatchObject({ field: 'serializer', value: null });
    expect(configErrorOf({ ...base(), route: null })).toMatchObject({ field: 'route', value: null });
  });

  it('a wake$ that is null, or no Observable, is a ConfigError naming wake$ (not a TypeError)', () => {
    expect(configErrorOf({ ...base(), wake$: null })).toMatchObject({ field: 'wake$', value: null });
    expect(configErrorOf({ ...base(), wake$: 5 })).toMatchObject({ field: 'wake$', value: 5 });
    expect(configErrorOf({ ...base(), wake$: new TestServer().messages$, scheduler: testScheduler() })).toBeUndefined();
  });

  it('checks options in a fixed order: with several wrong, the first in that order is named', () => {
    expect(configErrorOf({ ...base(), lazy: 'x', retry: { jitter: 2 }, url: 'http://x' })?.field).toBe('url');
    expect(configErrorOf({ ...base(), lazy: 'x', retry: { jitter: 2 } })?.field).toBe('retry.jitter');
    expect(configErrorOf({ ...base(), retry: { jitter: 2, delay: 5 } })?.field).toBe('retry.delay');
  });
});
