/**
 * The checks of the `ws` client options in `transport` (headers, origin, agent, …). Node-only:
 * a browser's WebSocket takes no client options and ignores the object, so there these checks
 * would guard nothing. The ESM build reaches this module through `#node-transport-options`,
 * which outside the `node` condition is no-node-transport-options.ts (no check of the object's
 * fields; that it is an object, or a factory, is still checked: transport-options.ts). lib/ and
 * the CommonJS build always check (scripts/build.mjs).
 */
import { DEVELOPMENT } from '../development';
import { ConfigError, isConfigError } from '../errors/config-error';
import {
  HTTP_TOKEN, // a header name is a token
  invalid,
  isDuration,
  isNumberIn,
  isOptionsObject,
  optional,
  optionalBoolean,
  optionalFunction,
  rule,
} from '../validate';
import { applySchema, type OptionsSchema } from './schema';
import type { TransportOptions } from './transport-options';

/** What a header value may not hold: CR, LF, NUL and other controls, or a character past U+00FF (what Node refuses). */
const NOT_FIELD_CONTENT = /[^\t\x20-\x7e\x80-\xff]/;

const HEADER_VALUE = 'a header value (no CR, LF or other control characters)';

/** A whole number of bytes (no `Infinity`: `ws` and Node's `http` want a real size). */
const isByteCount = optional((value) => isNumberIn(value, 0, Number.MAX_VALUE, true));

/**
 * `headers`: an object mapping RFC 7230 tokens to header values (strings holding no CR, LF or
 * other control character); each value is read once.
 */
function headers(value: unknown, field: string): unknown {
  if (value === undefined) return value;
  if (!isOptionsObject(value)) invalid(field, value, DEVELOPMENT ? 'an object of header names to strings' : '');
  for (const name of Object.keys(value)) {
    const header = (value as Record<string, unknown>)[name];
    const headerField = `${field}.${name}`;
    if (typeof header !== 'string') invalid(headerField, header, DEVELOPMENT ? 'a string' : '');
    if (!HTTP_TOKEN.test(name)) invalid(field, name, DEVELOPMENT ? 'header names that are RFC 7230 tokens' : '');
    if (NOT_FIELD_CONTENT.test(header)) invalid(headerField, header, DEVELOPMENT ? HEADER_VALUE : '');
  }
  return value;
}

/**
 * The `ws` client options checked, each when given: what the upgrade request is built from —
 * `headers`, `origin` and `auth` — and what `ws` or Node's `http` reject on every attempt
 * (`protocolVersion` other than 8 or 13, a bad `handshakeTimeout`, `agent`, `maxHeaderSize` or
 * `maxPayload`, non-function `finishRequest` or `generateMask`, non-boolean `insecureHTTPParser`
 * or `joinDuplicateHeaders`, a `perMessageDeflate` that is neither a boolean nor an object).
 * Such options would fail every attempt the same way: a typed error names them instead of a
 * retry loop. Any other key is passed to `ws` unchecked.
 */
export const TRANSPORT_SCHEMA = {
  headers,
  maxPayload: rule(isByteCount, DEVELOPMENT ? 'a non-negative integer (bytes)' : ''),
  origin: rule(optional((value) => typeof value === 'string' && !NOT_FIELD_CONTENT.test(value)), DEVELOPMENT ? HEADER_VALUE : ''),
  auth: rule(optional((value) => typeof value === 'string'), DEVELOPMENT ? 'a string' : ''),
  protocolVersion: rule(optional((value) => value === 8 || value === 13), DEVELOPMENT ? '8 or 13' : ''),
  handshakeTimeout: rule(optional(isDuration), DEVELOPMENT ? 'a duration in ms' : ''),
  agent: rule(
    optional((value) => value === null || value === false || typeof (value as { addRequest?: unknown } | null)?.addRequest === 'function'),
    DEVELOPMENT ? 'an http.Agent, or false' : '',
  ),
  maxHeaderSize: rule(isByteCount, DEVELOPMENT ? 'a whole number of bytes' : ''),
  finishRequest: optionalFunction,
  generateMask: optionalFunction,
  insecureHTTPParser: optionalBoolean,
  joinDuplicateHeaders: optionalBoolean,
  perMessageDeflate: rule(
    optional((value) => typeof value === 'boolean' || (typeof value === 'object' && value !== null)),
    DEVELOPMENT ? 'a boolean or an object' : '',
  ),
} satisfies Partial<OptionsSchema<TransportOptions>>;

/**
 * Checks the `ws` client options of a `transport` options object (the static option, or a
 * factory's result), each field read once: throws the {@link ConfigError} naming the first
 * invalid field (`field.key`), or naming `field` when reading a field threw (see
 * {@link checkTransportOptions}).
 */
export function checkNodeTransportOptions(field: string, options: object): void {
  const error = checkTransportOptions(options, field);
  if (error !== undefined) throw error;
}

/**
 * {@link validateTransportOptions}'s check of an options object, returning the error instead of
 * throwing it: the {@link ConfigError} naming the first invalid field, or undefined when valid.
 * Fields are read once each; a getter that throws makes the options invalid too (a `ConfigError`
 * naming `field`).
 *
 * @param options a `transport` options object (the static option, or a factory's result)
 * @param field the name to report, `'transport'`
 */
export function checkTransportOptions(options: unknown, field: string): ConfigError | undefined {
  try {
    if (isOptionsObject(options)) applySchema(field, options, TRANSPORT_SCHEMA);
    return undefined;
  } catch (error) {
    if (isConfigError(error)) return error;
    return new ConfigError(field, options, DEVELOPMENT ? 'options whose fields can be read (reading one threw)' : '');
  }
}
