import { NatsError } from '../errors/nats-error';

/** The `error` object of a JetStream API response or PubAck, as the server sends it. */
export interface JetStreamApiErrorBody {
  /** HTTP-like status: 400 bad request, 404 not found, 503 unavailable… */
  readonly code: number;
  /** JetStream's own error code (e.g. 10059 stream not found, 10014 consumer not found). */
  readonly err_code?: number;
  /** What went wrong, in words. */
  readonly description?: string;
}

/**
 * The JetStream API refused a request, or a stream refused a publish: the server's
 * `{"error": {code, err_code, description}}`, typed.
 *
 * @example
 * ```ts
 * jsm.streams.info('NOPE').subscribe({ error: (e) => e instanceof JetStreamApiError && console.log(e.errCode) }); // 10059
 * ```
 */
export class JetStreamApiError extends NatsError {
  override readonly name = 'JetStreamApiError';
  /** HTTP-like status (`code`): 400, 404, 503… */
  readonly code: number;
  /** JetStream's error code (`err_code`), 0 when the server sent none. */
  readonly errCode: number;
  /** The server's description (`description`). */
  readonly description: string;

  constructor(
    /** The API subject (or, for a publish, the subject published to). */
    readonly subject: string,
    body: JetStreamApiErrorBody,
  ) {
    const description = typeof body.description === 'string' ? body.description : 'no description';
    super(`JetStream ${subject}: ${description} (code ${body.code}, err_code ${body.err_code ?? 0})`);
    this.code = typeof body.code === 'number' ? body.code : 0;
    this.errCode = typeof body.err_code === 'number' ? body.err_code : 0;
    this.description = description;
  }
}

/** Well-known `err_code`s of nats-server's JetStream API. */
export const JetStreamErrCode = Object.freeze({
  /** `stream not found`. */
  StreamNotFound: 10059,
  /** `consumer not found`. */
  ConsumerNotFound: 10014,
  /** `JetStream system temporarily unavailable` (no meta or stream leader yet). */
  ClusterNotAvailable: 10008,
  /** `JetStream not enabled for account`. */
  NotEnabledForAccount: 10039,
  /** `stream name already in use with a different configuration`. */
  StreamNameInUse: 10058,
});

/**
 * A JetStream response that is not JSON or not the shape expected (a server speaking another
 * version, or a reply that is not from JetStream).
 */
export class JetStreamResponseError extends NatsError {
  override readonly name = 'JetStreamResponseError';

  constructor(
    /** The API subject the request went to. */
    readonly subject: string,
    /** The response text (at most 200 characters). */
    readonly response: string,
  ) {
    super(`JetStream ${subject}: unexpected response ${JSON.stringify(response)}`);
  }
}
