import { WebSocketServer, WebSocket } from 'ws';
import { TOPICS, parseClientMessage, type ClientMessage, type Tick } from './protocol';

/** What the server reports to the demo. */
export interface PubSubServerHooks {
  /** A server-side narrative line (connections, subscriptions). */
  log(text: string): void;
  /** An `order` arrived. */
  order(id: number, client: number): void;
}

/** One client connection as the server sees it. */
interface Client {
  readonly id: number;
  readonly socket: WebSocket;
  readonly topics: Set<string>;
}

/**
 * A tiny pub/sub WebSocket server on 127.0.0.1: clients send `subscribe`/`unsubscribe`
 * (kept per connection), and every `publishEvery` ms it publishes `{topic, seq}` on each of
 * {@link TOPICS} to the connections subscribed to it. `stop()` closes the listener and
 * terminates every client (an abrupt drop, as when a server dies); `start(port)` can then bring
 * it back on the same port. Sequence numbers carry on across restarts.
 */
export class PubSubServer {
  /** Every client message received, per client id, in arrival order (for the demo's checks). */
  readonly received = new Map<number, ClientMessage[]>();
  private wss: WebSocketServer | undefined;
  private publisher: NodeJS.Timeout | undefined;
  private readonly clients = new Set<Client>();
  private readonly seq = new Map<string, number>();
  private nextClientId = 1;

  constructor(
    private readonly hooks: PubSubServerHooks,
    private readonly publishEvery = 200,
  ) {}

  /** Listens on 127.0.0.1:`port` (0: any free port) and resolves with the port. */
  start(port = 0): Promise<number> {
    if (this.wss) return Promise.reject(new Error('already started'));
    const wss = new WebSocketServer({ host: '127.0.0.1', port });
    this.wss = wss;
    wss.on('connection', (socket) => this.accept(socket));
    return new Promise<number>((resolve, reject) => {
      wss.once('error', (error) => {
        if (this.wss === wss) this.wss = undefined; // not started: a later start() may try again
        reject(error);
      });
      wss.once('listening', () => {
        wss.off('error', reject);
        wss.on('error', (error) => this.hooks.log(`listener error: ${error.message}`));
        this.publisher = setInterval(() => this.publish(), this.publishEvery);
        resolve((wss.address() as { port: number }).port);
      });
    });
  }

  /** Stops publishing, terminates every client and closes the listener. */
  stop(): Promise<void> {
    const wss = this.wss;
    if (!wss) return Promise.resolve();
    this.wss = undefined;
    clearInterval(this.publisher);
    this.publisher = undefined;
    // Each client's close event logs and forgets it (terminate() makes it come at once).
    for (const client of this.clients) client.socket.terminate();
    return new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    const client: Client = { id: this.nextClientId++, socket, topics: new Set() };
    this.clients.add(client);
    this.received.set(client.id, []);
    this.hooks.log(`client #${client.id} connected`);
    // A socket error must never crash the demo; the close that follows is what counts.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.clients.delete(client)) this.hooks.log(`client #${client.id} disconnected`);
    });
    socket.on('message', (data) => {
      const message = parseClientMessage(data);
      if (message) this.handle(client, message);
    });
  }

  private handle(client: Client, message: ClientMessage): void {
    this.received.get(client.id)!.push(message);
    switch (message.op) {
      case 'subscribe':
        client.topics.add(message.topic);
        this.hooks.log(`client #${client.id} subscribed ${message.topic}`);
        break;
      case 'unsubscribe':
        client.topics.delete(message.topic);
        this.hooks.log(`client #${client.id} unsubscribed ${message.topic}`);
        break;
      case 'order':
        this.hooks.order(message.id, client.id);
        break;
    }
  }

  private publish(): void {
    for (const topic of TOPICS) {
      const seq = (this.seq.get(topic) ?? 0) + 1;
      this.seq.set(topic, seq);
      const tick: Tick = { topic, seq };
      const frame = JSON.stringify(tick);
      for (const client of this.clients) {
        if (client.topics.has(topic) && client.socket.readyState === WebSocket.OPEN) client.socket.send(frame);
      }
    }
  }
}
