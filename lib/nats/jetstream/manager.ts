import { defer, map, type Observable } from 'rxjs';
import { NatsArgumentError } from '../errors/nats-argument-error';
import type { NatsConnection } from '../nats-connection';
import { apiRequest, checkName, resolveJetStreamOptions, type JetStreamOptions, type ResolvedJetStreamOptions } from './api';
import type { ConsumerConfig, ConsumerInfo, StreamConfig, StreamInfo } from './types';

/** Streams through `$JS.API.STREAM.*` (see {@link JetStreamManager}). */
export interface StreamApi {
  /** Creates a stream (`STREAM.CREATE`); one that exists with the same configuration is answered as created. */
  add(config: StreamConfig): Observable<StreamInfo>;
  /** A stream's configuration, state and cluster (`STREAM.INFO`): its leader is `cluster.leader`. */
  info(name: string): Observable<StreamInfo>;
  /** Deletes a stream and its messages (`STREAM.DELETE`); emits `true`. */
  delete(name: string): Observable<boolean>;
}

/** Consumers through `$JS.API.CONSUMER.*` (see {@link JetStreamManager}). */
export interface ConsumerApi {
  /**
   * Creates a consumer on `stream`: durable (`CONSUMER.DURABLE.CREATE`) when
   * `config.durable_name` is set, else ephemeral (`CONSUMER.CREATE`, the server names it).
   */
  add(stream: string, config: ConsumerConfig): Observable<ConsumerInfo>;
  /** A consumer's configuration and positions (`CONSUMER.INFO`). */
  info(stream: string, name: string): Observable<ConsumerInfo>;
  /** Deletes a consumer (`CONSUMER.DELETE`); emits `true`. */
  delete(stream: string, name: string): Observable<boolean>;
}

/**
 * JetStream management over a {@link NatsConnection} (made by {@link jetstreamManager}). Every
 * method is cold: the request goes out when subscribed (buffered while offline, like any
 * request), emits the server's answer once and completes. Errors: {@link JetStreamApiError}
 * for the server's refusal (`code`, `errCode`, `description`), `NatsTimeoutError` when no
 * answer came in time, `NatsNoRespondersError` when JetStream is not enabled, and
 * `NatsArgumentError` for a bad name or configuration (nothing is sent).
 */
export interface JetStreamManager {
  /** Streams: add, info, delete. */
  readonly streams: StreamApi;
  /** Consumers: add, info, delete. */
  readonly consumers: ConsumerApi;
}

/**
 * Manages JetStream streams and consumers through `$JS.API` on `nc`. Throws
 * `NatsArgumentError`/`ConfigError` for bad options.
 *
 * @example
 * ```ts
 * const jsm = jetstreamManager(nc);
 * jsm.streams.add({ name: 'ORDERS', subjects: ['orders.>'], num_replicas: 3 }).subscribe((info) => console.log(info.cluster?.leader));
 * ```
 */
export function jetstreamManager(nc: NatsConnection, options?: JetStreamOptions): JetStreamManager {
  const resolved = resolveJetStreamOptions(options);
  return { streams: streamApi(nc, resolved), consumers: consumerApi(nc, resolved) };
}

/** An argument check inside a cold Observable: a throw errors it, nothing is sent. */
function checked<T>(build: () => Observable<T>): Observable<T> {
  return defer(build);
}

function checkConfig(config: unknown): Record<string, unknown> {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new NatsArgumentError('config', config, 'an object');
  }
  return config as Record<string, unknown>;
}

function streamApi(nc: NatsConnection, options: ResolvedJetStreamOptions): StreamApi {
  return {
    add: (config) =>
      checked(() => {
        const name = checkName('config.name', checkConfig(config).name);
        const subjects: unknown = config.subjects;
        if (subjects !== undefined && !(Array.isArray(subjects) && subjects.every((s) => typeof s === 'string' && s !== ''))) {
          throw new NatsArgumentError('config.subjects', subjects, 'a list of subjects');
        }
        const replicas: unknown = config.num_replicas;
        if (replicas !== undefined && !(typeof replicas === 'number' && Number.isInteger(replicas) && replicas >= 1 && replicas <= 5)) {
          throw new NatsArgumentError('config.num_replicas', replicas, 'a whole number from 1 to 5');
        }
        return apiRequest<StreamInfo>(nc, options, `STREAM.CREATE.${name}`, config);
      }),
    info: (name) => checked(() => apiRequest<StreamInfo>(nc, options, `STREAM.INFO.${checkName('name', name)}`, undefined)),
    delete: (name) =>
      checked(() =>
        apiRequest<{ success: boolean }>(nc, options, `STREAM.DELETE.${checkName('name', name)}`, undefined).pipe(
          map((answer) => answer.success === true),
        ),
      ),
  };
}

function consumerApi(nc: NatsConnection, options: ResolvedJetStreamOptions): ConsumerApi {
  return {
    add: (stream, config) =>
      checked(() => {
        const streamName = checkName('stream', stream);
        const body = checkConfig(config);
        const durable = body.durable_name === undefined ? undefined : checkName('config.durable_name', body.durable_name);
        const start: unknown = body.opt_start_seq;
        if (start !== undefined && !(typeof start === 'number' && Number.isSafeInteger(start) && start >= 1)) {
          throw new NatsArgumentError('config.opt_start_seq', start, 'a whole number from 1');
        }
        const operation =
          durable === undefined ? `CONSUMER.CREATE.${streamName}` : `CONSUMER.DURABLE.CREATE.${streamName}.${durable}`;
        return apiRequest<ConsumerInfo>(nc, options, operation, { stream_name: streamName, config });
      }),
    info: (stream, name) =>
      checked(() =>
        apiRequest<ConsumerInfo>(nc, options, `CONSUMER.INFO.${checkName('stream', stream)}.${checkName('name', name)}`, undefined),
      ),
    delete: (stream, name) =>
      checked(() =>
        apiRequest<{ success: boolean }>(
          nc,
          options,
          `CONSUMER.DELETE.${checkName('stream', stream)}.${checkName('name', name)}`,
          undefined,
        ).pipe(map((answer) => answer.success === true)),
      ),
  };
}
