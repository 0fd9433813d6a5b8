import type { IConnectPacket, Packet } from 'mqtt-packet';
import type { HandshakeOptions } from '../../lib';
import { MqttConnectRefusedError } from './connect-refused-error';

/** What goes into the CONNECT packet. */
export interface MqttSessionOptions {
  /** The client identifier; fixed, so that the broker finds the session again after a reconnect. */
  clientId: string;
  /**
   * MQTT's CleanSession flag: `false` asks the broker to keep subscriptions and queued QoS 1
   * messages while the client is away.
   * @default false
   */
  cleanSession?: boolean;
  /**
   * Seconds the client may stay silent; the broker drops it after 1.5 × this without a packet.
   * @default 60
   */
  keepalive?: number;
  /** @default none */
  username?: string;
  /** @default none */
  password?: string;
}

/** Default keepalive in seconds (the value mqtt.js uses). */
export const DEFAULT_KEEPALIVE_SECONDS = 60;

/**
 * CONNECT → CONNACK as the connection's handshake: sent first on every link; a CONNACK with
 * return code 0 opens the link, any other code is an {@link MqttConnectRefusedError} (fatal).
 */
export function mqttHandshake(session: MqttSessionOptions): HandshakeOptions<Packet, Packet> {
  const connect: IConnectPacket = {
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clientId: session.clientId,
    clean: session.cleanSession ?? false,
    keepalive: session.keepalive ?? DEFAULT_KEEPALIVE_SECONDS,
    ...(session.username === undefined ? {} : { username: session.username }),
    ...(session.password === undefined ? {} : { password: Buffer.from(session.password) }),
  };
  return {
    message: () => connect,
    ack: (packet) => {
      if (packet.cmd !== 'connack') return false;
      const code = packet.returnCode ?? 0;
      return code === 0 ? true : new MqttConnectRefusedError(code);
    },
  };
}
