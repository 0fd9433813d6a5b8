import { ConfigError, isConfigError } from '../errors/config-error';
import { requireDuration, requireOptionalFunction } from '../validate';

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

/** {@link checkTransportOptions}, throwing the {@link ConfigError} (for the validation of static options). */
export function requireValidTransportOptions(field: string, options: unknown): void {
  if (typeof options !== 'object' || options === null) return; // the shape is checked by validateTransportOptions
  const {
    headers,
    origin,
    auth,
    protocolVersion,
    handshakeTimeout,
    agent,
    maxHeaderSize,
    finishRequest,
    generateMask,
    insecureHTTPParser,
    joinDuplicateHeaders,
    perMessageDeflate,
  } = options as Record<string, unknown>;
  if (typeof headers === 'object' && headers !== null) {
    for (const name of Object.keys(headers)) {
      if (!TOKEN.test(name)) throw new ConfigError(`${field}.headers`, name, 'header names that are RFC 7230 tokens');
      requireHeaderValue(`${field}.headers.${name}`, (headers as Record<string, unknown>)[name]);
    }
  }
  if (origin !== undefined) requireHeaderValue(`${field}.origin`, origin);
  if (auth !== undefined && typeof auth !== 'string') throw new ConfigError(`${field}.auth`, auth, 'a string (user:password)');
  if (protocolVersion !== undefined && protocolVersion !== 8 && protocolVersion !== 13) {
    throw new ConfigError(`${field}.protocolVersion`, protocolVersion, '8 or 13');
  }
  if (handshakeTimeout !== undefined) requireDuration(`${field}.handshakeTimeout`, handshakeTimeout);
  if (agent !== undefined && agent !== null && agent !== false && typeof (agent as { addRequest?: unknown }).addRequest !== 'function') {
    throw new ConfigError(`${field}.agent`, agent, 'an http.Agent, or false');
  }
  if (maxHeaderSize !== undefined && !(Number.isInteger(maxHeaderSize) && (maxHeaderSize as number) >= 0)) {
    throw new ConfigError(`${field}.maxHeaderSize`, maxHeaderSize, 'a non-negative integer (bytes)');
  }
  requireOptionalFunction(`${field}.finishRequest`, finishRequest);
  requireOptionalFunction(`${field}.generateMask`, generateMask);
  requireOptionalBoolean(`${field}.insecureHTTPParser`, insecureHTTPParser);
  requireOptionalBoolean(`${field}.joinDuplicateHeaders`, joinDuplicateHeaders);
  if (perMessageDeflate !== undefined && typeof perMessageDeflate !== 'boolean' && (typeof perMessageDeflate !== 'object' || perMessageDeflate === null)) {
    throw new ConfigError(`${field}.perMessageDeflate`, perMessageDeflate, 'a boolean or an options object');
  }
}

function requireHeaderValue(field: string, value: unknown): void {
  if (typeof value !== 'string' || NOT_FIELD_CONTENT.test(value)) {
    throw new ConfigError(field, value, 'a header value: a string without CR, LF or other control characters');
  }
}

function requireOptionalBoolean(field: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') throw new ConfigError(field, value, 'a boolean');
}
