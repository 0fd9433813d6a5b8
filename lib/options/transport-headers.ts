import { DEVELOPMENT } from '../development';
import { ConfigError, isConfigError } from '../errors/config-error';
import { HTTP_TOKEN, MAX_TIMER_MS } from '../validate'; // a header name is a token

/** What a header value may not hold: CR, LF, NUL and other controls, or a character past U+00FF (what Node refuses). */
const NOT_FIELD_CONTENT = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * Checks what the upgrade request is built from — `headers` (RFC 7230: names are tokens,
 * values hold no CR, LF or other control character), `origin` and `auth` — and the client
 * options that `ws` or Node's `http` reject on every attempt (`protocolVersion` other than 8 or
 * 13, a bad `handshakeTimeout`, `agent`, `maxHeaderSize`, non-function `finishRequest` or
 * `generateMask`, non-boolean `insecureHTTPParser` or `joinDuplicateHeaders`, a
 * `perMessageDeflate` that is neither a boolean nor an object). Such options would fail every
 * attempt the same way: a typed error names them instead of a retry loop. Fields are read
 * once each; a getter that throws makes the options invalid too.
 *
 * @param options a `transport` options object (the static option, or a factory's result)
 * @param field the name to report, `'transport'`
 * @returns the {@link ConfigError} naming the first invalid field, or undefined when valid
 */
export function checkTransportOptions(options: unknown, field: string): ConfigError | undefined {
  try {
    requireValidTransportOptions(field, options);
    return undefined;
  } catch (error) {
    return isConfigError(error) ? error : new ConfigError(field, options, DEVELOPMENT ? 'options whose fields can be read (reading one threw)' : '');
  }
}

/** Client options ws (or Node's http) would refuse. */
const CLIENT_OPTION_CHECKS: ReadonlyArray<readonly [string, (value: unknown) => boolean]> = [
  ['origin', isHeaderValue],
  ['auth', (value) => typeof value === 'string'],
  ['protocolVersion', (value) => value === 8 || value === 13],
  ['handshakeTimeout', (value) => typeof value === 'number' && value >= 0 && value <= MAX_TIMER_MS],
  ['agent', (value) => value === null || value === false || typeof (value as { addRequest?: unknown })?.addRequest === 'function'],
  ['maxHeaderSize', (value) => Number.isInteger(value) && (value as number) >= 0],
  ['finishRequest', isFunction],
  ['generateMask', isFunction],
  ['insecureHTTPParser', isBoolean],
  ['joinDuplicateHeaders', isBoolean],
  ['perMessageDeflate', (value) => isBoolean(value) || (typeof value === 'object' && value !== null)],
];

const HEADER_VALUE = 'a header value (no CR, LF or other control characters)';

/** What each client option accepts (development builds only: production messages leave it out). */
function clientOptionExpected(key: string): string {
  const expected: Record<string, string> = {
    origin: HEADER_VALUE,
    auth: 'a string',
    protocolVersion: '8 or 13',
    handshakeTimeout: 'a duration in ms',
    agent: 'an http.Agent, or false',
    maxHeaderSize: 'a whole number of bytes',
    finishRequest: 'a function',
    generateMask: 'a function',
    insecureHTTPParser: 'a boolean',
    joinDuplicateHeaders: 'a boolean',
    perMessageDeflate: 'a boolean or an object',
  };
  return expected[key]!;
}

/** {@link checkTransportOptions}, throwing the {@link ConfigError} (for the validation of static options). */
export function requireValidTransportOptions(field: string, options: unknown): void {
  if (typeof options !== 'object' || options === null) return; // the shape is checked by validateTransportOptions
  const { headers } = options as { headers?: unknown };
  if (typeof headers === 'object' && headers !== null) {
    for (const name of Object.keys(headers)) {
      if (!HTTP_TOKEN.test(name)) throw new ConfigError(`${field}.headers`, name, DEVELOPMENT ? 'header names that are RFC 7230 tokens' : '');
      const value = (headers as Record<string, unknown>)[name];
      if (!isHeaderValue(value)) throw new ConfigError(`${field}.headers.${name}`, value, DEVELOPMENT ? HEADER_VALUE : '');
    }
  }
  for (const [key, valid] of CLIENT_OPTION_CHECKS) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined && !valid(value)) throw new ConfigError(`${field}.${key}`, value, DEVELOPMENT ? clientOptionExpected(key) : '');
  }
}

function isHeaderValue(value: unknown): boolean {
  return typeof value === 'string' && !NOT_FIELD_CONTENT.test(value);
}

function isFunction(value: unknown): boolean {
  return typeof value === 'function';
}

function isBoolean(value: unknown): boolean {
  return typeof value === 'boolean';
}
