import { filter, firstValueFrom, Subject, Subscription, take, timeout, toArray } from 'rxjs';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { connect, ofType, type Connection, type ConnectionEventType } from '../../lib';

type ClientMsg = { op: 'sub' | 'unsub'; topic: string };
type ServerMsg = { topic: string; seq: number };

const TOPICS = ['alpha', 'beta', 'gamma'];

/**
 * A pub/sub server that keeps subscriptions per connection (as real brokers do: they die with
 * the connection) and only forwards data for subscribed topics.
 */
class PubSubServer {
  /** Subscribe frames per connection, in arrival order. */
  readonly subscribeLog: string[][] = [];
  private wss: WebSocketServer | undefined;
  private publisher: NodeJS.Timeout | undefined;
  private readonly seq = new Map<string, number>(TOPICS.map((t) => [t, 0]));
  private readonly topicsOf = new Map<WebSocket, Set<string>>();
  port = 0;

  async start(port = 0): Promise<void> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => wss.once('listening', resolve).once('error', reject));
    this.wss = wss;
    this.port = (wss.address() as AddressInfo).port;
    wss.on('connection', (socket) => {
      const topics = new Set<string>();
      const log: string[] = [];
      this.subscribeLog.push(log);
      this.topicsOf.set(socket, topics);
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as ClientMsg;
        if (message.op === 'sub') {
          log.push(message.topic);
          topics.add(message.topic);
        } else topics.delete(message.topic);
      });
      socket.on('close', () => this.topicsOf.delete(socket));
    });
    this.publisher = setInterval(() => this.publish(), 10);
  }

  /** Kills the server: every client socket is terminated, the port is released. */
  async kill(): Promise<void> {
    clearInterval(this.publisher);
    const wss = this.wss;
    this.wss = undefined;
    if (!wss) return;
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  private publish(): void {
    for (const topic of TOPICS) {
      const seq = this.seq.get(topic)! + 1;
      this.seq.set(topic, seq);
      for (const [socket, topics] of this.topicsOf) {
        if (topics.has(topic) && socket.readyState === socket.OPEN) socket.send(JSON.stringify({ topic, seq }));
      }
    }
  }
}

function nextEvent<T extends ConnectionEventType>(conn: Connection<ServerMsg, ClientMsg>, type: T, count = 1) {
  return firstValueFrom(
    conn.events$.pipe(
      ofType(type),
      take(count),
      toArray(),
      timeout(5_000),
    ),
  );
}

describe('channels against a real ws server that is killed and restarted', () => {
  const server = new PubSubServer();
  let conn: Connection<ServerMsg, ClientMsg> | undefined;
  const subscriptions = new Subscription();

  afterEach(async () => {
    subscriptions.unsubscribe();
    conn?.close();
    await server.kill();
  });

  it('every channel keeps receiving after the restart, with one subscribe per topic per connection', async () => {
    await server.start();
    conn = connect<ServerMsg, ClientMsg>({
      url: `ws://127.0.0.1:${server.port}`,
      retry: { initialDelay: 20, maxDelay: 100, jitter: 0 },
    });
    const channels = TOPICS.map((topic) =>
      conn!.channel({
        key: topic,
        subscribe: { op: 'sub', topic },
        unsubscribe: { op: 'unsub', topic },
        match: (m) => m.topic === topic,
      }),
    );
    // Long-lived subscribers, as an app has them; the first topic has two sharing one subscription.
    const received = TOPICS.map(() => [] as number[]);
    const shared: number[] = [];
    const arrived = new Subject<void>();
    subscriptions.add(channels[0]!.subscribe((m) => shared.push(m.seq)));
    channels.forEach((channel$, index) =>
      subscriptions.add(
        channel$.subscribe((m) => {
          received[index]!.push(m.seq);
          arrived.next();
        }),
      ),
    );
    const until = (condition: () => boolean) =>
      condition() ? Promise.resolve() : firstValueFrom(arrived.pipe(filter(condition), timeout(5_000)));

    await until(() => received.every((seqs) => seqs.length >= 2));
    const lost = nextEvent(conn, 'Disconnected');
    const retrying = nextEvent(conn, 'Reconnecting', 3);
    await server.kill();
    await lost;
    const lastBefore = received.map((seqs) => seqs[seqs.length - 1]!);
    await retrying; // a few attempts fail against the dead port
    const restored = nextEvent(conn, 'SubscriptionsRestored');
    await server.start(server.port);

    expect((await restored)[0]).toEqual({ type: 'SubscriptionsRestored', count: 3 });
    await until(() => received.every((seqs, index) => seqs.filter((seq) => seq > lastBefore[index]!).length >= 3));
    for (const seqs of received) {
      // strictly increasing: nothing delivered twice, in order, across the restart
      expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
    }
    expect(shared).toEqual(received[0]!.slice(0, shared.length));
    expect(server.subscribeLog).toEqual([TOPICS, TOPICS]);
  });
});
