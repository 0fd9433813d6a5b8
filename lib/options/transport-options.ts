import { DEVELOPMENT } from '../development';
import { ConfigError } from '../errors/config-error';
import { requireValidTransportOptions } from './transport-headers';

/**
 * Client options for the socket of each attempt: in Node, the third argument of `ws`'s
 * `WebSocket` constructor (any `ws` client option is passed on as given); browsers cannot set
 * any of them and ignore the object.
 */
export interface TransportOptions {
  /** Extra HTTP headers of the upgrade request (an `Authorization` header, say). */
  headers?: Readonly<Record<string, string>>;
  /** Largest inbound message, in bytes, before `ws` fails the link (`ws` default: 100 MiB). */
  maxPayload?: number;
  /** permessage-deflate: `false` to turn it off, or `ws`'s options object. */
  perMessageDeflate?: boolean | Readonly<Record<string, unknown>>;
  /** An `http.Agent` (a proxy agent, say). */
  agent?: object;
  /** Any other `ws` client option (`origin`, `family`, `localAddress`, TLS options…). */
  readonly [option: string]: unknown;
}

/** What a transport options factory is told about the attempt it is called for. */
export interface TransportContext {
  /** 0 for the initial connection; n for the n-th retry of an outage. */
  readonly attempt: number;
  /** The URL this attempt connects to. */
  readonly url: string;
}

/**
 * Client options for every attempt, or a factory called (and awaited) before each one, like
 * the URL factory: fresh auth headers per attempt.
 */
export type TransportOption =
  | TransportOptions
  | ((context: TransportContext) => TransportOptions | Promise<TransportOptions>);

/**
 * Checks one attempt's transport options: undefined, or a plain object whose `headers` (if
 * any) map names to strings and whose `maxPayload` (if any) is a non-negative integer.
 * Throws {@link ConfigError} naming `field`.
 */
export function validateTransportOptions(field: string, options: unknown): asserts options is TransportOptions | undefined {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError(field, options, DEVELOPMENT ? 'an object of WebSocket client options' : '');
  }
  const { headers, maxPayload } = options as TransportOptions;
  if (headers !== undefined) {
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
      throw new ConfigError(`${field}.headers`, headers, DEVELOPMENT ? 'an object of header names to strings' : '');
    }
    for (const name of Object.keys(headers)) {
      if (typeof headers[name] !== 'string') {
        throw new ConfigError(`${field}.headers.${name}`, headers[name], DEVELOPMENT ? 'a string' : '');
      }
    }
  }
  if (maxPayload !== undefined && !(Number.isInteger(maxPayload) && maxPayload >= 0)) {
    throw new ConfigError(`${field}.maxPayload`, maxPayload, DEVELOPMENT ? 'a non-negative integer (bytes)' : '');
  }
  requireValidTransportOptions(field, options);
}

/** Checks the `transport` option itself: an options object (checked) or a factory. */
export function validateTransportOption(option: unknown): asserts option is TransportOption | undefined {
  if (typeof option === 'function') return;
  validateTransportOptions('transport', option);
}
