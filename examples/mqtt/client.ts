import type { IPublishPacket, Packet } from 'mqtt-packet';
import { filter, map, type Observable } from 'rxjs';
import {
  connect,
  ConnectionClosedError,
  type Connection,
  type ConnectionEvent,
  type ConnectionState,
  type RetryOptions,
  type UrlOption,
} from '../../lib';
import { mqttCodec } from './codec';
import { DEFAULT_KEEPALIVE_SECONDS, mqttHandshake, type MqttSessionOptions } from './handshake';
import { InflightPublishes } from './inflight';
import { mqttKeepalive } from './keepalive';
import { PacketIds } from './packet-ids';
import { isPublish, subscriptionKey, subscriptionSpec } from './subscription';

/** Options of {@link mqttConnect}: the session (client id, keepalive…) and the connection's policies. */
export interface MqttConnectOptions extends MqttSessionOptions {
  /** The broker's WebSocket listener (`ws://host:port`), a pool, or a factory: see `connect()`. */
  url: UrlOption;
  /**
   * Reconnection policy of the core.
   * @default the core's: exponential backoff up to 30 s, unlimited attempts
   */
  retry?: RetryOptions | false;
  /**
   * Ms an attempt (socket open and CONNACK) may take.
   * @default 10000
   */
  connectTimeout?: number;
}

/** An application message received on a subscription. */
export interface MqttMessage {
  readonly topic: string;
  readonly payload: Buffer;
  /** The QoS it was delivered with (at most the subscription's). */
  readonly qos: 0 | 1;
  /** A retained message, sent because the subscription is new. */
  readonly retain: boolean;
  /** A retransmission: QoS 1 is at least once, so this message may have been delivered before. */
  readonly dup: boolean;
}

/** Options of {@link MqttClient.publish}. */
export interface MqttPublishOptions {
  /**
   * 0: at most once (buffered while offline like any `send()`); 1: at least once, kept until the
   * broker's PUBACK and resent with DUP on every new link until then.
   * @default 0
   */
  qos?: 0 | 1;
  /** @default false */
  retain?: boolean;
}

/**
 * An MQTT 3.1.1 client built only on rx-reconnect's public API. Subscriptions are channels
 * (replayed, each confirmed by its SUBACK, on every link), the keepalive is the heartbeat, the
 * CONNECT is the handshake.
 */
export interface MqttClient {
  /** The connection's lifecycle events (see rx-reconnect's `ConnectionEvent`). */
  readonly events$: Observable<ConnectionEvent<Packet>>;
  /** The connection's state, replayed. */
  readonly state$: Observable<ConnectionState>;
  /** Every inbound packet (PINGRESPs excepted): CONNACK, SUBACK, PUBLISH, PUBACK… */
  readonly packets$: Observable<Packet>;
  /**
   * Subscribes to a topic filter while subscribed to (SUBSCRIBE on the first subscriber,
   * UNSUBSCRIBE when the last leaves); re-subscribed on every new link. Errors with
   * `SubscriptionRejectedError` when the broker refuses it (SUBACK 0x80).
   */
  subscribe(filter: string, qos?: 0 | 1): Observable<MqttMessage>;
  /**
   * Publishes. QoS 0 settles once written or buffered; QoS 1 at the broker's PUBACK. Rejects
   * (never drops silently) when the core refuses the send or the connection ends first
   * (`ConnectionClosedError`).
   */
  publish(topic: string, payload: string | Uint8Array, options?: MqttPublishOptions): Promise<void>;
  /** QoS 1 publishes waiting for their PUBACK. */
  readonly inflight: number;
  /** QoS 1 retransmissions (PUBLISH with DUP) written so far. */
  readonly resent: number;
  /** Sends DISCONNECT if a link is up, then closes for good. */
  close(): void;
}

/**
 * Connects to an MQTT broker over its WebSocket listener (subprotocol `mqtt`).
 *
 * @example
 * ```ts
 * const mqtt = mqttConnect({ url: 'ws://127.0.0.1:8080', clientId: 'dashboard-1', keepalive: 30 });
 * mqtt.subscribe('sensors/kitchen/temp', 1).subscribe({ next: (m) => show(m.payload), error: report });
 * await mqtt.publish('commands/heater', 'on', { qos: 1 }); // settles at PUBACK, across reconnects
 * ```
 */
export function mqttConnect(options: MqttConnectOptions): MqttClient {
  const { url, retry, connectTimeout, ...session } = options;
  const keepalive = session.keepalive ?? DEFAULT_KEEPALIVE_SECONDS;
  const conn: Connection<Packet, Packet> = connect<Packet, Packet>({
    url,
    protocols: 'mqtt',
    codec: mqttCodec,
    handshake: mqttHandshake(session),
    heartbeat: keepalive > 0 ? mqttKeepalive(keepalive) : false,
    route: (packet) => (isPublish(packet) ? subscriptionKey(packet.topic) : undefined),
    ...(retry === undefined ? {} : { retry }),
    ...(connectTimeout === undefined ? {} : { connectTimeout }),
  });
  const ids = new PacketIds();
  const inflight = new InflightPublishes((packet) => conn.sendNow(packet), ids);
  let closed: ConnectionClosedError | undefined;

  conn.events$.subscribe((event) => {
    switch (event.type) {
      case 'Connected':
      case 'SubscriptionsRestored':
        inflight.resume();
        break;
      case 'Disconnected':
        inflight.pause();
        break;
      case 'Closed':
        closed = new ConnectionClosedError(event.reason, event.error);
        inflight.abort(closed);
        break;
    }
  });
  conn.messages$.subscribe({
    next: (packet) => {
      if (packet.cmd === 'puback' && packet.messageId !== undefined) inflight.ack(packet.messageId);
      // Acked on arrival, on the link it came from (a PUBACK is meaningless on another link).
      if (isPublish(packet) && packet.qos === 1) conn.sendNow({ cmd: 'puback', messageId: packet.messageId });
    },
    error: () => undefined, // the end of the connection is reported by events$ (Closed)
  });

  return {
    events$: conn.events$,
    state$: conn.state$,
    packets$: conn.messages$,
    subscribe: (topicFilter, qos = 0) =>
      conn.channel(subscriptionSpec(topicFilter, qos, ids)).pipe(filter(isPublish), map(toMessage)),
    publish: (topic, payload, { qos = 0, retain = false } = {}) => {
      const bytes = typeof payload === 'string' ? payload : Buffer.from(payload);
      if (closed) return Promise.reject(closed);
      if (qos === 1) return inflight.add(topic, bytes, retain);
      try {
        conn.send({ cmd: 'publish', topic, payload: bytes, qos: 0, dup: false, retain });
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error);
      }
    },
    get inflight() {
      return inflight.size;
    },
    get resent() {
      return inflight.resent;
    },
    close: () => {
      conn.sendNow({ cmd: 'disconnect' });
      conn.close();
    },
  };
}

function toMessage(packet: IPublishPacket): MqttMessage {
  return {
    topic: packet.topic,
    payload: typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload,
    qos: packet.qos === 0 ? 0 : 1,
    retain: packet.retain,
    dup: packet.dup,
  };
}
