import { firstValueFrom, timer } from 'rxjs';
import { connect, ConfigError, ofType, type ClosedEvent, type UrlOption } from '../../lib';
import { pageBaseUrl, resolveUrlOption, resolveWebSocketUrl } from '../../lib/options/websocket-url';
import { TestServer } from '../../lib/testing';
import { testScheduler } from '../support/marbles';
import { within } from '../support/until';

/** Runs `body` with a fake page `location` (and, when given, `document.baseURI`), then removes them. */
function onPage<T>(page: { href: string; baseURI?: string }, body: () => T): T {
  const scope = globalThis as { location?: unknown; document?: unknown };
  expect(scope.location).toBeUndefined(); // Jest's node environment: no page
  scope.location = { href: page.href };
  if (page.baseURI !== undefined) scope.document = { baseURI: page.baseURI };
  try {
    return body();
  } finally {
    delete scope.location;
    delete scope.document;
  }
}

function configErrorOf(body: () => unknown): ConfigError {
  try {
    body();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('URLs in a browser: resolved against the page as the native WebSocket does', () => {
  const page = { href: 'https://app.example/feed/index.html?x=1#top' };

  it.each<[string, string]>([
    ['/ws', 'wss://app.example/ws'],
    ['ws', 'wss://app.example/feed/ws'],
    ['../live?room=1', 'wss://app.example/live?room=1'],
    ['//other.example:8443/ws', 'wss://other.example:8443/ws'],
    ['http://plain.example/ws', 'ws://plain.example/ws'],
    ['https://secure.example/ws', 'wss://secure.example/ws'],
    ['HTTPS://Secure.Example/WS', 'wss://secure.example/WS'],
    ['ws://as-given.example:81/x', 'ws://as-given.example:81/x'],
    ['WSS://As-Given.Example/X', 'WSS://As-Given.Example/X'],
  ])('%s → %s', (url, resolved) => {
    expect(onPage(page, () => resolveWebSocketUrl('url', url))).toBe(resolved);
  });

  it('an http page makes relative URLs ws:, and <base href> (document.baseURI) wins over location', () => {
    expect(onPage({ href: 'http://127.0.0.1:8080/app/' }, () => resolveWebSocketUrl('url', 'ws'))).toBe('ws://127.0.0.1:8080/app/ws');
    expect(onPage({ href: 'http://a.example/x/', baseURI: 'https://b.example/base/' }, () => resolveWebSocketUrl('url', 'ws'))).toBe('wss://b.example/base/ws');
  });

  it.each<[string, string, string]>([
    ['another scheme', 'ftp://h/ws', 'the scheme is ftp:'],
    ['a scheme that needs no host', 'mailto:x@y', 'the scheme is mailto:'],
    ['a fragment, also on a relative URL', '/ws#x', 'fragment'],
    ['whitespace', '/w s', 'whitespace'],
    ['a bad port', '//h:99999/ws', 'port'],
  ])('still refuses %s (%s): a ConfigError naming the field', (_, url, problem) => {
    const error = onPage(page, () => configErrorOf(() => resolveWebSocketUrl('url[1]', url)));
    expect(error.field).toBe('url[1]');
    expect(error.value).toBe(url);
    expect(error.expected).toContain('a ws://, wss://, http://, https:// or relative URL');
    expect(error.expected).toContain(problem);
  });

  it('a pool is resolved entry by entry when connect() is called', () => {
    onPage(page, () => {
      expect(resolveUrlOption(['/a', 'http://b.example/b'])).toEqual(['wss://app.example/a', 'ws://b.example/b']);
    });
  });

  /** The URLs a connection with `url` opened, and its Closed event, on `page`, running for 50 ms with the server refusing. */
  function attempts(url: UrlOption, during?: (server: TestServer) => void): { opened: string[]; reported: string[]; closed: ClosedEvent | undefined } {
    const reported: string[] = [];
    let closed: ClosedEvent | undefined;
    let server!: TestServer;
    onPage(page, () =>
      testScheduler().run(() => {
        server = new TestServer({ mode: 'refuse' });
        const conn = connect({ url, WebSocket: server.WebSocket, retry: { initialDelay: 10, jitter: 0, multiplier: 1 } });
        conn.events$.subscribe((e) => {
          if (e.type === 'Connecting') reported.push(e.url);
          if (e.type === 'Closed') closed = e;
        });
        during?.(server);
        timer(50).subscribe(() => conn.close());
      }),
    );
    return { opened: server.connections.map((c) => c.url), reported, closed };
  }

  it('a factory result is resolved each time it is called', () => {
    const { opened, reported } = attempts(({ attempt }) => `/feed?attempt=${attempt}`);
    expect(opened.slice(0, 2)).toEqual(['wss://app.example/feed?attempt=0', 'wss://app.example/feed?attempt=1']);
    expect(reported.slice(0, 2)).toEqual(opened.slice(0, 2));
  });

  it('an async factory result is resolved too', async () => {
    const scope = globalThis as { location?: unknown };
    scope.location = { href: page.href };
    const server = new TestServer();
    const conn = connect({ url: async () => 'https://x.example/ws', WebSocket: server.WebSocket });
    try {
      const connecting = await within(firstValueFrom(conn.events$.pipe(ofType('Connecting'))), 'Connecting');
      expect(connecting.url).toBe('wss://x.example/ws');
      expect(server.connections.map((c) => c.url)).toEqual(['wss://x.example/ws']);
    } finally {
      conn.close();
      delete scope.location;
    }
  });

  it('a factory result is resolved against the page as it is when the attempt opens (as the native WebSocket does)', () => {
    const scope = globalThis as { location?: { href: string } };
    const { opened } = attempts(
      () => 'ws',
      () => timer(5).subscribe(() => (scope.location = { href: 'http://moved.example/app/' })),
    );
    expect(opened.slice(0, 2)).toEqual(['wss://app.example/feed/ws', 'ws://moved.example/app/ws']);
  });

  it('a factory result that is no URL the page can resolve is fatal: a ConfigError naming url', () => {
    const { opened, closed } = attempts(() => 'ftp://x');
    expect(opened).toEqual([]);
    expect(closed?.reason).toBe('fatal');
    expect(closed?.error).toBeInstanceOf(ConfigError);
    expect((closed?.error as ConfigError).field).toBe('url');
    expect((closed?.error as ConfigError).expected).toContain('the scheme is ftp:');
  });

  it('connect() opens the resolved URL and reports it in Connecting', () => {
    const reported: string[] = [];
    let server!: TestServer;
    onPage(page, () =>
      testScheduler().run(() => {
        server = new TestServer();
        const conn = connect({ url: '/ws', WebSocket: server.WebSocket });
        conn.events$.subscribe((e) => (e.type === 'Connecting' ? reported.push(e.url) : undefined));
        timer(5).subscribe(() => conn.close());
      }),
    );
    expect(reported).toEqual(['wss://app.example/ws']);
    expect(server.connections.map((c) => c.url)).toEqual(['wss://app.example/ws']);
  });
});

describe('URLs in Node (no page): absolute ws:/wss: only, with the same error as before', () => {
  it.each<[string, string]>([
    ['/ws', 'a relative URL needs a page'],
    ['ws', 'a relative URL needs a page'],
    ['http://h/ws', 'the scheme is http:'],
    ['https://h/ws', 'the scheme is https:'],
  ])('%s is a ConfigError: %s', (url, problem) => {
    expect(pageBaseUrl()).toBeUndefined();
    const error = configErrorOf(() => connect({ url, WebSocket: new TestServer().WebSocket }).close());
    expect(error.field).toBe('url');
    expect(error.message).toContain('Invalid option url: expected a ws:// or wss:// URL (');
    expect(error.expected).toContain(problem);
  });

  it('a factory is kept as it is (its results are checked by the link)', () => {
    const factory = (): string => 'ws://h/ws';
    expect(resolveUrlOption(factory)).toBe(factory);
  });
});

