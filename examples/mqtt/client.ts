import type { IPublishPacket, Packet } from 'mqtt-packet';
import { Observable } from 'rxjs';
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
import { SubscriptionFanout, type OverlapCopies } from './fanout';
import { DEFAULT_KEEPALIVE_SECONDS, mqttHandshake, type MqttSessionOptions } from './handshake';
import { InboundQos2 } from './inbound';
import { InflightPublishes } from './inflight';
import { mqttKeepalive } from './keepalive';
import { PacketIds } from './packet-ids';
import { subscriptionSpec } from './subscription';

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
  /**
   * What the broker sends for a PUBLISH matching several of this client's subscriptions: one
   * copy (`'one'`: mosquitto 2's default, HiveMQ, EMQX) or one per matching subscription
   * (`'per-subscription'`: mosquitto with `allow_duplicate_messages true`). Either way each
   * matching subscription receives the message once; a wrong setting delivers it twice (`'one'`
   * on a broker that sends copies) or to one subscription only.
   * @default 'one'
   */
  overlap?: OverlapCopies;
  /**
   * QoS 2 publishes written and not yet completed (PUBCOMP) at once; later ones wait their turn.
   * Keep it at most the broker's limit: mosquitto silently drops a 3.1.1 client's QoS 2 PUBLISH
   * beyond `max_inflight_messages` (20 by default) held until PUBREL.
   * @default 20
   */
  maxInflightQos2?: number;
  /**
   * Ms a QoS 1 or 2 publish may wait for its PUBACK or PUBREC (across reconnects) before it
   * rejects with `AckTimeoutError` and is no longer resent. A QoS 2 PUBREL is kept until PUBCOMP.
   * @default 30000 (the core's acked send)
   */
  publishTimeout?: number;
}

/** An application message received on a subscription. */
export interface MqttMessage {
  readonly topic: string;
  readonly payload: Buffer;
  /** The QoS it was delivered with (at most the subscription's). */
  readonly qos: 0 | 1 | 2;
  /** A retained message, sent because the subscription is new. */
  readonly retain: boolean;
  /**
   * A retransmission: QoS 1 is at least once, so this message may have been delivered before.
   * (A QoS 2 retransmission is recognised by its packet id and never delivered twice.)
   */
  readonly dup: boolean;
}

/** Options of {@link MqttClient.publish}. */
export interface MqttPublishOptions {
  /**
   * 0: at most once (buffered while offline like any `send()`); 1: at least once, kept until the
   * broker's PUBACK and resent with DUP on every new link until then (at most `publishTimeout`);
   * 2: exactly once, the PUBLISH kept and resent with DUP until PUBREC (at most
   * `publishTimeout`), then the PUBREL until PUBCOMP.
   * @default 0
   */
  qos?: 0 | 1 | 2;
  /** @default false */
  retain?: boolean;
}

/**
 * An MQTT 3.1.1 client built only on rx-reconnect's public API. Subscriptions are channels
 * (replayed, each confirmed by its SUBACK, on every link), the keepalive is the heartbeat, the
 * CONNECT is the handshake, QoS 1 and 2 publishes are the acked send.
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
   * `SubscriptionRejectedError` when the broker refuses it (SUBACK 0x80). A message matching
   * several subscriptions (`a/b` and `a/+`) reaches each of them once (see `overlap`).
   */
  subscribe(filter: string, qos?: 0 | 1 | 2): Observable<MqttMessage>;
  /**
   * Publishes. QoS 0 settles once written or buffered; QoS 1 at the broker's PUBACK, QoS 2 at
   * its PUBCOMP. Rejects (never drops silently) when the core refuses the send
   * (`BufferOverflowError`…), no ack comes in time (`AckTimeoutError`) or the connection ends
   * first (`ConnectionClosedError`).
   */
  publish(topic: string, payload: string | Uint8Array, options?: MqttPublishOptions): Promise<void>;
  /** QoS 1 and 2 publishes not yet completed (PUBACK, or PUBCOMP). */
  readonly inflight: number;
  /** QoS 1 and 2 publishes written again with DUP on a later link (each counted once). */
  readonly resent: number;
  /** Drops the link and starts a new one at once (the core's `reconnect()`). */
  reconnect(): void;
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
  const { url, retry, connectTimeout, overlap, maxInflightQos2, publishTimeout, ...session } = options;
  const keepalive = session.keepalive ?? DEFAULT_KEEPALIVE_SECONDS;
  const conn: Connection<Packet, Packet> = connect<Packet, Packet>({
    url,
    protocols: 'mqtt',
    codec: mqttCodec,
    handshake: mqttHandshake(session),
    heartbeat: keepalive > 0 ? mqttKeepalive(keepalive) : false,
    ...(retry === undefined ? {} : { retry }),
    ...(connectTimeout === undefined ? {} : { connectTimeout }),
  });
  const ids = new PacketIds();
  const inflight = new InflightPublishes(conn, ids, {
    ...(publishTimeout === undefined ? {} : { timeout: publishTimeout }),
    ...(maxInflightQos2 === undefined ? {} : { maxQos2: maxInflightQos2 }),
  });
  const inbound = new InboundQos2();
  const fanout = new SubscriptionFanout(overlap);
  let closed: ConnectionClosedError | undefined;

  conn.events$.subscribe((event) => {
    switch (event.type) {
      case 'Disconnected':
        fanout.linkLost();
        break;
      case 'Closed':
        closed = new ConnectionClosedError(event.reason, event.error);
        inflight.abort(closed);
        break;
    }
  });
  conn.messages$.subscribe({
    next: (packet) => {
      // Answers go out at once on the link the packet came from (meaningless on another link).
      switch (packet.cmd) {
        case 'connack':
          if (!packet.sessionPresent) inbound.reset();
          break;
        case 'publish':
          if (packet.qos === 2) {
            if (inbound.receive(packet.messageId!)) fanout.deliver(packet);
            conn.sendNow({ cmd: 'pubrec', messageId: packet.messageId });
          } else {
            fanout.deliver(packet);
            if (packet.qos === 1) conn.sendNow({ cmd: 'puback', messageId: packet.messageId });
          }
          break;
        case 'pubrel':
          inbound.release(packet.messageId!);
          conn.sendNow({ cmd: 'pubcomp', messageId: packet.messageId });
          break;
        case 'pubrec': {
          // PUBACK, PUBREC and PUBCOMP of our publishes are taken by the core's acked send.
          const pubrel = inflight.strayPubrec(packet.messageId!);
          if (pubrel) conn.sendNow(pubrel);
          break;
        }
        case 'unsuback':
          fanout.unsubscribed(packet.messageId!);
          break;
      }
    },
    error: () => undefined, // the end of the connection is reported by events$ (Closed)
  });

  return {
    events$: conn.events$,
    state$: conn.state$,
    packets$: conn.messages$,
    subscribe: (topicFilter, qos = 0) =>
      new Observable<MqttMessage>((subscriber) => {
        const stop = fanout.listen(topicFilter, (packet) => subscriber.next(toMessage(packet)));
        // The channel carries the subscription (SUBSCRIBE, SUBACK, restore, UNSUBSCRIBE) and its
        // end; the messages come from the fan-out.
        const channel = conn.channel(subscriptionSpec(topicFilter, qos, ids, fanout)).subscribe({
          error: (error: unknown) => subscriber.error(error),
          complete: () => subscriber.complete(),
        });
        return () => {
          stop();
          channel.unsubscribe();
        };
      }),
    publish: (topic, payload, { qos = 0, retain = false } = {}) => {
      const bytes = typeof payload === 'string' ? payload : Buffer.from(payload);
      if (closed) return Promise.reject(closed);
      if (qos !== 0) return inflight.add(topic, bytes, retain, qos);
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
    reconnect: () => conn.reconnect(),
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
    qos: packet.qos,
    retain: packet.retain,
    dup: packet.dup,
  };
}
