import { DEVELOPMENT } from '../development';
import { invalid, isOptionsObject } from '../validate';
import { checkNodeTransportOptions } from './node-transport-options';

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
 * Checks one attempt's transport options: undefined, or a plain object whose fields pass
 * {@link TRANSPORT_SCHEMA} (headers, sizes and the `ws` client options `ws` would refuse).
 * Throws {@link ConfigError} naming `field` (`transport`, `transport.headers.x-token`…).
 */
export function validateTransportOptions(field: string, options: unknown): asserts options is TransportOptions | undefined {
  if (options === undefined) return;
  if (!isOptionsObject(options)) invalid(field, options, DEVELOPMENT ? 'an object of WebSocket client options' : '');
  checkNodeTransportOptions(field, options); // the `ws` client options: Node only (browsers ignore them)
}

/** Checks the `transport` option itself: an options object (checked) or a factory; returns it. */
export function validateTransportOption(option: unknown, field: string): TransportOption | undefined {
  if (typeof option !== 'function') validateTransportOptions(field, option);
  return option as TransportOption | undefined;
}
