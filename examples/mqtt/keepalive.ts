import type { Packet } from 'mqtt-packet';
import type { HeartbeatOptions } from '../../lib';

/**
 * MQTT keepalive as the connection's heartbeat: a PINGREQ whenever the client has written
 * nothing for the keepalive (`outbound`; the broker drops a client silent for 1.5 × keepalive),
 * or heard nothing for as long; PINGRESP is the pong (swallowed, not on `packets$`). A PINGREQ
 * unanswered for one more keepalive makes the link stale, and the client reconnects.
 */
export function mqttKeepalive(keepaliveSeconds: number): HeartbeatOptions<Packet, Packet> {
  const ms = keepaliveSeconds * 1000;
  return {
    interval: ms,
    timeout: ms,
    message: { cmd: 'pingreq' },
    isPong: (packet) => packet.cmd === 'pingresp',
    outbound: true,
  };
}
