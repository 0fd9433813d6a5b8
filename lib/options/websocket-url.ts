import { DEVELOPMENT } from '../development';
import { invalid } from '../validate';
import type { UrlOption } from './connect-options';

/**
 * The URL relative ones are resolved against, as the native `WebSocket` does: the document's
 * base URL in a page (`document.baseURI`, which honours `<base href>`), the script's location in
 * a worker; `undefined` where there is neither (Node), so only absolute `ws:`/`wss:` URLs work.
 */
export function pageBaseUrl(): string | undefined {
  const scope = globalThis as { document?: { baseURI?: unknown }; location?: { href?: unknown } };
  const base = scope.document?.baseURI ?? scope.location?.href;
  return typeof base === 'string' ? base : undefined;
}

/**
 * `url` as the `WebSocket` constructor resolves it: an absolute `ws:` or `wss:` URL, or throws
 * {@link ConfigError} naming `field` (`url`, `url[2]`).
 *
 * It is parsed as a WHATWG URL (so a port like 99999 or a bad host is refused), against the
 * page's base URL ({@link pageBaseUrl}, read at each call) when there is one: in a browser, a
 * relative URL (`/feed`, `feed`, `//host/feed`) is resolved against the page, and
 * `http:`/`https:` become `ws:`/`wss:`, as the native `WebSocket` does. Without a base (Node) the URL must be an absolute `ws:`/`wss:` one. It must
 * have a host, no fragment (`#` anywhere) and no whitespace (which URL parsing would silently
 * strip or percent-encode). A URL the transport would reject with a `SyntaxError` on every
 * attempt fails here, once, instead.
 */
export function resolveWebSocketUrl(field: string, url: unknown): string {
  const base = pageBaseUrl();
  try {
    if (typeof url === 'string' && !/\s|#/.test(url)) {
      const parsed = new URL(url, base); // throws for what is no URL
      // http(s) → ws(s), as the native WebSocket does; only where there is a page (browsers).
      const scheme = base === undefined ? parsed.protocol : parsed.protocol.replace(/^http/, 'ws');
      if (/^wss?:$/.test(scheme) && parsed.hostname !== '') {
        if (/^wss?:/i.test(url)) return url; // absolute already (so `scheme` is its own): as given
        parsed.protocol = scheme;
        return parsed.href;
      }
    }
  } catch {
    // not a URL: refused below
  }
  return invalid(
    field,
    url,
    DEVELOPMENT
      ? `${base === undefined ? 'a ws:// or wss:// URL' : 'a ws://, wss://, http://, https:// or relative URL'} (${urlProblem(url, base)})`
      : '',
  );
}

/** Why {@link resolveWebSocketUrl} refused `url` (development builds only). */
function urlProblem(url: unknown, base: string | undefined): string {
  if (typeof url !== 'string') return 'not a string';
  if (/\s/.test(url)) return 'whitespace is not allowed';
  if (url.includes('#')) return 'a fragment (#) is not allowed';
  let parsed: URL;
  try {
    parsed = new URL(url, base);
  } catch {
    return base === undefined && !/^[a-z][\w+.-]*:/i.test(url)
      ? 'a relative URL needs a page to resolve against, and this is not a browser'
      : 'not a valid URL: check the host and the port (0-65535)';
  }
  const scheme = base === undefined ? parsed.protocol : parsed.protocol.replace(/^http/, 'ws');
  return /^wss?:$/.test(scheme) ? 'the host is empty' : `the scheme is ${parsed.protocol}`;
}

/** The `url` option resolved: a URL factory, or a non-empty pool of URLs (a single URL is a pool of one). */
export type ResolvedUrl = Exclude<UrlOption, string>;

/**
 * The `url` option checked and resolved ({@link resolveWebSocketUrl}): a single URL, as a pool
 * of one, or a pool that is non-empty with every entry valid (`url[i]`), copied (entries
 * changed later would bypass the check). A factory is returned as it is: the link resolves
 * each result when it opens (against the page as it is then, as the native `WebSocket` does),
 * and refuses what is no URL.
 */
export function resolveUrlOption(url: unknown): ResolvedUrl {
  if (typeof url === 'function') return url as ResolvedUrl;
  if (!Array.isArray(url)) return [resolveWebSocketUrl('url', url)];
  if (url.length === 0) invalid('url', url, DEVELOPMENT ? 'a non-empty pool of URLs' : '');
  return url.map((entry: unknown, index) => resolveWebSocketUrl(`url[${index}]`, entry));
}
