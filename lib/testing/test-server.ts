import { asyncScheduler, Subject, type Observable, type SchedulerLike } from 'rxjs';
import type { WebSocketConstructor } from '../transport/websocket-like';
import { PingableVirtualWebSocket, VirtualWebSocket, type VirtualPeer } from './virtual-websocket';

/** What a {@link TestServer} does with a new connection. */
export type TestServerMode =
  /** Open it after `latency` ms. */
  | 'accept'
  /** Refuse the upgrade (HTTP `refuseStatus`) after `latency` ms. */
  | 'refuse'
  /** Leave it pending until `accept()` or `refuse()` is called (or forever: a hung server). */
  | 'manual';

/** Options of {@link TestServer}. */
export interface TestServerOptions {
  /**
   * Scheduler for latency and pongs. Inside `TestScheduler.run()` the default is virtual.
   * @default asyncScheduler
   */
  scheduler?: SchedulerLike;
  /**
   * What happens to new connections, or a function choosing per connection (by its `url`,
   * say); can be changed at any time with `server.mode = …`.
   * @default 'accept'
   */
  mode?: TestServerMode | ((connection: TestConnection) => TestServerMode);
  /**
   * Ms between a connection attempt and its opening (or refusal) in `accept`/`refuse` mode.
   * @default 0
   */
  latency?: number;
  /**
   * HTTP status used by `refuse` mode.
   * @default 503
   */
  refuseStatus?: number;
  /**
   * Give sockets `ws`'s `ping()`/`terminate()`/`'pong'`, so the default heartbeat runs.
   * @default false (browser-like sockets)
   */
  pings?: boolean;
}

/** One client connection as the {@link TestServer} sees it. */
export class TestConnection {
  /** Frames received on this connection, decoded as JSON where they parse. */
  readonly received: unknown[] = [];
  /** The close code the client sent, once it closed. */
  closeCode: number | undefined;
  /** When true, pings go unanswered and frames are ignored (a black-holed link). */
  blackholed = false;
  /** Protocol pings received (answered or not). */
  pings = 0;

  constructor(
    /** @internal */ readonly socket: VirtualWebSocket,
    /** The index of this connection in `server.connections`. */
    readonly index: number,
  ) {}

  /** The URL the client connected to. */
  get url(): string {
    return this.socket.url;
  }

  /** The socket's `readyState` (0 connecting, 1 open, 2 closing, 3 closed). */
  get readyState(): number {
    return this.socket.readyState;
  }

  /** True while open. */
  get isOpen(): boolean {
    return this.socket.readyState === VirtualWebSocket.OPEN;
  }

  /** Completes the upgrade now. */
  accept(protocol = ''): void {
    this.socket.serverOpen(protocol);
  }

  /** Refuses the upgrade with an HTTP status (reported like `ws` does: "Unexpected server response"). */
  refuse(status = 503): void {
    this.socket.serverRefuse(status);
  }

  /** Sends a message: strings and binary as they are, anything else as JSON. */
  send(message: unknown): void {
    this.socket.serverMessage(encode(message));
  }

  /** Ends the link: 1006 drops it without a close frame; any other code sends a close frame. */
  drop(code = 1006, reason = ''): void {
    this.socket.serverClose(code, reason);
  }
}

/**
 * An in-memory WebSocket server for marble tests: pass `server.WebSocket` as the connection's
 * `WebSocket` option and drive the server from the test (`accept`, `refuse`, `send`,
 * `drop(code)`), then assert on `received` and `connections`.
 *
 * @example
 * ```ts
 * testScheduler.run(({ cold, expectObservable }) => {
 *   const server = new TestServer();
 *   const conn = connect({ url: 'ws://test', WebSocket: server.WebSocket });
 *   cold('-----x').subscribe(() => server.drop());
 *   cold('-------------------------------------------------------------------------------------------------------------------x').subscribe(() => conn.close());
 *   expectObservable(conn.events$.pipe(map(e => e.type))).toBe(…);
 * });
 * ```
 */
export class TestServer implements VirtualPeer {
  /** The constructor to pass as the connection's `WebSocket` option. */
  readonly WebSocket: WebSocketConstructor;
  /** Every connection ever made to this server, oldest first. */
  readonly connections: TestConnection[] = [];
  readonly scheduler: SchedulerLike;
  /** What happens to new connections (or a function choosing per connection). */
  mode: TestServerMode | ((connection: TestConnection) => TestServerMode);
  /** Every frame any connection receives, decoded as JSON where it parses: reply from here. */
  readonly messages$: Observable<{ readonly connection: TestConnection; readonly message: unknown }>;
  private readonly inbound = new Subject<{ readonly connection: TestConnection; readonly message: unknown }>();
  /** Ms before a new connection opens or is refused. */
  latency: number;
  /** HTTP status used by `refuse` mode. */
  refuseStatus: number;
  private readonly bySocket = new WeakMap<VirtualWebSocket, TestConnection>();

  constructor(options: TestServerOptions = {}) {
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.mode = options.mode ?? 'accept';
    this.latency = options.latency ?? 0;
    this.refuseStatus = options.refuseStatus ?? 503;
    this.messages$ = this.inbound.asObservable();
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const server = this;
    const Base = options.pings ? PingableVirtualWebSocket : VirtualWebSocket;
    this.WebSocket = class extends Base {
      constructor(url: string, protocols?: string | string[]) {
        super(server, url, protocols === undefined ? [] : ([] as string[]).concat(protocols));
      }
    };
  }

  /** Every frame received on any connection, in order, decoded as JSON where they parse. */
  get received(): unknown[] {
    return this.connections.flatMap((connection) => connection.received);
  }

  /** The newest connection (throws when there is none). */
  get last(): TestConnection {
    const last = this.connections[this.connections.length - 1];
    if (!last) throw new Error('TestServer: no connection yet');
    return last;
  }

  /** Connections currently open. */
  get open(): TestConnection[] {
    return this.connections.filter((connection) => connection.isOpen);
  }

  /** Opens the oldest pending connection. */
  accept(protocol = ''): void {
    this.pending('accept').accept(protocol);
  }

  /** Refuses the oldest pending connection with an HTTP status. */
  refuse(status = this.refuseStatus): void {
    this.pending('refuse').refuse(status);
  }

  /** Sends a message on every open connection. */
  send(message: unknown): void {
    for (const connection of this.open) connection.send(message);
  }

  /** Ends every open connection: 1006 (default) abruptly, any other code with a close frame. */
  drop(code = 1006, reason = ''): void {
    for (const connection of this.open) connection.drop(code, reason);
  }

  /** Stops answering pings on every open connection, without closing: a dead link. */
  blackhole(): void {
    for (const connection of this.open) connection.blackholed = true;
  }

  // ---- VirtualPeer -------------------------------------------------------------------------

  /** @internal */
  connected(socket: VirtualWebSocket): void {
    const connection = new TestConnection(socket, this.connections.length);
    this.connections.push(connection);
    this.bySocket.set(socket, connection);
    const mode = typeof this.mode === 'function' ? this.mode(connection) : this.mode;
    if (mode === 'manual') return;
    this.scheduler.schedule(() => {
      if (mode === 'accept') connection.accept();
      else connection.refuse(this.refuseStatus);
    }, this.latency);
  }

  /** @internal */
  frame(socket: VirtualWebSocket, data: unknown): void {
    const connection = this.connectionOf(socket);
    if (!connection || connection.blackholed) return;
    const message = decode(data);
    connection.received.push(message);
    this.inbound.next({ connection, message });
  }

  /** @internal */
  closing(socket: VirtualWebSocket, code: number | undefined): void {
    const connection = this.connectionOf(socket);
    if (connection) connection.closeCode = code ?? 1005;
  }

  /** @internal */
  pinged(socket: VirtualWebSocket): boolean {
    const connection = this.connectionOf(socket);
    if (!connection) return false;
    connection.pings++;
    return !connection.blackholed;
  }

  private connectionOf(socket: VirtualWebSocket): TestConnection | undefined {
    return this.bySocket.get(socket);
  }

  private pending(action: string): TestConnection {
    const pending = this.connections.find((connection) => connection.readyState === VirtualWebSocket.CONNECTING);
    if (!pending) throw new Error(`TestServer: no pending connection to ${action}`);
    return pending;
  }
}

function encode(message: unknown): unknown {
  if (typeof message === 'string' || message instanceof ArrayBuffer || ArrayBuffer.isView(message)) return message;
  return JSON.stringify(message);
}

function decode(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}
