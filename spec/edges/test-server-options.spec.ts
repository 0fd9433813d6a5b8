import { queueScheduler } from 'rxjs';
import { ConfigError, connect } from '../../lib';
import { TestServer, type TestServerOptions } from '../../lib/testing';
import { testScheduler } from '../support/marbles';

/**
 * Issue #16, item 3: `TestServer` options are checked like `connect()`'s. `maxConnections: NaN`
 * used to be taken, and then a test that forgot `conn.close()` spun forever inside `flush()`
 * (`connections > NaN` is never true), which no Jest timeout can interrupt.
 */

/** The ConfigError `make()` throws (fails the test when it throws none). */
function configErrorOf(make: () => unknown): ConfigError {
  try {
    make();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const BAD: Array<[string, unknown, string]> = [
  ['maxConnections NaN (flush() would spin forever)', { maxConnections: NaN }, 'maxConnections'],
  ['maxConnections -1', { maxConnections: -1 }, 'maxConnections'],
  ['maxConnections 2.5', { maxConnections: 2.5 }, 'maxConnections'],
  ['maxConnections "10"', { maxConnections: '10' }, 'maxConnections'],
  ['maxVirtualTime NaN', { maxVirtualTime: NaN }, 'maxVirtualTime'],
  ['maxVirtualTime -1', { maxVirtualTime: -1 }, 'maxVirtualTime'],
  ['latency NaN', { latency: NaN }, 'latency'],
  ['latency -5', { latency: -5 }, 'latency'],
  ['latency Infinity', { latency: Infinity }, 'latency'],
  ['refuseStatus 101 (that is a success)', { refuseStatus: 101 }, 'refuseStatus'],
  ['refuseStatus NaN', { refuseStatus: NaN }, 'refuseStatus'],
  ['refuseStatus 600', { refuseStatus: 600 }, 'refuseStatus'],
  ['mode "open"', { mode: 'open' }, 'mode'],
  ['pings "yes"', { pings: 'yes' }, 'pings'],
  ['scheduler without schedule()', { scheduler: {} }, 'scheduler'],
  ['a misspelled key', { maxConnection: 5 }, 'maxConnection'],
  ['options null', null, 'options'],
];

describe('TestServer options are validated like connect()’s (#16 item 3)', () => {
  it.each(BAD)('%s → a ConfigError naming the field', (_what, options, field) => {
    const error = configErrorOf(() => new TestServer(options as TestServerOptions));
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
  });

  it('a misspelled key suggests the right one', () => {
    expect(configErrorOf(() => new TestServer({ maxConection: 5 } as TestServerOptions)).message).toContain('maxConnections');
  });

  it('accepts every documented option, Infinity where a limit may be lifted', () => {
    const server = new TestServer({
      scheduler: queueScheduler,
      mode: (connection) => (connection.index === 0 ? 'accept' : 'refuse'),
      latency: 0,
      refuseStatus: 429,
      pings: true,
      maxConnections: Infinity,
      maxVirtualTime: Infinity,
    });
    expect([server.latency, server.refuseStatus, server.maxConnections, server.maxVirtualTime]).toEqual([0, 429, Infinity, Infinity]);
  });

  it('the fields that can be changed later are checked when set, and keep their value when refused', () => {
    const server = new TestServer();
    expect(configErrorOf(() => (server.maxConnections = NaN)).field).toBe('maxConnections');
    expect(configErrorOf(() => (server.latency = -1)).field).toBe('latency');
    expect(configErrorOf(() => (server.refuseStatus = 42)).field).toBe('refuseStatus');
    expect(configErrorOf(() => (server.maxVirtualTime = NaN)).field).toBe('maxVirtualTime');
    expect(configErrorOf(() => (server.mode = 'hang' as 'manual')).field).toBe('mode');
    expect([server.maxConnections, server.latency, server.refuseStatus, server.maxVirtualTime, server.mode]).toEqual([
      10_000,
      0,
      503,
      3_600_000,
      'accept',
    ]);
    server.maxConnections = 3;
    server.mode = 'refuse';
    expect([server.maxConnections, server.mode]).toEqual([3, 'refuse']);
  });

  it('refuse(status) with a status that is no refusal is a ConfigError, and the connection stays pending', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const server = new TestServer({ mode: 'manual' });
      const conn = connect({ url: 'ws://test', WebSocket: server.WebSocket });
      scheduler.schedule(() => {
        expect(configErrorOf(() => server.refuse(NaN)).field).toBe('refuse(status)');
        expect(configErrorOf(() => server.last.refuse(101)).field).toBe('refuse(status)');
        expect(server.last.isPending).toBe(true);
        conn.close();
      }, 10);
      scheduler.flush();
      expect(server.connections).toHaveLength(1);
    });
  });

  it('a forgotten connection with maxConnections set later still stops the run (the limit set is the limit used)', () => {
    const scheduler = testScheduler();
    let thrown: unknown;
    scheduler.run(() => {
      const server = new TestServer({ mode: 'refuse' });
      server.maxConnections = 5;
      connect({ url: 'ws://test', WebSocket: server.WebSocket, retry: { initialDelay: 1, jitter: 0 } });
      try {
        scheduler.flush();
      } catch (error) {
        thrown = error;
      }
      expect(server.connections).toHaveLength(6);
    });
    expect(String(thrown)).toContain('raise maxConnections');
  });
});
