import { connect, ConfigError, type ClosedEvent, type ConnectOptions } from '../../lib';
import { TestServer } from '../../lib/testing';
import { harness } from '../support/harness';
import { testScheduler } from '../support/marbles';

type Options = Partial<ConnectOptions<unknown, unknown>>;

/** The ConfigError `connect()` throws for these options (fails the test when it throws none). */
function configErrorOf(options: Options): ConfigError {
  try {
    connect({ url: 'ws://test', WebSocket: new TestServer().WebSocket, ...options }).close();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(options)}`);
}

function accepts(options: Options): void {
  expect(() => connect({ url: 'ws://test', WebSocket: new TestServer().WebSocket, ...options }).close()).not.toThrow();
}

describe('url validation', () => {
  // Each row's last column tags the cases 0.1.0 accepted (the others it already refused).
  const item22 = ' (#8 item 22)';
  it.each<[string, string, string]>([
    ['no host', 'ws://', ''],
    ['no host, only a port', 'ws://:8080', item22],
    ['no host, only credentials', 'ws://user@/', item22],
    ['a space in the host', 'ws:// host', ''],
    ['a space in the path', 'ws://host/a b', item22],
    ['a trailing newline', 'ws://host/\n', item22],
    ['port 99999', 'ws://h:99999', item22],
    ['a port that is not a number', 'wss://h:80x/', item22],
    ['a fragment', 'ws://h/#x', item22],
    ['an empty fragment', 'ws://h/path#', item22],
    ['an http URL', 'http://h', ''],
    ['no scheme', 'h:8080/ws', ''],
    ['an invalid IPv6 host', 'ws://[::1/', item22],
  ])('%s (%j) is a ConfigError naming url, at connect()%s', (_, url) => {
    const error = configErrorOf({ url });
    expect(error.field).toBe('url');
    expect(error.value).toBe(url);
    expect(error.message).toContain('Invalid option url: expected a ws:// or wss:// URL');
  });

  it('names the pool entry that is wrong: url[2] (#8 item 22)', () => {
    const error = configErrorOf({ url: ['ws://a', 'wss://b:443/x', 'ws://c:99999', 'ws://d'] });
    expect(error.field).toBe('url[2]');
    expect(error.value).toBe('ws://c:99999');
  });

  it('says what is wrong with the URL (#8 item 22)', () => {
    expect(configErrorOf({ url: 'ws://h/#x' }).expected).toContain('fragment');
    expect(configErrorOf({ url: 'ws:// host' }).expected).toContain('whitespace');
    expect(configErrorOf({ url: 'ws://h:99999' }).expected).toContain('port');
    expect(configErrorOf({ url: 'http://h' }).expected).toContain('http:');
  });

  it('a url factory resolving to an invalid URL ends the connection as fatal, without connecting (#8 item 22)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { url: () => 'ws://h:99999' }, {}, 1_000);
      scheduler.flush();
      expect(h.server.connections).toHaveLength(0);
      const closed = h.events.at(-1) as ClosedEvent;
      expect(closed).toMatchObject({ type: 'Closed', reason: 'fatal' });
      expect(h.events.map((e) => e.type)).not.toContain('Reconnecting');
      expect(h.events.map((e) => e.type)).not.toContain('Connected');
    });
  });

  it('accepts every URL a WebSocket constructor accepts: hosts, IPs, ports, paths, queries, credentials', () => {
    for (const url of [
      'ws://127.0.0.1:8080/path?q=1&r=%20',
      'wss://[::1]:443/',
      'WS://Feed.Example/WS',
      'ws://user:secret@host/',
      'wss://feed.example:65535',
      'ws://localhost:0',
    ]) {
      accepts({ url });
      accepts({ url: [url, 'ws://other'] });
    }
  });
});

describe('protocols validation', () => {
  it.each<[string, string | string[], string]>([
    ['a duplicate', ['a', 'a'], 'protocols[1]'],
    ['a later duplicate', ['chat', 'v2', 'json', 'v2'], 'protocols[3]'],
    ['a space', 'a b', 'protocols'],
    ['a space in an array entry', ['ok', 'a b'], 'protocols[1]'],
    ['an empty string', '', 'protocols'],
    ['an empty entry', ['chat', ''], 'protocols[1]'],
    ['a comma (a separator, not a token character)', 'a,b', 'protocols'],
    ['a slash', ['mqtt/5'], 'protocols[0]'],
    ['a non-ASCII letter', 'ché', 'protocols'],
    ['a control character', 'chat\u0001', 'protocols'],
    ['a non-string entry', [42 as unknown as string], 'protocols[0]'],
  ])('%s (%j) is a ConfigError naming %s (#8 item 22)', (_, protocols, field) => {
    const error = configErrorOf({ protocols });
    expect(error.field).toBe(field);
    expect(error.message).toContain(`Invalid option ${field}`);
  });

  it('accepts RFC 6455 tokens: letters, digits and !#$%&\'*+-.^_`|~, each once', () => {
    accepts({ protocols: 'graphql-transport-ws' });
    accepts({ protocols: ['mqtt', 'v1.chat.example', "!#$%&'*+-.^_`|~09AZaz"] });
    accepts({ protocols: ['Chat', 'chat'] }); // subprotocol names are case-sensitive
    accepts({ protocols: [] });
  });

  it('offers the validated protocols to the transport, and a later edit of the array does not leak in (#8 item 22)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const server = new TestServer();
      const offered: unknown[] = [];
      class RecordingWebSocket extends server.WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          offered.push(protocols === undefined ? undefined : ([] as string[]).concat(protocols));
          super(url, protocols);
        }
      }
      const protocols = ['v2', 'v1'];
      const h = harness(scheduler, { protocols, WebSocket: RecordingWebSocket }, {}, 10);
      protocols.push('not valid');
      scheduler.flush();
      expect(offered).toEqual([['v2', 'v1']]);
      expect(h.events.map((e) => e.type)).toEqual(['Connecting', 'Connected', 'Disconnected', 'Closed']);
    });
  });
});
