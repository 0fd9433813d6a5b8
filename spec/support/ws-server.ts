import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { filter, firstValueFrom, merge, of, ReplaySubject, Subject, timeout, throwError, type Observable } from 'rxjs';
import { WebSocketServer, type WebSocket } from 'ws';

/** How long any awaited server-side happening may take before the test fails instead of hanging. */
export const SERVER_WAIT_MS = 3_000;

function noop(): void {
  // Server-side socket errors (a client that vanished mid-frame) are not what these tests check.
}

/** The first value of `source$` that passes `predicate`, or a rejection naming `what` after `ms`. */
function firstWithin<T>(source$: Observable<T>, predicate: (value: T) => boolean, what: string, ms: number): Promise<T> {
  return firstValueFrom(
    source$.pipe(
      filter(predicate),
      timeout({ first: ms, with: () => throwError(() => new Error(`timed out after ${ms} ms waiting for ${what}`)) }),
    ),
  );
}

/** One accepted WebSocket, as the server sees it. */
export interface ServerSocket {
  /** Its place among every connection the server accepted, across restarts (0-based). */
  readonly index: number;
  readonly socket: WebSocket;
  /** The upgrade request's path and query string, e.g. `/?token=abc`. */
  readonly path: string;
  /** Text of every message it received, in order (binary frames as UTF-8). */
  readonly received: string[];
  /** Protocol pings it received. */
  pings: number;
  /** Resolves with the close code and reason once the socket is closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  isClosed: boolean;
}

export interface WsTestServerOptions {
  /** Answer protocol pings (ws' default). `false` makes the server look dead to heartbeats. */
  autoPong?: boolean;
  /** Called for every accepted socket, before anybody awaiting `connection()` hears of it. */
  onConnection?: (connection: ServerSocket) => void;
  /** Called for every message, after it was recorded. */
  onMessage?: (connection: ServerSocket, text: string) => void;
}

/**
 * A real `ws` server on 127.0.0.1 that can be killed and restarted on the same port, recording
 * every connection and message so tests can await them instead of sleeping.
 */
export class WsTestServer {
  /** Every connection accepted, across restarts, in order. */
  readonly connections: ServerSocket[] = [];
  /** Every message received on any connection, in arrival order. */
  readonly received: string[] = [];
  port = 0;

  private httpServer: http.Server | undefined;
  private wss: WebSocketServer | undefined;
  private readonly tcp = new Set<net.Socket>();
  private readonly connection$ = new ReplaySubject<ServerSocket>();
  private readonly message$ = new Subject<void>();

  private constructor(private readonly options: WsTestServerOptions) {}

  /** Starts a server on 127.0.0.1 on a free port. */
  static async start(options: WsTestServerOptions = {}): Promise<WsTestServer> {
    const server = new WsTestServer(options);
    await server.listen(0);
    return server;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.httpServer !== undefined;
  }

  /** The `index`-th connection ever accepted (default: the next one not yet accepted). */
  connection(index = this.connections.length, ms = SERVER_WAIT_MS): Promise<ServerSocket> {
    return firstWithin(this.connection$, (c) => c.index === index, `server connection #${index}`, ms);
  }

  /** Resolves with every message received so far once there are at least `count`. */
  async untilReceived(count: number, ms = SERVER_WAIT_MS): Promise<string[]> {
    await firstWithin(
      merge(of(undefined), this.message$),
      () => this.received.length >= count,
      `${count} messages at the server (got ${JSON.stringify(this.received)})`,
      ms,
    );
    return [...this.received];
  }

  /**
   * Kills the server: every client socket is terminated (no close frame: the client sees 1006),
   * every half-open TCP connection destroyed, and the port released. Resolves once every
   * server-side socket is closed and the listening socket is gone.
   */
  async stop(): Promise<void> {
    const httpServer = this.httpServer;
    const wss = this.wss;
    this.httpServer = undefined;
    this.wss = undefined;
    if (!httpServer || !wss) return;
    const listenerClosed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    for (const client of wss.clients) client.terminate();
    for (const socket of this.tcp) socket.destroy();
    wss.close();
    await listenerClosed;
    await Promise.all(this.connections.map((c) => c.closed));
  }

  /** Listens again on the same port, after `stop()`. */
  async restart(): Promise<void> {
    if (this.running) throw new Error('restart() while running');
    await this.listen(this.port);
  }

  private async listen(port: number): Promise<void> {
    const httpServer = http.createServer((_request, response) => {
      response.writeHead(426).end();
    });
    httpServer.on('connection', (socket: net.Socket) => {
      this.tcp.add(socket);
      socket.once('close', () => this.tcp.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(port, '127.0.0.1', () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
    // Created once listening, so a bind error cannot surface as an unhandled wss 'error'.
    const wss = new WebSocketServer({ server: httpServer, autoPong: this.options.autoPong ?? true });
    wss.on('error', noop);
    wss.on('connection', (socket, request) => this.accept(socket, request.url ?? ''));
    this.httpServer = httpServer;
    this.wss = wss;
    this.port = (httpServer.address() as AddressInfo).port;
  }

  private accept(socket: WebSocket, path: string): void {
    let resolveClosed!: (value: { code: number; reason: string }) => void;
    const connection: ServerSocket = {
      index: this.connections.length,
      socket,
      path,
      received: [],
      pings: 0,
      closed: new Promise((resolve) => (resolveClosed = resolve)),
      isClosed: false,
    };
    socket.on('error', noop);
    socket.on('ping', () => connection.pings++);
    socket.once('close', (code: number, reason: Buffer) => {
      connection.isClosed = true;
      resolveClosed({ code, reason: reason.toString() });
    });
    socket.on('message', (data) => {
      const text = Array.isArray(data) ? Buffer.concat(data).toString() : Buffer.from(data as ArrayBuffer).toString();
      connection.received.push(text);
      this.received.push(text);
      this.options.onMessage?.(connection, text);
      this.message$.next();
    });
    this.connections.push(connection);
    this.options.onConnection?.(connection);
    this.connection$.next(connection);
  }
}

/** A plain HTTP server that answers every WebSocket upgrade with a raw HTTP error status. */
export interface RefusingServer {
  readonly port: number;
  readonly url: string;
  /** Upgrade requests that reached it. */
  readonly upgrades: number;
  /** Resolves once at least `count` upgrade requests arrived. */
  untilUpgrades(count: number, ms?: number): Promise<void>;
  close(): Promise<void>;
}

const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 503: 'Service Unavailable' };

/** Starts a {@link RefusingServer} on 127.0.0.1 that refuses every upgrade with `status`. */
export async function startRefusingServer(status: number): Promise<RefusingServer> {
  const sockets = new Set<net.Socket>();
  const upgrade$ = new Subject<void>();
  let upgrades = 0;
  const server = http.createServer((_request, response) => {
    response.writeHead(status).end();
  });
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('error', noop);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (_request: http.IncomingMessage, socket: net.Socket) => {
    upgrades++;
    socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Refused'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () =>
      socket.destroy(),
    );
    upgrade$.next();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    get upgrades() {
      return upgrades;
    },
    async untilUpgrades(count: number, ms = SERVER_WAIT_MS) {
      await firstWithin(merge(of(undefined), upgrade$), () => upgrades >= count, `${count} upgrade requests`, ms);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One TCP connection accepted by a {@link SilentServer}. */
export interface SilentConnection {
  readonly socket: net.Socket;
  /** Resolves once the socket is closed (the client went away, or cleanup destroyed it). */
  readonly closed: Promise<void>;
  /** True when the client ended it (its FIN or reset arrived before any cleanup). */
  endedByClient: boolean;
}

/** A TCP server that accepts connections and never says a word: WebSocket upgrades hang. */
export interface SilentServer {
  readonly port: number;
  readonly url: string;
  readonly connections: SilentConnection[];
  /** The `index`-th accepted connection. */
  connection(index: number, ms?: number): Promise<SilentConnection>;
  /** Destroys every server-side socket and stops listening. */
  close(): Promise<void>;
}

/** Starts a {@link SilentServer} on 127.0.0.1. */
export async function startSilentServer(): Promise<SilentServer> {
  const connections: SilentConnection[] = [];
  const connection$ = new ReplaySubject<SilentConnection>();
  let closing = false;
  const server = net.createServer((socket) => {
    let markClosed!: () => void;
    const connection: SilentConnection = {
      socket,
      closed: new Promise<void>((resolve) => (markClosed = resolve)),
      endedByClient: false,
    };
    socket.on('error', noop);
    socket.on('data', noop); // read (and ignore) the upgrade request
    socket.once('end', () => {
      if (!closing) connection.endedByClient = true;
    });
    socket.once('close', () => {
      if (!closing) connection.endedByClient = true;
      markClosed();
    });
    connections.push(connection);
    connection$.next(connection);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    connections,
    connection: (index, ms = SERVER_WAIT_MS) =>
      firstWithin(connection$, (c) => c === connections[index], `TCP connection #${index}`, ms),
    close: async () => {
      closing = true;
      for (const { socket } of connections) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(connections.map((c) => c.closed));
    },
  };
}

/** `count` distinct ports on 127.0.0.1 that nothing listens on (connections are refused). */
export async function deadPorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve) => {
          const server = net.createServer();
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}

/**
 * The TCP socket under a server-side `ws` socket (ws keeps it in `_socket`), to write frames
 * no well-behaved server would send, or to stop reading like a peer that has vanished.
 */
export function tcpOf(socket: WebSocket): net.Socket {
  const tcp = (socket as unknown as { _socket?: net.Socket })._socket;
  if (!tcp) throw new Error('this ws version keeps no _socket: cannot reach the raw TCP socket');
  return tcp;
}
