import { timer } from 'rxjs';
import { connect, ConfigError } from '../../lib';
import { pageBaseUrl, resolveUrlOption, resolveWebSocketUrl } from '../../lib/options/websocket-url';
import { TestServer } from '../../lib/testing';
import { testScheduler } from '../support/marbles';

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

  it('a pool is resolved entry by entry, and a factory result each time it is called', async () => {
    await onPage(page, async () => {
      expect(resolveUrlOption(['/a', 'http://b.example/b'])).toEqual(['wss://app.example/a', 'ws://b.example/b']);
      const factory = resolveUrlOption(({ attempt }) => `/feed?attempt=${attempt}`) as (c: { attempt: number }) => string;
      expect(factory({ attempt: 2 })).toBe('wss://app.example/feed?attempt=2');
      const asyncFactory = resolveUrlOption(async () => 'https://x.example/ws') as (c: { attempt: number }) => Promise<string>;
      await expect(asyncFactory({ attempt: 0 })).resolves.toBe('wss://x.example/ws');
      // What is not a URL goes through as it is: the link refuses it (fatal), as without a page.
      const bad = resolveUrlOption(() => 'ftp://x' as string) as (c: { attempt: number }) => string;
      expect(bad({ attempt: 0 })).toBe('ftp://x');
    });
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

  it('a factory is not wrapped: its result reaches the link as given', () => {
    const factory = (): string => 'ws://h/ws';
    expect(resolveUrlOption(factory)).toBe(factory);
  });
});

