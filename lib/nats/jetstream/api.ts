import { map, type Observable } from 'rxjs';
import { ConfigError } from '../../index';
import { NatsArgumentError } from '../errors/nats-argument-error';
import type { NatsConnection } from '../nats-connection';
import { MAX_TIMER_MS } from '../nats-connect-options';
import { JetStreamApiError, JetStreamResponseError, type JetStreamApiErrorBody } from './jetstream-api-error';

/** nats-server's JetStream API prefix in the default domain. */
export const DEFAULT_API_PREFIX = '$JS.API';

/** Options shared by {@link jetstream} and {@link jetstreamManager}. */
export interface JetStreamOptions {
  /**
   * The API prefix: `$JS.<domain>.API` for a JetStream domain, or an account export's prefix.
   * @default '$JS.API'
   */
  apiPrefix?: string;
  /**
   * Ms an API request (and, for {@link JetStreamClient.publish}, a PubAck) is waited for;
   * greater than 0 and at most 2^31 − 1.
   * @default the connection's `requestTimeout` (5000) for API requests; 30000 for PubAcks
   */
  timeout?: number;
}

/** {@link JetStreamOptions} checked; `timeout` undefined: each use's own default. */
export interface ResolvedJetStreamOptions {
  readonly apiPrefix: string;
  readonly timeout: number | undefined;
}

/** Checks {@link JetStreamOptions}; throws `NatsArgumentError` / `ConfigError` naming the field. */
export function resolveJetStreamOptions(options: unknown): ResolvedJetStreamOptions {
  if (options === undefined) return { apiPrefix: DEFAULT_API_PREFIX, timeout: undefined };
  if (typeof options !== 'object' || options === null) throw new NatsArgumentError('options', options, 'an object or undefined');
  const { apiPrefix = DEFAULT_API_PREFIX, timeout } = options as JetStreamOptions;
  if (typeof apiPrefix !== 'string' || !SUBJECT.test(apiPrefix) || apiPrefix.endsWith('.')) {
    throw new NatsArgumentError('options.apiPrefix', apiPrefix, 'a subject without wildcards, e.g. "$JS.API"');
  }
  return { apiPrefix, timeout: checkTimeout('options.timeout', timeout) };
}

/** A timeout option: undefined, or ms in (0, 2^31 − 1]; `ConfigError` otherwise. */
export function checkTimeout(field: string, timeout: unknown): number | undefined {
  if (timeout === undefined) return undefined;
  if (typeof timeout !== 'number' || !(timeout > 0 && timeout <= MAX_TIMER_MS)) {
    throw new ConfigError(field, timeout, `a number of ms greater than 0 and at most ${MAX_TIMER_MS}`);
  }
  return timeout;
}

/** A literal subject: tokens of visible characters, no wildcard, no whitespace. */
const SUBJECT = /^[^\s*>.]+(\.[^\s*>.]+)*$/;
/** A stream or consumer name: one token, no wildcard, no whitespace, no path separators. */
const NAME = /^[^\s*>./\\]+$/;

/** Checks a stream or consumer name; throws `NatsArgumentError` naming `argument`. */
export function checkName(argument: string, name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new NatsArgumentError(argument, name, 'a name without spaces, ".", "*", ">", "/" or "\\"');
  }
  return name;
}

const textDecoder = new TextDecoder('utf-8');

/** A JetStream API response body: its JSON, `error` as a {@link JetStreamApiError}. */
export function parseApiResponse<T>(subject: string, data: Uint8Array): T {
  const text = textDecoder.decode(data);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new JetStreamResponseError(subject, text.slice(0, 200));
  }
  if (typeof body !== 'object' || body === null) throw new JetStreamResponseError(subject, text.slice(0, 200));
  const error = (body as { error?: unknown }).error;
  if (error !== undefined) {
    if (typeof error !== 'object' || error === null) throw new JetStreamResponseError(subject, text.slice(0, 200));
    throw new JetStreamApiError(subject, error as JetStreamApiErrorBody);
  }
  return body as T;
}

/** One API request: `<prefix>.<operation>` with a JSON body; cold, one parsed answer then complete. */
export function apiRequest<T>(
  nc: NatsConnection,
  options: ResolvedJetStreamOptions,
  operation: string,
  body: unknown,
  timeout = options.timeout,
): Observable<T> {
  const subject = `${options.apiPrefix}.${operation}`;
  const payload = body === undefined ? '' : JSON.stringify(body);
  return nc
    .request(subject, payload, timeout === undefined ? {} : { timeout })
    .pipe(map((msg) => parseApiResponse<T>(subject, msg.data)));
}
