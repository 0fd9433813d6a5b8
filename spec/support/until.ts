import { EmptyError, filter, firstValueFrom, ReplaySubject, skip, throwError, timeout, type Subscription } from 'rxjs';
import WebSocket, { type ClientOptions } from 'ws';
import {
  ofType,
  type Connection,
  type ConnectionEvent,
  type ConnectionEventType,
  type ConnectionState,
  type WebSocketConstructor,
} from '../../lib';

/** How long any awaited event may take before the test fails instead of hanging. */
export const WAIT_MS = 3_000;

/**
 * Fast, deterministic retries for tests against a real server: 20, 40, 80, 100, 100… ms (the
 * multiplier is spelled out: the specs were written for ×2, the default before 0.2).
 */
export const FAST_RETRY = { initialDelay: 20, maxDelay: 100, multiplier: 2, jitter: 0 } as const;

type EventOf<T extends ConnectionEventType, Out = unknown> = Extract<ConnectionEvent<Out>, { type: T }>;

/** `promise`, or a rejection naming `what` after `ms` (the timer is cleared either way). */
export function within<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/**
 * The first `type` event (that passes `where`) emitted on `conn.events$` from now on. Fails
 * after `ms`, or at once if `events$` completes without one. Call it *before* causing the event.
 */
export async function untilEvent<T extends ConnectionEventType, Out = unknown>(
  conn: Connection<unknown, Out>,
  type: T,
  where: (event: EventOf<T, Out>) => boolean = () => true,
  ms = WAIT_MS,
): Promise<EventOf<T, Out>> {
  try {
    return await firstValueFrom(
      conn.events$.pipe(
        ofType(type),
        filter((event) => where(event as EventOf<T, Out>)),
        timeout({ first: ms, with: () => throwError(() => new Error(`no ${type} event within ${ms} ms`)) }),
      ),
    ) as EventOf<T, Out>;
  } catch (error) {
    if (error instanceof EmptyError) throw new Error(`events$ completed without a ${type} event`);
    throw error;
  }
}

/**
 * Records a connection's events and states from the moment it is made (create it in the tick
 * `connect()` is called, so it sees the first `Connecting`), and awaits events past or future.
 */
export class EventLog<Out = unknown> {
  readonly events: ConnectionEvent<Out>[] = [];
  readonly states: ConnectionState[] = [];
  eventsCompleted = false;
  statesCompleted = false;
  private readonly replay = new ReplaySubject<ConnectionEvent<Out>>();
  private readonly subscriptions: Subscription[];

  constructor(conn: Connection<unknown, Out>) {
    this.subscriptions = [
      conn.events$.subscribe({
        next: (event) => {
          this.events.push(event);
          this.replay.next(event);
        },
        complete: () => {
          this.eventsCompleted = true;
          this.replay.complete();
        },
      }),
      conn.state$.subscribe({
        next: (state) => this.states.push(state),
        complete: () => (this.statesCompleted = true),
      }),
    ];
  }

  /** Every event type so far, in order. */
  get types(): string[] {
    return this.events.map((event) => event.type);
  }

  /** The recorded events of one type. */
  of<T extends ConnectionEventType>(type: T): EventOf<T, Out>[] {
    return this.events.filter((event): event is EventOf<T, Out> => event.type === type);
  }

  /** Event types from index `from` on, space-separated (for sequence regexps). */
  typesFrom(from: number): string {
    return this.types.slice(from).join(' ');
  }

  /**
   * The first `type` event at index `after` or later (default: anywhere in the log) that passes
   * `where`, already recorded or still to come. Fails after `ms` or when `events$` completes.
   */
  async waitFor<T extends ConnectionEventType>(
    type: T,
    options: { after?: number; where?: (event: EventOf<T, Out>) => boolean; ms?: number } = {},
  ): Promise<EventOf<T, Out>> {
    const { after = 0, where = () => true, ms = WAIT_MS } = options;
    const describe = (): string => `${type} event (log: ${this.summary()})`;
    try {
      return await firstValueFrom(
        this.replay.pipe(
          skip(after),
          ofType(type),
          filter((event) => where(event as EventOf<T, Out>)),
          timeout({ first: ms, with: () => throwError(() => new Error(`no ${describe()} within ${ms} ms`)) }),
        ),
      ) as EventOf<T, Out>;
    } catch (error) {
      if (error instanceof EmptyError) throw new Error(`events$ completed without a ${describe()}`);
      throw error;
    }
  }

  /** The log in short form, for failure messages. */
  summary(): string {
    return this.events
      .map((event) => {
        switch (event.type) {
          case 'Connecting':
            return `Connecting(${event.attempt} ${event.url})`;
          case 'Disconnected':
            return `Disconnected(${event.reason} ${event.code ?? '-'} ${event.attempt}${event.permanent ? ' permanent' : ''})`;
          case 'Reconnecting':
            return `Reconnecting(${event.attempt} ${event.delay})`;
          case 'Closed':
            return `Closed(${event.reason})`;
          default:
            return event.type;
        }
      })
      .join(' → ');
  }

  stop(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }
}

/** Records a connection's inbound messages and how `messages$` ended. */
export class MessageLog<In> {
  readonly messages: In[] = [];
  completed = false;
  error: unknown;
  private readonly replay = new ReplaySubject<In>();
  private readonly subscription: Subscription;

  constructor(conn: Connection<In, unknown>) {
    this.subscription = conn.messages$.subscribe({
      next: (message) => {
        this.messages.push(message);
        this.replay.next(message);
      },
      complete: () => {
        this.completed = true;
        this.replay.complete();
      },
      // Recorded, not rethrown: an unhandled error would surface later as a stray exception.
      error: (error: unknown) => {
        this.error = error;
        this.replay.complete();
      },
    });
  }

  /** The first message (recorded or still to come) that passes `where`. */
  waitFor(where: (message: In) => boolean, what = 'a matching message', ms = WAIT_MS): Promise<In> {
    return firstValueFrom(
      this.replay.pipe(
        filter(where),
        timeout({ first: ms, with: () => throwError(() => new Error(`no ${what} on messages$ within ${ms} ms`)) }),
      ),
    );
  }

  stop(): void {
    this.subscription.unsubscribe();
  }
}

/**
 * A `WebSocket` option that is `ws`' own client, recording every socket the library opens, so
 * a test can prove that each one ended up closed (no leaked TCP connection).
 */
export class SocketTracker {
  readonly sockets: WebSocket[] = [];
  /**
   * Every `'error'` the sockets emitted, recorded without adding a listener (one would hide an
   * error the library failed to handle: ws' emit throws when nobody listens).
   */
  readonly errors: unknown[] = [];
  readonly WebSocket: WebSocketConstructor;

  constructor() {
    const { sockets, errors } = this;
    class TrackedWebSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[], options?: ClientOptions) {
        super(url, protocols, options); // transport options too, as the library passes them
        sockets.push(this);
      }

      override emit(event: string | symbol, ...args: any[]): boolean {
        if (event === 'error') errors.push(args[0]);
        return super.emit(event, ...args);
      }
    }
    this.WebSocket = TrackedWebSocket as unknown as WebSocketConstructor;
  }

  /** Sockets not yet fully closed. */
  get open(): WebSocket[] {
    return this.sockets.filter((socket) => socket.readyState !== WebSocket.CLOSED);
  }

  /** Resolves once every socket opened so far has emitted `close` (its TCP socket is gone). */
  allClosed(ms = WAIT_MS): Promise<void> {
    const pending = this.sockets.map((socket) =>
      socket.readyState === WebSocket.CLOSED
        ? Promise.resolve()
        : new Promise<void>((resolve) => socket.once('close', () => resolve())),
    );
    return within(
      Promise.all(pending).then(() => undefined),
      `${this.open.length} of ${this.sockets.length} client sockets to close`,
      ms,
    );
  }
}

/**
 * What a test opened, released in a safe order after it: connections closed first, then
 * servers stopped, then every tracked client socket must reach CLOSED.
 */
export class Resources {
  private connections: Connection<unknown, unknown>[] = [];
  private servers: Array<{ stop?: () => Promise<void>; close?: () => Promise<void> }> = [];
  private trackers: SocketTracker[] = [];
  private cleanups: Array<() => void> = [];

  conn<C extends Connection<any, any>>(conn: C): C {
    this.connections.push(conn);
    return conn;
  }

  server<S extends { stop?: () => Promise<void>; close?: () => Promise<void> }>(server: S): S {
    this.servers.push(server);
    return server;
  }

  tracker(): SocketTracker {
    const tracker = new SocketTracker();
    this.trackers.push(tracker);
    return tracker;
  }

  /** Anything else to undo (subscriptions, logs). */
  add(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }

  async release(): Promise<void> {
    const connections = this.connections;
    const servers = this.servers;
    const trackers = this.trackers;
    const cleanups = this.cleanups;
    this.connections = [];
    this.servers = [];
    this.trackers = [];
    this.cleanups = [];
    for (const conn of connections) conn.close();
    for (const cleanup of cleanups) cleanup();
    for (const server of servers) await (server.stop ?? server.close)!.call(server);
    for (const tracker of trackers) await tracker.allClosed();
  }
}
