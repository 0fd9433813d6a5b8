import net from 'node:net';
import { closeFrame, FrameCursor, malformedFrame } from './frame-cursor';

/** What the proxy does to one TCP connection. Every fault ends by itself within its bound. */
export type Fault =
  /** Forwards both ways for a good while (5 to 20 s), then drops: links do not live for ever. */
  | 'pass'
  /** Forwards, then destroys both sides after a while (an abrupt drop, 1006). */
  | 'drop'
  /** Forwards, then stops forwarding both ways (a dead link, TCP open) for a while, then drops. */
  | 'stall'
  /** Forwards, then half-closes toward the client (FIN) and stops forwarding; drops later. */
  | 'half-close'
  /** Forwards, then sends the client a close frame (1001) and keeps TCP open without a reply. */
  | 'close-frame'
  /** Forwards, then sends the client a frame with a reserved opcode (a protocol error). */
  | 'malformed'
  /** Refuses the upgrade: HTTP 429 with Retry-After: 1. */
  | 'refuse-429'
  /** Refuses the upgrade: HTTP 503, with or without Retry-After. */
  | 'refuse-503'
  /** Reads the upgrade request and never answers (the client's connect timeout ends it). */
  | 'hang';

/** How often each fault is chosen (weights, not necessarily summing to 1). */
export const FAULT_WEIGHTS: Readonly<Record<Fault, number>> = {
  pass: 40,
  drop: 14,
  stall: 8,
  'half-close': 6,
  'close-frame': 7,
  malformed: 5,
  'refuse-429': 7,
  'refuse-503': 7,
  hang: 6,
};

/** Longest any fault keeps a TCP connection before the proxy destroys it, in ms. */
const MAX_FAULT_MS = 12_000;

/**
 * A TCP proxy on 127.0.0.1 in front of a WebSocket server that picks a {@link Fault} for every
 * connection with a seeded random source, so a run can be repeated. While `faulty` is false
 * every new connection passes. `close()` destroys every socket and timer it made.
 */
export class FaultProxy {
  /** Connections per fault, so far. */
  readonly counts: Record<Fault, number> = Object.fromEntries(Object.keys(FAULT_WEIGHTS).map((f) => [f, 0])) as Record<Fault, number>;
  faulty = true;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly faultyClients = new Set<net.Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly targetPort: number,
    private readonly random: () => number,
  ) {
    this.server = net.createServer((client) => this.handle(client));
  }

  static async start(targetPort: number, random: () => number): Promise<FaultProxy> {
    const proxy = new FaultProxy(targetPort, random);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** Client connections with a fault that are still open. */
  get faultyOpen(): number {
    return this.faultyClients.size;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(client: net.Socket): void {
    const fault = this.faulty ? this.pick() : 'pass';
    this.counts[fault]++;
    this.track(client);
    if (fault !== 'pass') {
      this.faultyClients.add(client);
      client.once('close', () => this.faultyClients.delete(client));
    }
    // Whatever happens, this connection is gone within MAX_FAULT_MS of a fault starting.
    const destroyBoth = (upstream?: net.Socket): void => {
      client.destroy();
      upstream?.destroy();
    };
    if (fault === 'refuse-429' || fault === 'refuse-503' || fault === 'hang') {
      this.onHead(client, () => {
        if (fault === 'hang') {
          this.after(MAX_FAULT_MS, () => destroyBoth());
          return;
        }
        const retryAfter = fault === 'refuse-429' ? 'Retry-After: 1\r\n' : this.random() < 0.5 ? 'Retry-After: 0\r\n' : '';
        const status = fault === 'refuse-429' ? '429 Too Many Requests' : '503 Service Unavailable';
        client.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n${retryAfter}\r\n`);
      });
      return;
    }
    const upstream = this.track(net.connect(this.targetPort, '127.0.0.1'));
    const cursor = new FrameCursor();
    let forwarding = true;
    /** Set when a frame must be injected at the next frame boundary toward the client. */
    let inject: (() => void) | undefined;
    client.on('data', (chunk: Buffer) => {
      if (forwarding) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!forwarding) return;
      const ends = cursor.feed(chunk);
      if (inject === undefined || ends.length === 0) {
        client.write(chunk);
        return;
      }
      client.write(chunk.subarray(0, ends[0]));
      inject();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => {
      if (forwarding) client.destroy();
    });
    if (fault === 'pass') {
      this.after(5_000 + this.random() * 15_000, () => destroyBoth(upstream));
      return;
    }

    const at = 100 + this.random() * 3_000;
    const injectAtBoundary = (frame: Uint8Array, then: () => void): void => {
      inject = () => {
        inject = undefined;
        forwarding = false;
        if (!client.destroyed) client.write(frame);
        then();
      };
      if (cursor.atBoundary()) inject();
    };
    this.after(at, () => {
      switch (fault) {
        case 'drop':
          destroyBoth(upstream);
          break;
        case 'stall':
          forwarding = false;
          this.after(500 + this.random() * 5_000, () => destroyBoth(upstream));
          break;
        case 'half-close':
          forwarding = false;
          client.end();
          this.after(MAX_FAULT_MS, () => destroyBoth(upstream));
          break;
        case 'close-frame':
          injectAtBoundary(closeFrame(1001), () => this.after(MAX_FAULT_MS, () => destroyBoth(upstream)));
          break;
        case 'malformed':
          injectAtBoundary(malformedFrame(), () => this.after(MAX_FAULT_MS, () => destroyBoth(upstream)));
          break;
      }
    });
  }

  /** Calls `then` once the client's HTTP request head has arrived. */
  private onHead(client: net.Socket, then: () => void): void {
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      client.off('data', onData);
      then();
    };
    client.on('data', onData);
  }

  private pick(): Fault {
    const entries = Object.entries(FAULT_WEIGHTS) as Array<[Fault, number]>;
    let draw = this.random() * entries.reduce((sum, [, weight]) => sum + weight, 0);
    for (const [fault, weight] of entries) {
      draw -= weight;
      if (draw < 0) return fault;
    }
    return 'pass';
  }

  private track(socket: net.Socket): net.Socket {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => this.sockets.delete(socket));
    return socket;
  }

  private after(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
  }
}
