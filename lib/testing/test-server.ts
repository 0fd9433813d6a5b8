import { asyncScheduler, Subject, type Observable, type SchedulerLike } from 'rxjs';
import { ConfigError } from '../errors/config-error';
import { requireCount, requireDuration, requireKnownKeys, requireLimit, requireScheduler } from '../validate';
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
   * Scheduler for latency, pongs and every event the server causes on a socket. Inside
   * `TestScheduler.run()` the default is virtual. It must not run work synchronously
   * (`queueScheduler` would), or events would fire inside the calls that caused them.
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
  /**
   * How many connections the server takes before it stops the run. A test that forgets
   * `conn.close()` while the server refuses (or drops) keeps reconnecting forever inside
   * `TestScheduler.flush()`, because virtual time costs nothing, and a Jest timeout cannot
   * interrupt that synchronous loop. So the connection after the `maxConnections`-th is left
   * pending and the server throws, through its scheduler, an `Error` saying the connection
   * was never closed: `TestScheduler.run()`/`flush()` rethrows it and stops, with no action
   * left. 10 000 is far more than a test means to make and takes well under a second to
   * reach; raise it for a test that really makes more.
   * @default 10000
   */
  maxConnections?: number;
  /**
   * Ms of (virtual) time, from the server's creation, after which a ping or a frame from a
   * client stops the run the same way. It catches the other endless run: a link that stays up
   * with a heartbeat probing it for ever because the test never closed it (no reconnect, so
   * `maxConnections` never trips). An hour is longer than any test means to simulate.
   * @default 3600000 (one hour)
   */
  maxVirtualTime?: number;
}

/** The keys of {@link TestServerOptions}, checked against it by the compiler: any other key is a typo. */
const TEST_SERVER_OPTION_KEYS: readonly string[] = Object.keys({
  scheduler: true,
  mode: true,
  latency: true,
  refuseStatus: true,
  pings: true,
  maxConnections: true,
  maxVirtualTime: true,
} satisfies Record<keyof TestServerOptions, true>);

/**
 * One client connection as the {@link TestServer} sees it.
 *
 * What the server does to it (`accept`, `refuse`, `send`, `drop`) takes effect on the server
 * side at once (`isOpen`, `server.open`) and reaches the client through the server's
 * scheduler, 0 ms later in virtual time, in call order: never inside the call itself, nor
 * inside a client call such as `socket.send()` whose frame a `messages$` subscriber answers.
 * An event that reaches a socket the client has closed in the meantime is dropped.
 */
export class TestConnection {
  /**
   * Frames received on this connection, decoded as JSON where they parse: every frame the
   * client wrote while its socket was open, including any written after a `drop()` but
   * before the close reached it (loss in flight is not simulated).
   */
  readonly received: unknown[] = [];
  /** The close code the client sent, once it closed. */
  closeCode: number | undefined;
  /** When true, pings go unanswered and frames are ignored (a black-holed link). */
  blackholed = false;
  /** Protocol pings received (answered or not). */
  pings = 0;
  /** The server's view of the link; the client's (`readyState`) catches up through the scheduler. */
  private phase: 'pending' | 'open' | 'closed' = 'pending';

  constructor(
    /** @internal */ readonly socket: VirtualWebSocket,
    /** The index of this connection in `server.connections`. */
    readonly index: number,
  ) {}

  /** The URL the client connected to. */
  get url(): string {
    return this.socket.url;
  }

  /**
   * The client socket's `readyState` (0 connecting, 1 open, 2 closing, 3 closed): what the
   * client has seen so far, so right after `accept()` or `drop()` it has not changed yet.
   */
  get readyState(): number {
    return this.socket.readyState;
  }

  /** True while open as the server sees it: from `accept()` until `drop()` or the client's close. */
  get isOpen(): boolean {
    return this.phase === 'open';
  }

  /** True while the upgrade waits for `accept()` or `refuse()` (server's view). */
  get isPending(): boolean {
    return this.phase === 'pending';
  }

  /**
   * Completes the upgrade; the client's `onopen` follows through the scheduler. Ignored unless
   * pending. `protocol` is the subprotocol the server selects: by default the first one the
   * client asked for (none when it asked for none); select another (or `''`) to test a mismatch.
   */
  accept(protocol: string = this.socket.protocols[0] ?? ''): void {
    if (this.settle('pending', 'open')) this.socket.deliver(() => this.socket.serverOpen(protocol));
  }

  /**
   * Refuses the upgrade with an HTTP status (reported like `ws` does: "Unexpected server
   * response"), through the scheduler. Ignored unless pending.
   */
  refuse(status = 503): void {
    requireRefusalStatus('refuse(status)', status);
    if (this.settle('pending', 'closed')) this.socket.deliver(() => this.socket.serverRefuse(status));
  }

  /**
   * Sends a message (strings and binary as they are, anything else as JSON, encoded now);
   * the client's `onmessage` follows through the scheduler. Ignored unless open.
   */
  send(message: unknown): void {
    if (!this.isOpen) return;
    const data = encode(message);
    this.socket.deliver(() => this.socket.serverMessage(data));
  }

  /**
   * Ends the link: 1006 drops it without a close frame; any other code sends a close frame.
   * Closed for the server at once; the client's `onclose` follows through the scheduler,
   * after every message sent before. Ignored once closed.
   */
  drop(code = 1006, reason = ''): void {
    if (this.settle('any', 'closed')) this.socket.deliver(() => this.socket.serverClose(code, reason));
  }

  /** @internal `accept` or `refuse` from `mode`, already running on the scheduler: fires at once. */
  settleByMode(mode: 'accept' | 'refuse', status: number): void {
    if (mode === 'accept') {
      if (this.settle('pending', 'open')) this.socket.serverOpen(this.socket.protocols[0] ?? '');
    } else if (this.settle('pending', 'closed')) {
      this.socket.serverRefuse(status);
    }
  }

  /** @internal The client closed (or terminated) its socket. */
  clientClosed(code: number | undefined): void {
    this.closeCode = code ?? 1005;
    this.phase = 'closed';
  }

  /** Moves the server's view from `from` to `to`; false (nothing to do) when it is elsewhere. */
  private settle(from: 'pending' | 'any', to: 'open' | 'closed'): boolean {
    if (this.phase === 'closed' || (from === 'pending' && this.phase !== 'pending')) return false;
    this.phase = to;
    return true;
  }
}

/**
 * An in-memory WebSocket server for marble tests: pass `server.WebSocket` as the connection's
 * `WebSocket` option and drive the server from the test (`accept`, `refuse`, `send`,
 * `drop(code)`), then assert on `received` and `connections`.
 *
 * As with real sockets, nothing the server does reaches the client inside the call that
 * caused it: opens, refusals, frames and closes go through the server's scheduler, 0 ms later
 * in virtual time (so marble frames do not move), in call order. A frame the client sends is
 * in `received` (and `messages$`) at once; a reply sent from there arrives after the client's
 * `send()` has returned.
 *
 * Close the connection at the end of every test: a connection left reconnecting would spin
 * forever inside `flush()`, so past `maxConnections` connections the server stops the run
 * with an error saying so.
 *
 * @example
 * ```ts
 * testScheduler.run(({ cold, expectObservable }) => {
 *   const server = new TestServer();
 *   const conn = connect({ url: 'ws://test', WebSocket: server.WebSocket, retry: { jitter: 0 } });
 *   cold('5ms x').subscribe(() => server.drop());
 *   cold('300ms x').subscribe(() => conn.close());
 *   expectObservable(conn.events$.pipe(map((e) => e.type))).toBe('(ab)-(cd) 96ms (efg) 190ms (hi|)', {
 *     a: 'Connecting', b: 'Connected', c: 'Disconnected', d: 'Reconnecting', e: 'Connecting',
 *     f: 'Reconnected', g: 'SubscriptionsRestored', h: 'Disconnected', i: 'Closed',
 *   });
 * });
 * ```
 */
export class TestServer implements VirtualPeer {
  /** The constructor to pass as the connection's `WebSocket` option. */
  readonly WebSocket: WebSocketConstructor;
  /** Every connection ever made to this server, oldest first. */
  readonly connections: TestConnection[] = [];
  /** The scheduler every socket event goes through (see {@link TestServerOptions.scheduler}). */
  readonly scheduler: SchedulerLike;
  /**
   * Every frame any connection receives, decoded as JSON where it parses, emitted inside the
   * client's `send()`: reply from here (the reply reaches the client through the scheduler).
   */
  readonly messages$: Observable<{ readonly connection: TestConnection; readonly message: unknown }>;
  private readonly inbound = new Subject<{ readonly connection: TestConnection; readonly message: unknown }>();
  // Checked on every assignment (the public accessors below), like connect()'s options.
  private currentMode!: TestServerMode | ((connection: TestConnection) => TestServerMode);
  private currentLatency!: number;
  private currentRefuseStatus!: number;
  private currentMaxConnections!: number;
  private currentMaxVirtualTime!: number;
  private readonly createdAt: number;
  private stopped = false;
  private readonly bySocket = new WeakMap<VirtualWebSocket, TestConnection>();

  /**
   * Throws {@link ConfigError} naming the first invalid option (an unknown key included), as
   * `connect()` does: a `maxConnections` of NaN, say, would never stop a forgotten connection.
   */
  constructor(options: TestServerOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new ConfigError('options', options, 'a TestServer options object');
    requireKnownKeys('', options, TEST_SERVER_OPTION_KEYS);
    const scheduler = options.scheduler ?? asyncScheduler;
    requireScheduler('scheduler', scheduler);
    if (options.pings !== undefined && typeof options.pings !== 'boolean') throw new ConfigError('pings', options.pings, 'a boolean');
    this.scheduler = scheduler;
    this.mode = options.mode ?? 'accept';
    this.latency = options.latency ?? 0;
    this.refuseStatus = options.refuseStatus ?? 503;
    this.maxConnections = options.maxConnections ?? 10_000;
    this.maxVirtualTime = options.maxVirtualTime ?? 3_600_000;
    this.createdAt = this.scheduler.now();
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

  /** What happens to new connections (or a function choosing per connection); checked when set. */
  get mode(): TestServerMode | ((connection: TestConnection) => TestServerMode) {
    return this.currentMode;
  }
  /** Sets the mode; anything else than a mode or a function throws `ConfigError`. */
  set mode(mode: TestServerMode | ((connection: TestConnection) => TestServerMode)) {
    if (mode !== 'accept' && mode !== 'refuse' && mode !== 'manual' && typeof mode !== 'function') {
      throw new ConfigError('mode', mode, "'accept', 'refuse', 'manual' or a function choosing one");
    }
    this.currentMode = mode;
  }

  /** Ms before a new connection opens or is refused: a duration (finite, >= 0, at most 2^31 − 1). */
  get latency(): number {
    return this.currentLatency;
  }
  /** Sets the latency; an invalid duration throws `ConfigError`. */
  set latency(ms: number) {
    requireDuration('latency', ms);
    this.currentLatency = ms;
  }

  /** HTTP status used by `refuse` mode: a whole number from 200 to 599. */
  get refuseStatus(): number {
    return this.currentRefuseStatus;
  }
  /** Sets the refusal status; a status outside 200-599 throws `ConfigError`. */
  set refuseStatus(status: number) {
    requireRefusalStatus('refuseStatus', status);
    this.currentRefuseStatus = status;
  }

  /** Connections taken before the server stops the run (see {@link TestServerOptions.maxConnections}): a whole number or Infinity. */
  get maxConnections(): number {
    return this.currentMaxConnections;
  }
  /** Sets the connection limit; anything but a whole number >= 0 or Infinity throws `ConfigError`. */
  set maxConnections(count: number) {
    requireCount('maxConnections', count);
    this.currentMaxConnections = count;
  }

  /** Ms after which client activity stops the run (see {@link TestServerOptions.maxVirtualTime}): >= 0 or Infinity. */
  get maxVirtualTime(): number {
    return this.currentMaxVirtualTime;
  }
  /** Sets the virtual-time limit; a negative or non-numeric value throws `ConfigError`. */
  set maxVirtualTime(ms: number) {
    requireLimit('maxVirtualTime', ms);
    this.currentMaxVirtualTime = ms;
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

  /**
   * Opens the oldest pending connection (the client sees it through the scheduler), selecting
   * `protocol` (by default the first subprotocol the client asked for).
   */
  accept(protocol?: string): void {
    this.pending('accept').accept(protocol);
  }

  /** Refuses the oldest pending connection with an HTTP status (through the scheduler). */
  refuse(status = this.refuseStatus): void {
    this.pending('refuse').refuse(status);
  }

  /** Sends a message on every open connection (through the scheduler). */
  send(message: unknown): void {
    for (const connection of this.open) connection.send(message);
  }

  /**
   * Ends every open connection: 1006 (default) abruptly, any other code with a close frame.
   * Closed for the server at once; the clients see it through the scheduler.
   */
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
    if (this.connections.length > this.maxConnections) {
      // The connection stays pending: nothing more comes from it.
      this.stopRun(`more than ${this.maxConnections} connections`, 'maxConnections');
      return;
    }
    const mode = typeof this.mode === 'function' ? this.mode(connection) : this.mode;
    if (mode === 'manual') return;
    this.scheduler.schedule(() => connection.settleByMode(mode, this.refuseStatus), this.latency);
  }

  /** @internal */
  frame(socket: VirtualWebSocket, data: unknown): void {
    const connection = this.connectionOf(socket);
    if (!connection || connection.blackholed || this.outlived()) return;
    const message = decode(data);
    connection.received.push(message);
    this.inbound.next({ connection, message });
  }

  /** @internal */
  closing(socket: VirtualWebSocket, code: number | undefined): void {
    this.connectionOf(socket)?.clientClosed(code);
  }

  /** @internal */
  pinged(socket: VirtualWebSocket): boolean {
    const connection = this.connectionOf(socket);
    if (!connection || this.outlived()) return false;
    connection.pings++;
    return connection.isOpen && !connection.blackholed;
  }

  /** True (and the run is being stopped) once the server has lived past `maxVirtualTime`. */
  private outlived(): boolean {
    if (this.scheduler.now() - this.createdAt <= this.maxVirtualTime) return false;
    this.stopRun(`a client still active after ${this.maxVirtualTime} ms`, 'maxVirtualTime');
    return true;
  }

  /**
   * Stops a run that would never end, once: the error is thrown from a scheduled action, so
   * `TestScheduler.flush()`/`run()` rethrows it and stops with no action left. (Thrown here it
   * would reach the client's `new WebSocket()` or `send()`, which count it as a failed attempt.)
   */
  private stopRun(what: string, limit: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.scheduler.schedule(() => {
      throw new Error(
        `TestServer: ${what} — the connection was never closed? ` +
          `Call conn.close() at the end of the test, or raise ${limit}`,
      );
    });
  }

  private connectionOf(socket: VirtualWebSocket): TestConnection | undefined {
    return this.bySocket.get(socket);
  }

  private pending(action: string): TestConnection {
    const pending = this.connections.find((connection) => connection.isPending);
    if (!pending) throw new Error(`TestServer: no pending connection to ${action}`);
    return pending;
  }
}

/** A refusal is a final HTTP status other than 101 Switching Protocols: 200 to 599. */
function requireRefusalStatus(field: string, status: unknown): void {
  if (!(Number.isInteger(status) && (status as number) >= 200 && (status as number) <= 599)) {
    throw new ConfigError(field, status, 'an HTTP status from 200 to 599');
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
