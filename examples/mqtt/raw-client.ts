import { generate, parser, type Packet } from 'mqtt-packet';
import WebSocket from 'ws';

/**
 * A bare MQTT-over-WebSocket client with no reconnection and no keepalive, for checking the
 * broker itself (the launcher, and that a silent client really is dropped).
 */
export class RawMqttClient {
  /** Every packet received, in order. */
  readonly packets: Packet[] = [];
  /** Resolves with the close code when the socket closes. */
  readonly closed: Promise<number>;
  private readonly socket: WebSocket;

  constructor(url: string) {
    this.socket = new WebSocket(url, ['mqtt']);
    const packets = parser({ protocolVersion: 4 });
    packets.on('packet', (packet: Packet) => this.packets.push(packet));
    this.socket.on('message', (data: Buffer) => packets.parse(data));
    this.socket.on('error', () => undefined); // a refused or dropped socket ends in 'close'
    this.closed = new Promise((resolve) => this.socket.once('close', (code: number) => resolve(code)));
  }

  /** The subprotocol the broker selected. */
  get protocol(): string {
    return this.socket.protocol;
  }

  /** Resolves once the socket is open; rejects if it closes first. */
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      void this.closed.then((code) => reject(new Error(`closed (${code}) before open`)));
    });
  }

  /** Writes one packet. */
  send(packet: Packet): void {
    this.socket.send(generate(packet));
  }

  /** Terminates the socket. */
  close(): void {
    this.socket.terminate();
  }
}
