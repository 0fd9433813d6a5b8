import { config, type Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import {
  BufferOverflowError,
  ConnectionClosedError,
  NotConnectedError,
  connect,
  type ChannelSpec,
  type Connection,
  type ConnectionEvent,
  type ConnectionState,
  type ConnectOptions,
  type RetryOptions,
  type WebSocketConstructor,
} from '../../lib';
import { TestServer, type TestConnection } from '../../lib/testing';
import { ACKED, describeCall, describeHandler, describeServerAction, type Call, type ChannelKey, type Handler, type Scenario, type ServerAction } from './commands';
import { TrackingScheduler, type PendingAction } from './tracking-scheduler';

/** Frames both ways are plain JSON objects. */
export type Msg = { readonly [key: string]: unknown };
export type Event = ConnectionEvent<Msg>;

/** One `events$` subscriber's view of the run. */
export interface Recorder {
  readonly name: string;
  readonly events: Event[];
  /** The value `state$` last emitted when each event reached this subscriber. */
  readonly statesAt: ConnectionState[];
  /** Virtual time at which each event reached this subscriber. */
  readonly times: number[];
  completed: boolean;
  error: unknown;
  /**
   * How many events the first subscriber had seen when this one subscribed: a hot stream owes
   * a subscriber only what comes after it joined (a handler of the replayed state may act
   * while the later subscribers are still being set up).
   */
  readonly joinedAt: number;
}

/** How a stream the test subscribed to ended, if it did. */
export type StreamEnd = { readonly kind: 'open' } | { readonly kind: 'complete' } | { readonly kind: 'error'; readonly error: unknown };

/** One subscription to a channel. */
export interface ChannelRecord {
  readonly key: ChannelKey;
  /** Who subscribed: `test` or a handler's description. */
  readonly where: string;
  end: StreamEnd;
  /** The test (or a handler) unsubscribed it. */
  left: boolean;
  /** It was subscribed once the connection was ending: after close(), a permanent `Disconnected` or `Closed`. */
  readonly afterClosed: boolean;
  /** Messages it delivered. */
  readonly received: Msg[];
  /** The message a subscriber of the same channel was handling when it subscribed this one. */
  readonly joinedDuring: Msg | undefined;
}

/** Everything a run observed, for the invariants. */
export interface RunRecord {
  readonly scenario: Scenario;
  /** Virtual time of the final `close()`. */
  readonly endAt: number;
  readonly recorders: Recorder[];
  /** Every value `state$` emitted to a subscriber that joined first, at time 0. */
  readonly states: ConnectionState[];
  statesCompleted: boolean;
  /** A `state$` subscriber that joined after the run. */
  readonly lateState: { values: ConnectionState[]; completed: boolean };
  /** An `events$` subscriber that joined after the run. */
  readonly lateEvents: { values: Event[]; completed: boolean };
  /** `seq` of every `send()` that did not throw, in the order the calls began. */
  readonly accepted: number[];
  /** `seq` of every frame the client wrote to an open socket, in order, with the socket's index. */
  readonly written: Array<{ readonly seq: number; readonly socket: number }>;
  /** Calls that threw something the contract does not allow, server actions that threw. */
  readonly escaped: string[];
  /** What reached `config.onUnhandledError`. */
  readonly unhandled: unknown[];
  /** What `flush()` threw, if anything. */
  flushError: unknown;
  /** `readyState` of every socket the server saw, after the flush. */
  readonly readyStates: number[];
  /** Actions the connection scheduled that never ran nor were cancelled. */
  pending: readonly PendingAction[];
  /** Events during whose delivery an `events$` handler called `retry()` (and it did not throw). */
  readonly retriedDuring: Set<Event>;
  /** Virtual times at which any handler called `retry()` (and it did not throw). */
  readonly handlerRetries: number[];
  /** Events during whose delivery an `events$` handler called `close()` or `stopRetry()`. */
  readonly stoppedDuring: Set<Event>;
  /** How `messages$` (subscribed at time 0) ended. */
  messagesEnd: StreamEnd;
  readonly channels: ChannelRecord[];
  /** Virtual times at which the server black-holed its open links. */
  readonly blackholes: number[];
  /** Virtual times at which the server sent a frame (pushes and replies), in order. */
  readonly serverFrames: number[];
  /** Handler calls and what they did, for failure messages. */
  readonly log: string[];
}

const URL = 'ws://model.test';

/** A deterministic `random` in [0, 1) (mulberry32). */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function isObject(value: unknown): value is Msg {
  return typeof value === 'object' && value !== null;
}

function decode(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function connectOptions(scenario: Scenario, WebSocket: WebSocketConstructor, scheduler: TrackingScheduler): ConnectOptions<Msg, Msg> {
  const o = scenario.options;
  const retry: RetryOptions = {
    initialDelay: o.retry.initialDelay,
    maxDelay: o.retry.maxDelay,
    maxAttempts: o.retry.maxAttempts,
    stableAfter: o.retry.stableAfter,
    jitter: o.retry.jitterSeed === undefined ? 0 : 0.5,
    ...(o.retry.jitterSeed === undefined ? {} : { random: seededRandom(o.retry.jitterSeed) }),
    ...(o.retry.timeout === undefined ? {} : { timeout: o.retry.timeout }),
  };
  const hb = o.heartbeat;
  return {
    url: URL,
    WebSocket,
    scheduler,
    retry,
    circuitBreaker: o.circuitBreaker ?? false,
    heartbeat: hb
      ? {
          interval: hb.interval,
          timeout: hb.timeout,
          ...(hb.app ? { message: { op: 'ping' }, isPong: (m: Msg) => m.op === 'pong' } : {}),
        }
      : false,
    ...(o.buffer === undefined ? {} : { buffer: o.buffer }),
    ...(o.connectTimeout === undefined ? {} : { connectTimeout: o.connectTimeout }),
    ...(o.handshake === undefined
      ? {}
      : {
          handshake: {
            message: () => ({ op: 'hello' }),
            timeout: o.handshake.timeout,
            ...(o.handshake.ack
              ? { ack: (m: Msg) => (m.op === 'welcome' ? true : m.op === 'denied' ? new Error('handshake denied') : false) }
              : {}),
          },
        }),
  };
}

function channelSpec(key: ChannelKey, ackTimeout: number): ChannelSpec<Msg, Msg> {
  return {
    key,
    subscribe: { op: 'sub', key },
    unsubscribe: { op: 'unsub', key },
    match: (m) => m.ch === key,
    ...(ACKED.has(key)
      ? {
          ack: (m: Msg) => (m.key !== key ? false : m.op === 'ack' ? true : m.op === 'nack' ? new Error('nack') : false),
          ackTimeout,
        }
      : {}),
  };
}

/**
 * Runs one scenario on a fresh TestScheduler (virtual time) and records what happened.
 * Never throws for the library's faults: they are recorded for the invariants.
 */
export function runScenario(scenario: Scenario): RunRecord {
  const testScheduler = new TestScheduler(() => {
    throw new Error('the model does not use marble assertions');
  });
  const previousOnUnhandledError = config.onUnhandledError;
  const unhandled: unknown[] = [];
  config.onUnhandledError = (error) => unhandled.push(error);
  try {
    return testScheduler.run(() => execute(scenario, testScheduler, unhandled));
  } finally {
    config.onUnhandledError = previousOnUnhandledError;
  }
}

function execute(scenario: Scenario, testScheduler: TestScheduler, unhandled: unknown[]): RunRecord {
  const o = scenario.options;
  const endAt = scenario.steps.reduce((at, step) => at + step.gap, 0) + scenario.tail + 1;
  // Anything still scheduled a minute after the final close() is a leak (a periodic timer).
  testScheduler.maxFrames = endAt + 60_000;
  const tracker = new TrackingScheduler(testScheduler);
  const server = new TestServer({
    scheduler: testScheduler,
    latency: o.server.latency,
    pings: o.heartbeat !== undefined && !o.heartbeat.app,
  });

  const record: RunRecord = {
    scenario,
    endAt,
    recorders: [],
    states: [],
    statesCompleted: false,
    lateState: { values: [], completed: false },
    lateEvents: { values: [], completed: false },
    accepted: [],
    written: [],
    escaped: [],
    unhandled,
    flushError: undefined,
    readyStates: [],
    pending: [],
    retriedDuring: new Set(),
    handlerRetries: [],
    stoppedDuring: new Set(),
    messagesEnd: { kind: 'open' },
    channels: [],
    blackholes: [],
    serverFrames: [],
    log: [],
  };
  const log = (line: string): void => {
    if (record.log.length < 80) record.log.push(`${testScheduler.now()}: ${line}`);
  };

  // The client's writes, seen at the socket: what reached an open socket counts as written
  // (a black-holed server ignores it, as a dead link would: lost in flight, not by the library).
  const sockets: unknown[] = [];
  const Base = server.WebSocket;
  class SpySocket extends Base {
    private readonly index = sockets.push(this) - 1;
    override send(data: string | ArrayBufferLike | ArrayBufferView): void {
      if (this.readyState === 1) {
        const message = decode(data);
        if (isObject(message) && typeof message.seq === 'number') record.written.push({ seq: message.seq, socket: this.index });
      }
      super.send(data);
    }
  }

  // The server's own replies: pongs, the handshake's answer, acks of channel `c`.
  const closedSeen = (): boolean => record.recorders[0]?.events.some((e) => e.type === 'Closed') ?? false;
  let denyHandshake = false;
  let dropOnFrame: number | undefined;
  const reply = (connection: TestConnection, message: Msg): void => {
    testScheduler.schedule(() => {
      if (connection.isOpen) record.serverFrames.push(testScheduler.now());
      connection.send(message);
    }, o.server.replyDelay);
  };
  server.messages$.subscribe({
    next: ({ connection, message }) => {
      if (dropOnFrame !== undefined && !closedSeen()) {
        const code = dropOnFrame;
        dropOnFrame = undefined;
        connection.drop(code);
        return;
      }
      if (!isObject(message)) return;
      if (message.op === 'ping') reply(connection, { op: 'pong' });
      else if (message.op === 'hello') reply(connection, { op: denyHandshake ? 'denied' : 'welcome' });
      else if (message.op === 'sub' && ACKED.has(message.key as ChannelKey) && o.server.autoAck) reply(connection, { op: 'ack', key: message.key });
    },
    error: (error: unknown) => record.escaped.push(`server.messages$ errored: ${errorName(error)}`),
  });

  const conn: Connection<Msg, Msg> = connect<Msg, Msg>(connectOptions(scenario, SpySocket, tracker));

  // ---- the calls, from the test or from handlers -----------------------------------------
  let nextSeq = 0;
  let closeCalled = false;
  const held: Array<{ key: ChannelKey; subscription: Subscription; channel: ChannelRecord }> = [];

  const join = (key: ChannelKey, where: string, onMessage?: (m: Msg) => void, during?: { key: ChannelKey; message: Msg }): void => {
    // DESIGN.md does not say how a channel subscribed while the connection ends behaves.
    const afterClosed =
      closeCalled || (record.recorders[0]?.events.some((e) => e.type === 'Closed' || (e.type === 'Disconnected' && e.permanent)) ?? false);
    const joinedDuring = during?.key === key ? during.message : undefined;
    const channel: ChannelRecord = { key, where, end: { kind: 'open' }, left: false, afterClosed, received: [], joinedDuring };
    record.channels.push(channel);
    const subscription = conn.channel(channelSpec(key, o.ackTimeout)).subscribe({
      next: (m) => {
        channel.received.push(m);
        onMessage?.(m);
      },
      error: (error: unknown) => (channel.end = { kind: 'error', error }),
      complete: () => (channel.end = { kind: 'complete' }),
    });
    held.push({ key, subscription, channel });
  };

  /** Makes `call`; returns false when it threw (an allowed error), and records disallowed throws. */
  const perform = (call: Call, where: string, during?: { key: ChannelKey; message: Msg }): boolean => {
    const what = `${where} ${describeCall(call)}`;
    try {
      switch (call.c) {
        case 'send': {
          // Numbered at the call: a send() nested in another (from a handler that the outer
          // send's write triggered) is accepted after it, though it returns first.
          const seq = nextSeq++;
          conn.send({ seq });
          const at = record.accepted.findIndex((s) => s > seq);
          record.accepted.splice(at < 0 ? record.accepted.length : at, 0, seq);
          break;
        }
        case 'join':
          join(call.key, where, undefined, during);
          break;
        case 'leave': {
          const index = held.findIndex((h) => h.key === call.key);
          if (index < 0) return true;
          const [left] = held.splice(index, 1);
          left!.channel.left = true;
          left!.subscription.unsubscribe();
          break;
        }
        case 'close':
          closeCalled = true;
          conn.close();
          break;
        case 'retry':
          conn.retry(call.maxAttempts === undefined ? undefined : { maxAttempts: call.maxAttempts });
          if (where !== 'test') record.handlerRetries.push(testScheduler.now());
          break;
        case 'stopRetry':
          conn.stopRetry();
          break;
      }
      if (where !== 'test') log(`${what}: ok`);
      return true;
    } catch (error) {
      const allowed =
        error instanceof ConnectionClosedError ||
        (call.c === 'send' && (error instanceof BufferOverflowError || error instanceof NotConnectedError));
      // send() throwing one of its documented errors, retry() after Closed: allowed.
      // stopRetry() after Closed: DESIGN.md does not say; ConnectionClosedError is tolerated.
      // close() has no documented error (close() without arguments).
      if (!allowed || call.c === 'close') record.escaped.push(`${testScheduler.now()}: ${what} threw ${errorName(error)}`);
      log(`${what}: threw ${errorName(error)}`);
      return false;
    }
  };

  // ---- subscribers: state first, then events$ recorders around the handlers ---------------
  let latestState: ConnectionState | undefined;
  conn.state$.subscribe({
    next: (state) => {
      latestState = state;
      record.states.push(state);
    },
    error: (error: unknown) => record.escaped.push(`state$ errored: ${errorName(error)}`),
    complete: () => (record.statesCompleted = true),
  });
  conn.messages$.subscribe({
    error: (error: unknown) => (record.messagesEnd = { kind: 'error', error }),
    complete: () => (record.messagesEnd = { kind: 'complete' }),
  });

  const addRecorder = (name: string): void => {
    const joinedAt = record.recorders[0]?.events.length ?? 0;
    const recorder: Recorder = { name, events: [], statesAt: [], times: [], completed: false, error: undefined, joinedAt };
    record.recorders.push(recorder);
    conn.events$.subscribe({
      next: (event) => {
        recorder.events.push(event);
        recorder.statesAt.push(latestState!);
        recorder.times.push(testScheduler.now());
      },
      error: (error: unknown) => (recorder.error = error),
      complete: () => (recorder.completed = true),
    });
  };

  const install = (handler: Handler): void => {
    const where = describeHandler(handler);
    let left = handler.times;
    const fire = (during?: { key: ChannelKey; message: Msg }): boolean => {
      if (left <= 0) return false;
      left--;
      return perform(handler.call, where, during);
    };
    switch (handler.on) {
      case 'events':
        conn.events$.subscribe({
          next: (event) => {
            const matches =
              handler.trigger === 'Disconnected!'
                ? event.type === 'Disconnected' && event.permanent
                : event.type === handler.trigger;
            if (!matches || left <= 0) return;
            const ok = fire();
            if (handler.call.c === 'retry' && ok) record.retriedDuring.add(event);
            if (handler.call.c === 'close' || handler.call.c === 'stopRetry') record.stoppedDuring.add(event);
          },
          error: (error: unknown) => record.escaped.push(`${where}: events$ errored: ${errorName(error)}`),
        });
        break;
      case 'state':
        conn.state$.subscribe({
          next: (state) => {
            if (state === handler.trigger) fire();
          },
          error: (error: unknown) => record.escaped.push(`${where}: state$ errored: ${errorName(error)}`),
        });
        break;
      case 'messages':
        conn.messages$.subscribe({ next: () => void fire(), error: () => undefined });
        break;
      case 'channel':
        join(handler.key, where, (message) => void fire({ key: handler.key, message }));
        break;
    }
  };

  const split = Math.ceil(scenario.handlers.length / 2);
  addRecorder('first');
  scenario.handlers.slice(0, split).forEach(install);
  addRecorder('middle');
  scenario.handlers.slice(split).forEach(install);
  addRecorder('last');

  // ---- the steps, at their virtual times ----------------------------------------------
  const serverAct = (action: ServerAction): void => {
    // Once Closed is out the server stands still: it must not close, for the client, a socket
    // the client left open.
    if (closedSeen()) return;
    switch (action.k) {
      case 'mode':
        server.mode = action.mode;
        break;
      case 'status':
        server.refuseStatus = action.status;
        break;
      case 'latency':
        server.latency = action.ms;
        break;
      case 'drop':
        server.drop(action.code);
        break;
      case 'push': {
        const n = testScheduler.now();
        const message =
          action.what === 'data'
            ? { data: n }
            : action.what === 'chan'
              ? { ch: action.key, n }
              : action.what === 'garbage'
                ? 'garbage{'
                : action.what === 'pong'
                  ? { op: 'pong' }
                  : { op: action.what, key: action.key };
        if (server.open.length > 0) record.serverFrames.push(n);
        server.send(message);
        break;
      }
      case 'blackhole':
        record.blackholes.push(testScheduler.now());
        server.blackhole();
        break;
      case 'acceptPending':
      case 'refusePending': {
        const pending = server.connections.find((c) => c.readyState === 0);
        if (pending && action.k === 'acceptPending') pending.accept();
        else if (pending) pending.refuse(server.refuseStatus);
        break;
      }
      case 'denyHandshake':
        denyHandshake = true;
        break;
      case 'dropOnFrame':
        dropOnFrame = action.code;
        break;
    }
  };

  let at = 0;
  for (const step of scenario.steps) {
    at += step.gap;
    testScheduler.schedule(() => {
      if ('server' in step) {
        try {
          serverAct(step.server);
        } catch (error) {
          record.escaped.push(`${testScheduler.now()}: server ${describeServerAction(step.server)} threw ${errorName(error)}`);
        }
      } else {
        perform(step.user, 'test');
      }
    }, at);
  }
  testScheduler.schedule(() => perform({ c: 'close' }, 'test'), endAt);

  try {
    testScheduler.flush();
  } catch (error) {
    record.flushError = error;
  }

  conn.state$.subscribe({
    next: (state) => record.lateState.values.push(state),
    error: (error: unknown) => record.escaped.push(`late state$ errored: ${errorName(error)}`),
    complete: () => (record.lateState.completed = true),
  });
  conn.events$.subscribe({
    next: (event) => record.lateEvents.values.push(event),
    error: (error: unknown) => record.escaped.push(`late events$ errored: ${errorName(error)}`),
    complete: () => (record.lateEvents.completed = true),
  });
  for (const connection of server.connections) record.readyStates.push(connection.readyState);
  record.pending = tracker.pending;
  return record;
}
