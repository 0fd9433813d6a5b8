import { ConfigError } from '../errors/config-error';

/**
 * A `ws:` or `wss:` URL as WebSocket constructors accept it, or throws {@link ConfigError}
 * naming `field` (`url`, `url[2]`): parsed as a WHATWG URL (so a port like 99999 or a bad
 * host is refused), with a non-empty host, no fragment (`#` anywhere) and no whitespace
 * (which URL parsing would silently strip or percent-encode). A URL the transport would
 * reject with a `SyntaxError` on every attempt must fail here, once, instead.
 */
export function validateWebSocketUrl(field: string, url: unknown): asserts url is string {
  const problem = webSocketUrlProblem(url);
  if (problem !== undefined) throw new ConfigError(field, url, `a ws:// or wss:// URL (${problem})`);
}

function webSocketUrlProblem(url: unknown): string | undefined {
  if (typeof url !== 'string') return 'not a string';
  if (/\s/.test(url)) return 'whitespace is not allowed';
  if (url.includes('#')) return 'a fragment (#) is not allowed';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a valid URL: check the host and the port (0-65535)';
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') return `the scheme is ${parsed.protocol}`;
  if (parsed.hostname === '') return 'the host is empty';
  return undefined;
}

/**
 * Checks the `url` option: a factory is checked per call, later; a pool must be non-empty with
 * every entry valid (`url[i]`); a single URL as {@link validateWebSocketUrl} says.
 */
export function validateUrlOption(url: unknown): void {
  if (typeof url === 'function') return;
  if (Array.isArray(url)) {
    if (url.length === 0) throw new ConfigError('url', url, 'a non-empty pool of ws:// or wss:// URLs');
    url.forEach((entry, index) => validateWebSocketUrl(`url[${index}]`, entry));
    return;
  }
  validateWebSocketUrl('url', url);
}
