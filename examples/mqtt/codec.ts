import { generate, parser, type Packet } from 'mqtt-packet';
import type { Codec } from '../../lib';

/**
 * MQTT 3.1.1 packets over binary WebSocket frames. A WebSocket frame is not an MQTT packet: a
 * broker may split a packet across frames or join several in one, so every link gets a fresh
 * streaming parser that keeps partial input between frames.
 *
 * @example
 * ```ts
 * connect<Packet, Packet>({ url: 'ws://127.0.0.1:8080', protocols: 'mqtt', codec: mqttCodec });
 * ```
 */
export const mqttCodec: Codec<Packet, Packet> = {
  encode: (packet) => generate(packet),
  decoder: () => {
    let current = parser({ protocolVersion: 4 });
    return (frame) => {
      if (!(frame instanceof ArrayBuffer) && !ArrayBuffer.isView(frame)) {
        throw new TypeError('MQTT over WebSocket uses binary frames only (got a text frame)');
      }
      const bytes =
        frame instanceof ArrayBuffer ? Buffer.from(frame) : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
      const packets: Packet[] = [];
      let failure: unknown;
      const onPacket = (packet: Packet): void => void packets.push(packet);
      const onError = (error: unknown): void => void (failure ??= error);
      current.on('packet', onPacket).on('error', onError);
      try {
        current.parse(bytes);
      } finally {
        current.removeListener('packet', onPacket).removeListener('error', onError);
      }
      if (failure !== undefined) {
        // The parser's position in the stream is lost: start afresh, report the frame.
        current = parser({ protocolVersion: 4 });
        throw failure;
      }
      return packets;
    };
  },
};
