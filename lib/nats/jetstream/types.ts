/**
 * The JetStream API's JSON, typed as far as a client needs it: field names are the wire's
 * (snake_case, as nats.js has them); durations are nanoseconds, as on the wire.
 */

/** Where a stream keeps its messages. */
export type StorageType = 'file' | 'memory';
/** What a stream does when a limit is reached. */
export type DiscardPolicy = 'old' | 'new';
/** When a stream forgets a message. */
export type RetentionPolicy = 'limits' | 'interest' | 'workqueue';
/** Where a new consumer starts in its stream. */
export type DeliverPolicy = 'all' | 'last' | 'new' | 'by_start_sequence' | 'by_start_time' | 'last_per_subject';
/** Which messages a consumer's client must acknowledge. */
export type AckPolicy = 'none' | 'all' | 'explicit';
/** How fast a consumer sends the stream's existing messages. */
export type ReplayPolicy = 'instant' | 'original';

/** A stream's configuration (`$JS.API.STREAM.CREATE`); only `name` and `subjects` are needed. */
export interface StreamConfig {
  /** The stream's name: no spaces, `.`, `*`, `>`. */
  readonly name: string;
  /** The subjects it stores (wildcards allowed). */
  readonly subjects?: readonly string[];
  /** @default 'limits' */
  readonly retention?: RetentionPolicy;
  /** @default 'file' */
  readonly storage?: StorageType;
  /** Copies kept in a cluster: 1, 3 or 5 (an odd number up to 5). @default 1 */
  readonly num_replicas?: number;
  /** Messages kept at most. @default -1 (no limit) */
  readonly max_msgs?: number;
  /** Bytes kept at most. @default -1 (no limit) */
  readonly max_bytes?: number;
  /** Age of the oldest message kept, ns. @default 0 (no limit) */
  readonly max_age?: number;
  /** Largest message accepted, bytes. @default -1 (the server's max_payload) */
  readonly max_msg_size?: number;
  /** @default 'old' */
  readonly discard?: DiscardPolicy;
  /** The window, ns, in which a repeated `Nats-Msg-Id` is dropped as a duplicate. @default 120000000000 (2 min) */
  readonly duplicate_window?: number;
  /** A description. @default none */
  readonly description?: string;
  /** Any other field nats-server accepts. */
  readonly [field: string]: unknown;
}

/** A stream's cluster: its leader and replicas. */
export interface StreamClusterInfo {
  /** The cluster's name. */
  readonly name?: string;
  /** The `server_name` of the stream's leader (absent while there is none). */
  readonly leader?: string;
  /** The other replicas. */
  readonly replicas?: ReadonlyArray<{
    /** Its `server_name`. */
    readonly name: string;
    /** Whether it has every message the leader has. */
    readonly current: boolean;
    /** Whether it is unreachable. */
    readonly offline?: boolean;
    /** Ns since the leader last heard from it. */
    readonly active?: number;
    /** Operations it is behind. */
    readonly lag?: number;
  }>;
}

/** A stream's message counts (`state` of {@link StreamInfo}). */
export interface StreamState {
  /** Messages held. */
  readonly messages: number;
  /** Bytes held. */
  readonly bytes: number;
  /** Sequence of the oldest message held. */
  readonly first_seq: number;
  /** Sequence of the newest message. */
  readonly last_seq: number;
  /** Consumers attached. */
  readonly consumer_count: number;
}

/** What `$JS.API.STREAM.INFO` and `STREAM.CREATE` answer. */
export interface StreamInfo {
  /** The stream's configuration, defaults filled in by the server. */
  readonly config: StreamConfig;
  /** Its message counts. */
  readonly state: StreamState;
  /** ISO time of its creation. */
  readonly created: string;
  /** Its leader and replicas, in a cluster. */
  readonly cluster?: StreamClusterInfo;
}

/** A consumer's configuration (`$JS.API.CONSUMER.CREATE`). */
export interface ConsumerConfig {
  /** A durable consumer's name (survives its clients); none for an ephemeral one. @default none */
  readonly durable_name?: string;
  /** A description. @default none */
  readonly description?: string;
  /** For a push consumer: the subject it sends messages to. @default none (a pull consumer) */
  readonly deliver_subject?: string;
  /** @default 'all' */
  readonly deliver_policy?: DeliverPolicy;
  /** The first stream sequence, with `deliver_policy: 'by_start_sequence'`. @default none */
  readonly opt_start_seq?: number;
  /** @default 'explicit' (nats-server's default for pull consumers; 'none' for ordered ones) */
  readonly ack_policy?: AckPolicy;
  /** Ns to wait for an ack before redelivering. @default 30000000000 (30 s) */
  readonly ack_wait?: number;
  /** Deliveries of one message at most. @default -1 (no limit) */
  readonly max_deliver?: number;
  /** Only the stream's messages on this subject. @default all of them */
  readonly filter_subject?: string;
  /** @default 'instant' */
  readonly replay_policy?: ReplayPolicy;
  /** Unacknowledged messages at most. @default 1000 */
  readonly max_ack_pending?: number;
  /** Push consumers: an empty heartbeat after this many ns without messages. @default 0 (none) */
  readonly idle_heartbeat?: number;
  /** Push consumers: flow control messages the client answers. @default false */
  readonly flow_control?: boolean;
  /** Ns without interest after which the server deletes the consumer. @default 5 s for an ephemeral one */
  readonly inactive_threshold?: number;
  /** Copies kept in a cluster (0: the stream's). @default 0 */
  readonly num_replicas?: number;
  /** Keep its state in memory. @default false */
  readonly mem_storage?: boolean;
  /** Any other field nats-server accepts. */
  readonly [field: string]: unknown;
}

/** A delivery position: a consumer's sequence and the stream's. */
export interface SequenceInfo {
  /** The consumer's sequence. */
  readonly consumer_seq: number;
  /** The stream's sequence. */
  readonly stream_seq: number;
}

/** What `$JS.API.CONSUMER.INFO` and `CONSUMER.CREATE` answer. */
export interface ConsumerInfo {
  /** The stream it reads. */
  readonly stream_name: string;
  /** Its name (server-chosen for an ephemeral consumer). */
  readonly name: string;
  /** Its configuration, defaults filled in by the server. */
  readonly config: ConsumerConfig;
  /** ISO time of its creation. */
  readonly created: string;
  /** The last message delivered. */
  readonly delivered: SequenceInfo;
  /** The last message acknowledged (with every one before it). */
  readonly ack_floor: SequenceInfo;
  /** Messages delivered and not acknowledged. */
  readonly num_ack_pending: number;
  /** Messages waiting to be redelivered. */
  readonly num_redelivered: number;
  /** Messages not yet delivered. */
  readonly num_pending: number;
  /** Its leader and replicas, in a cluster. */
  readonly cluster?: StreamClusterInfo;
}

/**
 * A stream's acknowledgement of a publish: the message is stored (on a quorum of its replicas)
 * under `seq`. `duplicate` is true when the stream already had a message with this
 * `Nats-Msg-Id` within its duplicate window (then `seq` is that message's).
 */
export interface PubAck {
  /** The stream that stored it. */
  readonly stream: string;
  /** Its sequence in the stream. */
  readonly seq: number;
  /** True when the stream had already stored it (the same `Nats-Msg-Id`): nothing was added. */
  readonly duplicate?: boolean;
  /** The JetStream domain, if any. */
  readonly domain?: string;
}
