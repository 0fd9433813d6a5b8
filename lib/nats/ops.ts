/**
 * The NATS client protocol as messages: what the server sends ({@link NatsServerOp}, the
 * connection's `In`) and what the client sends ({@link NatsClientOp}, its `Out`).
 * See https://docs.nats.io/reference/reference-protocols/nats-protocol.
 */

/** The server's `INFO`: who it is and what it supports (only the fields this client reads are typed). */
export interface NatsInfo {
  /** The server's unique id. */
  readonly server_id: string;
  /** The server's configured name. */
  readonly server_name?: string;
  /** The nats-server version. */
  readonly version?: string;
  /** The protocol version it speaks (1 for async INFO support). */
  readonly proto?: number;
  /** Largest payload a `PUB` may carry, in bytes. */
  readonly max_payload: number;
  /** The server understands `HPUB`/`HMSG` (and therefore no-responders statuses). */
  readonly headers?: boolean;
  /** The server requires credentials in `CONNECT`. */
  readonly auth_required?: boolean;
  /**
   * Other servers of the cluster, as `host:port` (for a WebSocket client: their WebSocket
   * listeners). Only well-formed entries are kept; the others are in the `INFO` operation's
   * `malformedConnectUrls` (and reported on `errors$`).
   */
  readonly connect_urls?: readonly string[];
  /** A challenge to sign with the user's nkey (nkey and JWT authentication). */
  readonly nonce?: string;
  /** Lame-duck mode: the server is about to stop and wants its clients elsewhere. */
  readonly ldm?: boolean;
  /** Any other field the server sends. */
  readonly [field: string]: unknown;
}

/** The fields of `CONNECT`. */
export interface NatsConnectInfo {
  /** 1: the client understands async `INFO` (cluster discovery, lame duck). */
  readonly protocol: 1;
  /** No `+OK` after every operation. */
  readonly verbose: false;
  /** No strict subject checking by the server. */
  readonly pedantic: false;
  /** The client library. */
  readonly lang: string;
  /** The client library's version. */
  readonly version: string;
  /** The client understands `HMSG` (sent when the server's `INFO.headers` is true). */
  readonly headers?: boolean;
  /** Answer a request nobody subscribes to with a 503 status (needs `headers`). */
  readonly no_responders?: boolean;
  /** The connection's name. */
  readonly name?: string;
  /** Token authentication. */
  readonly auth_token?: string;
  /** User authentication: the user name. */
  readonly user?: string;
  /** User authentication: the password. */
  readonly pass?: string;
  /** NKey authentication: the public key of the user's nkey. */
  readonly nkey?: string;
  /** The server's `INFO.nonce` signed with the user's nkey, base64url. */
  readonly sig?: string;
  /** JWT authentication: the user's JWT. */
  readonly jwt?: string;
}

/** Headers of an `HMSG`: each name with its values in order. */
export type NatsHeaders = Readonly<Record<string, readonly string[]>>;

/** `MSG` or `HMSG`: a message for subscription `sid`. */
export interface NatsMsgOp {
  readonly op: 'MSG';
  /** The subject it was published to. */
  readonly subject: string;
  /** The subscription it is for. */
  readonly sid: number;
  /** The publisher's reply subject, if any. */
  readonly reply?: string;
  /** The payload (without headers). */
  readonly data: Uint8Array;
  /** Present for an `HMSG`. */
  readonly headers?: NatsHeaders;
  /** The status code of an `HMSG` status line (`NATS/1.0 503` → 503). */
  readonly status?: number;
}

/** A protocol operation sent by the server, as the NATS codec decodes it. */
export type NatsServerOp =
  | {
      readonly op: 'INFO';
      readonly info: NatsInfo;
      /** Entries of the server's `connect_urls` that are not `host:port`: skipped, never used. */
      readonly malformedConnectUrls?: readonly unknown[];
    }
  | NatsMsgOp
  | { readonly op: 'PING' }
  | { readonly op: 'PONG' }
  | { readonly op: '+OK' }
  | { readonly op: '-ERR'; readonly message: string };

/** A protocol operation sent by the client, as the NATS codec encodes it. */
export type NatsClientOp =
  /** `CONNECT` followed by `PING` in the same frame: the handshake, acked by the `PONG`. */
  | { readonly op: 'CONNECT'; readonly connect: NatsConnectInfo }
  /** `PUB`, or `HPUB` when `headers` is set. */
  | {
      readonly op: 'PUB';
      readonly subject: string;
      readonly reply?: string;
      readonly data: Uint8Array;
      readonly headers?: NatsHeaders;
    }
  /** `SUB`, followed in the same frame by `UNSUB <sid> <max>` when `max` is set (the server's auto-unsubscribe). */
  | { readonly op: 'SUB'; readonly subject: string; readonly queue?: string; readonly sid: number; readonly max?: number }
  | { readonly op: 'UNSUB'; readonly sid: number; readonly max?: number }
  | { readonly op: 'PING' }
  | { readonly op: 'PONG' };
