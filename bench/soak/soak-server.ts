import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** What a soak client sends. */
export type ClientFrame =
  | { readonly t: 'hello'; readonly s: number }
  | { readonly t: 'm'; readonly s: number; readonly q: number }
  | { readonly t: 'sub'; readonly k: string }
  | { readonly t: 'unsub'; readonly k: string };

/** What the soak server sends. */
export type ServerFrame =
  | { readonly t: 'welcome' }
  | { readonly t: 'ack'; readonly k: string }
  | { readonly t: 'tick'; readonly k: string; readonly c: number; readonly n: number };

/** One sequence-numbered send as the server got it. */
export interface Arrival {
  readonly seq: number;
  /** The server connection (link) it came on. */
  readonly link: number;
}

/**
 * The far end of the soak: records every sequence-numbered send per stream with the link it
 * came on, answers handshakes and channel subscriptions, and pushes numbered ticks on every
 * subscribed channel of every link (so inbound order per link can be checked too).
 */
export class SoakServer {
  /** Arrivals per stream id, in arrival order. */
  readonly arrivals = new Map<number, Arrival[]>();
  received = 0;
  links = 0;
  private readonly wss: WebSocketServer;
  private readonly ticker: NodeJS.Timeout;
  private readonly subscribed = new Map<WebSocket, { link: number; keys: Set<string>; n: number }>();

  private constructor(wss: WebSocketServer, tickMs: number) {
    this.wss = wss;
    wss.on('error', () => undefined);
    wss.on('connection', (socket) => this.accept(socket));
    this.ticker = setInterval(() => this.tick(), tickMs);
  }

  static async start(tickMs = 250): Promise<SoakServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    return new SoakServer(wss, tickMs);
  }

  get port(): number {
    return (this.wss.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    clearInterval(this.ticker);
    for (const socket of this.wss.clients) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    const state = { link: this.links++, keys: new Set<string>(), n: 0 };
    this.subscribed.set(socket, state);
    socket.on('error', () => undefined);
    socket.on('close', () => this.subscribed.delete(socket));
    socket.on('message', (data) => {
      let frame: ClientFrame;
      try {
        frame = JSON.parse(String(data)) as ClientFrame;
      } catch {
        return;
      }
      switch (frame.t) {
        case 'hello':
          socket.send(JSON.stringify({ t: 'welcome' } satisfies ServerFrame));
          break;
        case 'm': {
          this.received++;
          let list = this.arrivals.get(frame.s);
          if (list === undefined) this.arrivals.set(frame.s, (list = []));
          list.push({ seq: frame.q, link: state.link });
          break;
        }
        case 'sub':
          state.keys.add(frame.k);
          socket.send(JSON.stringify({ t: 'ack', k: frame.k } satisfies ServerFrame));
          break;
        case 'unsub':
          state.keys.delete(frame.k);
          break;
      }
    });
  }

  private tick(): void {
    for (const [socket, state] of this.subscribed) {
      if (socket.readyState !== socket.OPEN) continue;
      for (const k of state.keys) socket.send(JSON.stringify({ t: 'tick', k, c: state.link, n: state.n++ } satisfies ServerFrame));
    }
  }
}
