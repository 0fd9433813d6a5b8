import { ConfigError, isConfigError } from '../errors/config-error';
import { MAX_TIMER_MS } from '../validate';

/** An RFC 7230 token: what a header name must be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
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
    return isConfigError(error) ? error : new ConfigError(field, options, 'options whose fields can be read (reading one threw)');
  }
}

/** Client options ws (or Node's http) would refuse, each with what it accepts. */
const CLIENT_OPTION_CHECKS: ReadonlyArray<readonly [string, (value: unknown) => boolean, string]> = [
  ['origin', isHeaderValue, 'a header value (no CR, LF or other control characters)'],
  ['auth', (value) => typeof value === 'string', 'a string'],
  ['protocolVersion', (value) => value === 8 || value === 13, '8 or 13'],
  ['handshakeTimeout', (value) => typeof value === 'number' && value >= 0 && value <= MAX_TIMER_MS, 'a duration in ms'],
  ['agent', (value) => value === null || value === false || typeof (value as { addRequest?: unknown })?.addRequest === 'function', 'an http.Agent, or false'],
  ['maxHeaderSize', (value) => Number.isInteger(value) && (value as number) >= 0, 'a whole number of bytes'],
  ['finishRequest', (value) => typeof value === 'function', 'a function'],
  ['generateMask', (value) => typeof value === 'function', 'a function'],
  ['insecureHTTPParser', isBoolean, 'a boolean'],
  ['joinDuplicateHeaders', isBoolean, 'a boolean'],
  ['perMessageDeflate', (value) => isBoolean(value) || (typeof value === 'object' && value !== null), 'a boolean or an object'],
];

/** {@link checkTransportOptions}, throwing the {@link ConfigError} (for the validation of static options). */
export function requireValidTransportOptions(field: string, options: unknown): void {
  if (typeof options !== 'object' || options === null) return; // the shape is checked by validateTransportOptions
  const { headers } = options as { headers?: unknown };
  if (typeof headers === 'object' && headers !== null) {
    for (const name of Object.keys(headers)) {
      if (!TOKEN.test(name)) throw new ConfigError(`${field}.headers`, name, 'header names that are RFC 7230 tokens');
      const value = (headers as Record<string, unknown>)[name];
      if (!isHeaderValue(value)) throw new ConfigError(`${field}.headers.${name}`, value, 'a header value (no CR, LF or other control characters)');
    }
  }
  for (const [key, valid, expected] of CLIENT_OPTION_CHECKS) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined && !valid(value)) throw new ConfigError(`${field}.${key}`, value, expected);
  }
}

function isHeaderValue(value: unknown): boolean {
  return typeof value === 'string' && !NOT_FIELD_CONTENT.test(value);
}

function isBoolean(value: unknown): boolean {
  return typeof value === 'boolean';
}
