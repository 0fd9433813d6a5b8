import { Subject, config, type Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import {
  BufferOverflowError,
  ConnectionClosedError,
  NotConnectedError,
  connect,
  defaultShouldRetry,
  jsonSerializer,
  type ChannelSpec,
  type Connection,
  type ConnectionEvent,
  type ConnectionState,
  type ConnectOptions,
  type Codec,
  type RetryOptions,
  type TransportOptions,
  type Serializer,
  type WebSocketConstructor,
} from '../../lib';
import { TestServer, type TestConnection } from '../../lib/testing';
import { DEFAULT_IDLE_AFTER } from '../../lib/options/lazy-options';
import {
  ACKED,
  describeCall,
  describeHandler,
  describeServerAction,
  type Call,
  type ChannelCode,
  type ChannelKey,
  type Handler,
  type Scenario,
  type ServerAction,
} from './commands';
import { DemandTracker, type LazyCheck } from './demand-tracker';
import { nextLifecycle } from './model';
import { TrackingScheduler, type PendingAction } from './tracking-scheduler';
import { UserCodeError, isObject, matchVerdict, plainDelay, routeVerdict, type In, type Msg, type UserCodeName } from './user-code';

export type { In, Msg } from './user-code';
export type Event = ConnectionEvent<Msg>;

/** One `events$` subscriber's view of the run. */
export interface Recorder {
  readonly name: string;
  readonly events: Event[];
  /** The value `state$` last emitted when each event reached this subscriber. */
  readonly statesAt: ConnectionState[];
  /** Virtual time at which each event reached this subscriber. */
  readonly times: number[];
  /** The run's clock (see {@link RunRecord.clock}) when each event reached this subscriber. */
  readonly seqs: number[];
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

/** One subscription to a channel (its own `channel()` call, so its own `match`). */
export interface ChannelRecord {
  readonly key: ChannelKey;
  /** The alt channel of the key: its `match` takes only `{alt: true}` messages. */
  readonly alt: boolean;
  /** Its spec has a `match` (without it, only `route` feeds it). */
  readonly hasMatch: boolean;
  /** Its `match` throws on poison. */
  readonly hostileMatch: boolean;
  /** Who subscribed: `test` or a handler's description. */
  readonly where: string;
  /** Clock when it subscribed, left (unsubscribed) and ended (error or complete). */
  readonly joinSeq: number;
  leftSeq: number | undefined;
  endSeq: number | undefined;
  end: StreamEnd;
  /** The test (or a handler) unsubscribed it. */
  left: boolean;
  /**
   * It was subscribed once the connection was ending: after close(), a permanent `Disconnected`
   * (in a `lazy` run, not one that led to `Idle`: set after the run) or `Closed`.
   */
  afterClosed: boolean;
  /** Messages it delivered, and the clock at each. */
  readonly received: In[];
  readonly receivedSeqs: number[];
  /** The message a subscriber of the same channel was handling when it subscribed this one. */
  readonly joinedDuring: In | undefined;
}

/** A `messages$` subscriber a `watch` call made (`lazy` runs). */
export interface WatcherRecord {
  /** Who subscribed: `test` or a handler's description. */
  readonly where: string;
  /** Subscribed once the connection was ending (as {@link ChannelRecord.afterClosed}). */
  afterClosed: boolean;
  /** An `unwatch` unsubscribed it. */
  left: boolean;
  end: StreamEnd;
}

/** What a `lazy` run saw of demand and rest. */
export interface LazyRecord {
  /** The resolved `idleAfter`. */
  readonly idleAfter: number;
  /** The state and demand at each check (see {@link DemandTracker}). */
  readonly checks: readonly LazyCheck[];
  /** Demand when each event reached the first `events$` subscriber (indexed as its events). */
  readonly demandAtEvents: number[];
  readonly watchers: WatcherRecord[];
}

/** A throw of the run's hostile user code (or a rejection its `ack` returned). */
export interface UserCodeThrow {
  readonly what: UserCodeName | 'nack';
  /** The channel key whose code it is (channel code only). */
  readonly key: ChannelKey | undefined;
  /** The channel whose own `match` it is (`match` only). */
  readonly channel: ChannelRecord | undefined;
  /** What it threw (absent for `nack`). */
  readonly error: unknown;
  readonly seq: number;
  /** Virtual time. */
  readonly at: number;
  /** A handler's call was in progress (the library was running on behalf of a handler). */
  readonly inHandlerCall: boolean;
  /** The message it was called with (`match`, `route`, `ack`). */
  readonly message?: unknown;
}

/** A channel frame the client wrote to an open socket. */
export interface ChannelFrame {
  readonly op: 'sub' | 'unsub';
  readonly key: ChannelKey;
  readonly socket: number;
  readonly seq: number;
  /** Virtual time. */
  readonly at: number;
}

/**
 * Everything a run observed, for the invariants. `seq` fields read the run's clock, which
 * ticks at every observation (an event reaching a recorder, a message, a channel value, a
 * call, a throw of user code, a frame written), so they order what happened within one
 * virtual instant.
 */
export interface RunRecord {
  readonly scenario: Scenario;
  clock: number;
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
  /** Each `sendNow()` call: its number, what it returned, and the open socket at the call (-1: none). */
  readonly controls: Array<{ readonly n: number; readonly ok: boolean; readonly openSocket: number }>;
  /** Control frames that reached a socket: `{ctl: n}` and which socket. */
  readonly controlWritten: Array<{ readonly n: number; readonly socket: number }>;
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
  /** Virtual times at which any handler called `retry()` or `reconnect()` (and it did not throw). */
  readonly handlerRetries: number[];
  /** Events during whose delivery an `events$` handler called `close()` or `stopRetry()`. */
  readonly stoppedDuring: Set<Event>;
  /** How `messages$` (subscribed at time 0) ended. */
  messagesEnd: StreamEnd;
  /** (`lazy`) The test did not subscribe `messages$` at time 0, or an `unwatch` left it: its end is not judged. */
  messagesLeft: boolean;
  /** What a `lazy` run saw of demand and rest (absent: not lazy). */
  lazy: LazyRecord | undefined;
  readonly channels: ChannelRecord[];
  /** Virtual times at which the server black-holed its open links. */
  readonly blackholes: number[];
  /** Virtual times at which the server sent a frame (pushes and replies), in order. */
  readonly serverFrames: number[];
  /** Handler calls and what they did, and links dropped on a frame, for failure messages. */
  readonly log: string[];
  /** Every throw of hostile user code (and every rejection `ack` returned), in order. */
  readonly thrown: UserCodeThrow[];
  /** Messages `messages$` (subscribed at time 0) delivered, with the clock. */
  readonly inbound: Array<{ readonly message: In; readonly seq: number }>;
  /** Clock at each call a handler made (before it). */
  readonly handlerCalls: number[];
  /** Clock at each `close()` call, from the test or a handler (before it). */
  readonly closeCalls: number[];
  /** Clock at the start of each step of the scenario. */
  readonly stepSeqs: number[];
  /** Channel frames written. */
  readonly channelFrames: ChannelFrame[];
  /** Clock when each socket was constructed (socket index = position). */
  readonly socketSeqs: number[];
  /** Clock when each socket began to close, by either side (by socket index; absent: never). */
  readonly socketEnds: Map<number, number>;
  /** Clock and new limit of each `retry({maxAttempts})` call that did not throw. */
  readonly limitChanges: Array<{ readonly seq: number; readonly maxAttempts: number }>;
  /** Each `reconnect()` that did not throw: clock before it, virtual time, who called it. */
  readonly reconnects: Array<{ readonly seq: number; readonly at: number; readonly where: string }>;
  /** Clock at each `stopRetry()` call (before it). */
  readonly stopCalls: number[];
  /** Virtual times of every nudge to attempt now: `retry()` and `reconnect()` that did not throw, `wake$` emissions. */
  readonly nudges: number[];
  /** Clock and virtual time of each `nack` the server pushed (it rejects channel `c`'s subscription on every open link). */
  readonly nacks: Array<{ readonly seq: number; readonly at: number; readonly key: ChannelKey }>;
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

/** Where the run's user code reports its throws. */
interface UserCodeHooks {
  /** Records a throw (and returns the error, to throw it). */
  threw(what: UserCodeName, key: ChannelKey | undefined, message?: unknown, channel?: ChannelRecord, thrown?: unknown): UserCodeError;
  readonly wake$: Subject<void>;
}

function connectOptions(
  scenario: Scenario,
  WebSocket: WebSocketConstructor,
  scheduler: TrackingScheduler,
  hooks: UserCodeHooks,
): ConnectOptions<In, Msg> {
  const o = scenario.options;
  const policy = o.policy;
  let policyCalls = 0;
  /** Counts a call of the policy `fn`; throws on the n-th. */
  const policyCall = (fn: 'shouldRetry' | 'delay'): void => {
    if (policy?.fn === fn && ++policyCalls === policy.throwOn) throw hooks.threw(fn, undefined);
  };
  const retry: RetryOptions = {
    initialDelay: o.retry.initialDelay,
    maxDelay: o.retry.maxDelay,
    maxAttempts: o.retry.maxAttempts,
    stableAfter: o.retry.stableAfter,
    jitter: o.retry.jitterSeed === undefined ? 0 : 0.5,
    ...(o.retry.jitterSeed === undefined ? {} : { random: seededRandom(o.retry.jitterSeed) }),
    ...(o.retry.timeout === undefined ? {} : { timeout: o.retry.timeout }),
    ...(policy?.fn === 'shouldRetry'
      ? {
          shouldRetry: (error: unknown) => {
            policyCall('shouldRetry');
            return defaultShouldRetry(error);
          },
        }
      : {}),
    ...(policy?.fn === 'delay'
      ? {
          delay: (attempt: number) => {
            policyCall('delay');
            return plainDelay(attempt, o.retry.initialDelay, o.retry.maxDelay);
          },
        }
      : {}),
  };
  // JSON, as by default, except that what it cannot encode (a BigInt) is recorded as thrown.
  const serializer: Serializer<In, Msg> = {
    serialize: (message) => {
      try {
        return jsonSerializer.serialize(message);
      } catch (error) {
        const key = isObject(message) && typeof message.key === 'string' ? (message.key as ChannelKey) : undefined;
        hooks.threw('serialize', key, message, undefined, error);
        throw error;
      }
    },
    deserialize: (data) => jsonSerializer.deserialize(data) as In,
  };
  const route = o.route;
  const hb = o.heartbeat;
  const edges = o.edges ?? {};
  let transportCalls = 0;
  let handshakeCalls = 0;
  /** A value whose `then` getter throws: a thenable check reads it. */
  const thenThrows = (what: 'transport().then' | 'handshake.message().then', value: object): object =>
    Object.defineProperty(value, 'then', {
      get: () => {
        throw hooks.threw(what, undefined);
      },
    });
  const codec: Codec<In, Msg> = {
    encode: (message) => serializer.serialize(message),
    decoder: () => (frame) => {
      try {
        return [serializer.deserialize(frame as string)];
      } catch {
        // What the library reads to iterate it throws: the frame is invalid, as a bad frame.
        return Object.defineProperty({}, Symbol.iterator, {
          get: () => {
            throw hooks.threw('decoder[Symbol.iterator]', undefined, frame);
          },
        }) as Iterable<In>;
      }
    },
  };
  return {
    url: URL,
    WebSocket,
    scheduler,
    retry,
    ...(edges.decoderIteratorThrows ? { codec } : { serializer }),
    ...(edges.transportThenThrowsOn === undefined
      ? {}
      : { transport: (): TransportOptions => (++transportCalls === edges.transportThenThrowsOn ? (thenThrows('transport().then', {}) as TransportOptions) : {}) }),
    wake$: hooks.wake$,
    ...(o.lazy ? { lazy: o.lazy.idleAfter === undefined ? true : { idleAfter: o.lazy.idleAfter } } : {}),
    ...(route
      ? {
          route: (m: In) => {
            const key = routeVerdict(route.throws, m);
            if (key === 'throws') throw hooks.threw('route', undefined, m);
            return key;
          },
        }
      : {}),
    circuitBreaker: o.circuitBreaker ?? false,
    heartbeat: hb
      ? {
          interval: hb.interval,
          timeout: hb.timeout,
          ...(hb.app ? { message: { op: 'ping' }, isPong: (m: In) => isObject(m) && m.op === 'pong' } : {}),
        }
      : false,
    ...(o.buffer === undefined ? {} : { buffer: o.buffer }),
    ...(o.connectTimeout === undefined ? {} : { connectTimeout: o.connectTimeout }),
    ...(o.handshake === undefined
      ? {}
      : {
          handshake: {
            message: () =>
              ++handshakeCalls === edges.handshakeThenThrowsOn ? (thenThrows('handshake.message().then', { op: 'hello' }) as Msg) : { op: 'hello' },
            timeout: o.handshake.timeout,
            ...(o.handshake.ack
              ? {
                  ack: (m: In) =>
                    !isObject(m) ? false : m.op === 'welcome' ? true : m.op === 'denied' ? new Error('handshake denied') : false,
                }
              : {}),
          },
        }),
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
    mode: o.server.mode ?? 'accept',
    latency: o.server.latency,
    pings: o.heartbeat !== undefined && !o.heartbeat.app,
  });

  const record: RunRecord = {
    scenario,
    clock: 0,
    endAt,
    recorders: [],
    states: [],
    statesCompleted: false,
    lateState: { values: [], completed: false },
    lateEvents: { values: [], completed: false },
    accepted: [],
    written: [],
    controls: [],
    controlWritten: [],
    escaped: [],
    unhandled,
    flushError: undefined,
    readyStates: [],
    pending: [],
    retriedDuring: new Set(),
    handlerRetries: [],
    stoppedDuring: new Set(),
    messagesEnd: { kind: 'open' },
    messagesLeft: false,
    lazy: undefined,
    channels: [],
    blackholes: [],
    serverFrames: [],
    log: [],
    thrown: [],
    inbound: [],
    handlerCalls: [],
    closeCalls: [],
    stepSeqs: [],
    channelFrames: [],
    socketSeqs: [],
    socketEnds: new Map(),
    limitChanges: [],
    nudges: [],
    nacks: [],
    stopCalls: [],
    reconnects: [],
  };
  const tick = (): number => ++record.clock;
  const log = (line: string): void => {
    if (record.log.length < 80) record.log.push(`${testScheduler.now()}: ${line}`);
  };

  // ---- user code: every throw is recorded, with the clock --------------------------------
  /** Depth of handler calls in progress: the library runs on a handler's behalf. */
  let inHandlerCall = 0;
  const hooks: UserCodeHooks = {
    threw: (what, key, message, channel, thrown) => {
      const error = new UserCodeError(`${what}${key === undefined ? '' : ` ${key}`} threw (hostile user code)`);
      const seq = tick();
      record.thrown.push({ what, key, channel, error: thrown ?? error, seq, at: testScheduler.now(), inHandlerCall: inHandlerCall > 0, message });
      return error;
    },
    wake$: new Subject<void>(),
  };
  /** Calls of each channel function so far, per key. */
  const counts = new Map<string, number>();
  const count = (fn: string, key: ChannelKey): number => {
    const n = (counts.get(`${fn} ${key}`) ?? 0) + 1;
    counts.set(`${fn} ${key}`, n);
    return n;
  };

  const channelSpec = (channel: ChannelRecord, code: ChannelCode): ChannelSpec<In, Msg> => {
    const key = channel.key;
    const builder = code.subscribeThrowsOn !== undefined || (code.bigIntOn !== undefined && code.bigIntOn > 0);
    const subscribe = (): Msg => {
      const n = count('subscribe', key);
      if (n === code.subscribeThrowsOn) throw hooks.threw('subscribe', key);
      return code.bigIntOn === 0 || n === code.bigIntOn ? { op: 'sub', key, big: BigInt(n) } : { op: 'sub', key };
    };
    const unsubscribe = (): Msg => {
      if (count('unsubscribe', key) === code.unsubscribeThrowsOn) throw hooks.threw('unsubscribe', key);
      return { op: 'unsub', key };
    };
    const ack = (m: In): boolean | Error => {
      const n = count('ack', key);
      if (n === code.ackThrowsOn) throw hooks.threw('ack', key, m);
      if (!isObject(m) || m.key !== key) return false;
      if (m.op === 'ack') return true;
      if (m.op !== 'nack') return false;
      record.thrown.push({ what: 'nack', key, channel: undefined, error: undefined, seq: tick(), at: testScheduler.now(), inHandlerCall: inHandlerCall > 0, message: m });
      return new Error('nack');
    };
    return {
      key,
      subscribe: builder ? subscribe : code.bigIntOn === 0 ? { op: 'sub', key, big: 0n } : { op: 'sub', key },
      unsubscribe: code.unsubscribeThrowsOn === undefined ? { op: 'unsub', key } : unsubscribe,
      ...(channel.hasMatch
        ? {
            match: (m: In) => {
              const verdict = matchVerdict(key, channel.alt, channel.hostileMatch, m);
              if (verdict === 'throws') throw hooks.threw('match', key, m, channel);
              return verdict;
            },
          }
        : {}),
      ...(ACKED.has(key) ? { ack, ackTimeout: o.ackTimeout } : {}),
    };
  };

  // ---- the transport ------------------------------------------------------------------------
  // The client's writes, seen at the socket: what reached an open socket counts as written
  // (a black-holed server ignores it, as a dead link would: lost in flight, not by the library).
  const closedSeen = (): boolean => record.recorders[0]?.events.some((e) => e.type === 'Closed') ?? false;
  let dropOnFrame: { code: number; skip: number; flush: boolean } | undefined =
    o.server.dropOnFlush === undefined ? undefined : { code: o.server.dropOnFlush, skip: 0, flush: true };
  /** `send()` calls in progress: a send() frame written outside them is flushed from the buffer. */
  let inSendCall = 0;
  /** True when the client frame now being written is the one `dropOnFrame` waits for. */
  const dropsThisFrame = (message: unknown): boolean => {
    if (dropOnFrame === undefined || closedSeen()) return false;
    if (dropOnFrame.flush && !(inSendCall === 0 && isObject(message) && typeof message.seq === 'number')) return false;
    return dropOnFrame.skip-- <= 0;
  };
  const sync = o.transport === 'sync';
  /** Socket `index` begins to close now (the first time counts). */
  const socketEnding = (index: number): void => {
    if (index >= 0 && !record.socketEnds.has(index)) record.socketEnds.set(index, tick());
  };
  const sockets: unknown[] = [];
  /** (`lazy`) Tells the demand tracker that demand may have changed (set once it exists). */
  let demandChanged = (): void => undefined;
  const Base = server.WebSocket;
  class SpySocket extends Base {
    private readonly index = sockets.push(this) - 1;
    /** Clock at construction (see {@link RunRecord.socketSeqs}). */
    readonly madeAt = record.socketSeqs.push(tick());
    override send(data: string | ArrayBufferLike | ArrayBufferView): void {
      const open = this.readyState === 1;
      const message = decode(data);
      if (open) {
        if (isObject(message) && typeof message.seq === 'number') record.written.push({ seq: message.seq, socket: this.index });
        if (isObject(message) && typeof message.ctl === 'number') record.controlWritten.push({ n: message.ctl, socket: this.index });
        if (isObject(message) && (message.op === 'sub' || message.op === 'unsub')) {
          record.channelFrames.push({ op: message.op, key: message.key as ChannelKey, socket: this.index, seq: tick(), at: testScheduler.now() });
        }
      }
      super.send(data);
      demandChanged(); // a flush empties the buffer
      if (sync && open && dropsThisFrame(message)) {
        log(`the transport loses the link (${dropOnFrame!.code}) inside send(${JSON.stringify(message)})`);
        this.loseInsideSend(dropOnFrame!.code);
      }
    }

    /**
     * The synchronous transport: the link is lost before `send()` returns (legal for a
     * WebSocket-compatible transport). The server sees it closed too.
     */
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      // `terminate()` exists with protocol pings (ws's Node extra): an own wrapper records it too.
      const self = this as unknown as { terminate?: () => void };
      const terminate = self.terminate;
      if (typeof terminate === 'function') {
        self.terminate = () => {
          socketEnding(this.index);
          terminate.call(this);
        };
      }
    }

    override close(code?: number, reason?: string): void {
      socketEnding(this.index);
      super.close(code, reason);
    }

    private loseInsideSend(code: number): void {
      socketEnding(this.index);
      dropOnFrame = undefined;
      // Closed for the server; a synchronous TestServer (0.1.0's) also fires onclose here.
      server.connections[this.index]?.drop(code);
      if (this.readyState === 3) return;
      const abrupt = code === 1006;
      (this as unknown as { readyState: number }).readyState = 3;
      if (abrupt) (this.onerror as ((event: object) => unknown) | null)?.call(this, { type: 'error', message: 'connection reset' });
      (this.onclose as ((event: object) => unknown) | null)?.call(this, { type: 'close', code, reason: '', wasClean: !abrupt });
    }
  }

  // The server's own replies: pongs, the handshake's answer, acks of channel `c`.
  let denyHandshake = false;
  let reconnectedOnHello = false;
  const reply = (connection: TestConnection, message: Msg): void => {
    testScheduler.schedule(() => {
      if (connection.isOpen) record.serverFrames.push(testScheduler.now());
      connection.send(message);
    }, o.server.replyDelay);
  };
  server.messages$.subscribe({
    next: ({ connection, message }) => {
      if (!sync && dropsThisFrame(message)) {
        const { code } = dropOnFrame!;
        dropOnFrame = undefined;
        log(`the server drops the link (${code}) on ${JSON.stringify(message)}`);
        socketEnding(server.connections.indexOf(connection));
        connection.drop(code);
        return;
      }
      if (!isObject(message)) return;
      if (message.op === 'ping') reply(connection, { op: 'pong' });
      else if (message.op === 'hello') {
        reply(connection, { op: denyHandshake ? 'denied' : 'welcome' });
        // (MODEL_EDGES) reconnect() while this attempt waits for the handshake's answer.
        // Once: a reconnect() on every hello would make the links loop (each new link says hello).
        if (o.edges?.reconnectOnHello && !reconnectedOnHello) {
          reconnectedOnHello = true;
          testScheduler.schedule(() => void perform({ c: 'reconnect' }, 'server:hello'));
        }
      }
      else if (message.op === 'sub' && ACKED.has(message.key as ChannelKey) && o.server.autoAck) reply(connection, { op: 'ack', key: message.key });
    },
    error: (error: unknown) => record.escaped.push(`server.messages$ errored: ${errorName(error)}`),
  });

  const conn: Connection<In, Msg> = connect<In, Msg>(connectOptions(scenario, SpySocket, tracker, hooks));

  // ---- the calls, from the test or from handlers -----------------------------------------
  let nextControl = 0;
  let nextSeq = 0;
  let closeCalled = false;
  const held: Array<{ key: ChannelKey; subscription: Subscription; channel: ChannelRecord }> = [];
  /** `messages$` subscriptions an `unwatch` may end, oldest first, with what leaving them means. */
  const watchers: Array<{ readonly subscription: Subscription; readonly leave: () => void; ended: boolean }> = [];
  /** (`lazy`) When each channel and watcher subscribed: whether close() had been called, and how many events the first subscriber had seen. */
  const joinedAt = new Map<{ afterClosed: boolean }, { readonly closeCalled: boolean; readonly events: number }>();
  const ending = (): boolean =>
    closeCalled || (record.recorders[0]?.events.some((e) => e.type === 'Closed' || (e.type === 'Disconnected' && e.permanent)) ?? false);

  /** (`lazy`) Subscribes `messages$` for a `watch` call. */
  const watch = (where: string): void => {
    const watcher: WatcherRecord = { where, afterClosed: ending(), left: false, end: { kind: 'open' } };
    joinedAt.set(watcher, { closeCalled, events: record.recorders[0]?.events.length ?? 0 });
    record.lazy?.watchers.push(watcher);
    const entry = { subscription: undefined as unknown as Subscription, leave: () => (watcher.left = true), ended: false };
    const end = (how: StreamEnd): void => {
      watcher.end = how;
      entry.ended = true;
      demandChanged();
    };
    entry.subscription = conn.messages$.subscribe({ error: (error: unknown) => end({ kind: 'error', error }), complete: () => end({ kind: 'complete' }) });
    watchers.push(entry);
  };

  const join = (
    key: ChannelKey,
    alt: boolean,
    where: string,
    onMessage?: (m: In) => void,
    during?: { key: ChannelKey; message: In },
  ): void => {
    // DESIGN.md does not say how a channel subscribed while the connection ends behaves.
    const afterClosed = ending();
    const joinedDuring = during?.key === key ? during.message : undefined;
    const code = o.code?.[key] ?? {};
    const channel: ChannelRecord = {
      key,
      alt,
      hasMatch: !(o.route && code.noMatch),
      hostileMatch: code.matchThrows === true,
      where,
      joinSeq: tick(),
      leftSeq: undefined,
      endSeq: undefined,
      end: { kind: 'open' },
      left: false,
      afterClosed,
      received: [],
      receivedSeqs: [],
      joinedDuring,
    };
    record.channels.push(channel);
    joinedAt.set(channel, { closeCalled, events: record.recorders[0]?.events.length ?? 0 });
    const subscription = conn.channel(channelSpec(channel, code)).subscribe({
      next: (m) => {
        channel.received.push(m);
        channel.receivedSeqs.push(tick());
        onMessage?.(m);
      },
      error: (error: unknown) => {
        channel.end = { kind: 'error', error };
        channel.endSeq = tick();
        demandChanged();
      },
      complete: () => {
        channel.end = { kind: 'complete' };
        channel.endSeq = tick();
        demandChanged();
      },
    });
    held.push({ key, subscription, channel });
  };

  /** Makes `call`; returns false when it threw (an allowed error), and records disallowed throws. */
  const perform = (call: Call, where: string, during?: { key: ChannelKey; message: In }): boolean => {
    const what = `${where} ${describeCall(call)}`;
    const fromHandler = where !== 'test';
    if (fromHandler) {
      record.handlerCalls.push(tick());
      inHandlerCall++;
    }
    try {
      switch (call.c) {
        case 'send': {
          // Numbered at the call: a send() nested in another (from a handler that the outer
          // send's write triggered) is accepted after it, though it returns first.
          const seq = nextSeq++;
          inSendCall++;
          try {
            conn.send({ seq });
          } finally {
            inSendCall--;
          }
          const at = record.accepted.findIndex((s) => s > seq);
          record.accepted.splice(at < 0 ? record.accepted.length : at, 0, seq);
          break;
        }
        case 'join':
          join(call.key, call.alt === true, where, undefined, during);
          break;
        case 'leave': {
          const index = held.findIndex((h) => h.key === call.key);
          if (index < 0) return true;
          const [left] = held.splice(index, 1);
          left!.channel.left = true;
          left!.channel.leftSeq = tick();
          left!.subscription.unsubscribe();
          break;
        }
        case 'close':
          closeCalled = true;
          record.closeCalls.push(tick());
          conn.close();
          break;
        case 'retry':
        {
          const seq = tick(); // before the call: what the call causes comes after the new limit
          conn.retry(call.maxAttempts === undefined ? undefined : { maxAttempts: call.maxAttempts });
          if (call.maxAttempts !== undefined) record.limitChanges.push({ seq, maxAttempts: call.maxAttempts });
        }
          record.nudges.push(testScheduler.now());
          if (fromHandler) record.handlerRetries.push(testScheduler.now());
          break;
        case 'stopRetry':
          record.stopCalls.push(tick());
          conn.stopRetry();
          break;
        case 'reconnect':
        {
          const seq = tick();
          conn.reconnect(); // in an outage, and from a permanent Disconnected, it is retry()
          record.reconnects.push({ seq, at: testScheduler.now(), where });
        }
          record.nudges.push(testScheduler.now());
          if (fromHandler) record.handlerRetries.push(testScheduler.now());
          break;
        case 'watch':
          watch(where);
          break;
        case 'unwatch': {
          const left = watchers.shift();
          if (left === undefined) return true;
          left.leave();
          left.subscription.unsubscribe();
          break;
        }
        case 'quiet':
          for (const left of watchers.splice(0)) {
            left.leave();
            left.subscription.unsubscribe();
          }
          for (const { channel, subscription } of held.splice(0)) {
            channel.left = true;
            channel.leftSeq = tick();
            subscription.unsubscribe();
          }
          break;
        case 'sendNow': {
          // Numbered at the call: a handler may call sendNow() from inside this one (the link
          // lost inside the write delivers its events before the outer call returns).
          const n = nextControl++;
          const openSocket = sockets.findIndex((s) => (s as { readyState: number }).readyState === 1);
          const ok = conn.sendNow({ ctl: n });
          record.controls.push({ n, ok, openSocket });
          break;
        }
      }
      if (fromHandler) log(`${what}: ok`);
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
    } finally {
      if (fromHandler) inHandlerCall--;
      demandChanged();
    }
  };

  // ---- lazy: demand for a link, as the test knows it ----------------------------------------
  const demand = (): number =>
    watchers.filter((w) => !w.ended).length + held.filter((h) => h.channel.end.kind === 'open').length + conn.buffered;
  const lazy = o.lazy === undefined ? undefined : lazyTracking(o.lazy.idleAfter ?? DEFAULT_IDLE_AFTER);
  function lazyTracking(idleAfter: number): { readonly record: LazyRecord; readonly tracker: DemandTracker } {
    const demandTracker = new DemandTracker(idleAfter, testScheduler, {
      demand,
      state: () => conn.state,
      pending: () => tracker.pending.length,
      dueNow: () => tracker.pending.filter((p) => p.scheduledAt + p.delay <= testScheduler.now()).length,
      liveSockets: () => sockets.filter((s) => (s as { readyState: number }).readyState <= 1).length,
      closingSockets: () => sockets.filter((s) => (s as { readyState: number }).readyState === 2).length,
      ended: closedSeen,
    });
    const lazyRecord: LazyRecord = { idleAfter, checks: demandTracker.checks, demandAtEvents: [], watchers: [] };
    record.lazy = lazyRecord;
    demandChanged = () => demandTracker.changed();
    return { record: lazyRecord, tracker: demandTracker };
  }

  // ---- subscribers: state first, then events$ recorders around the handlers ---------------
  // Every subscription has an error callback: anything reaching config.onUnhandledError is
  // the library's (a README example without one is the README's business, #8 item 4).
  let latestState: ConnectionState | undefined;
  conn.state$.subscribe({
    next: (state) => {
      latestState = state;
      record.states.push(state);
    },
    error: (error: unknown) => record.escaped.push(`state$ errored: ${errorName(error)}`),
    complete: () => (record.statesCompleted = true),
  });
  if (o.lazy?.noWatcher) record.messagesLeft = true;
  else {
    const entry = { subscription: undefined as unknown as Subscription, leave: () => (record.messagesLeft = true), ended: false };
    const end = (how: StreamEnd): void => {
      record.messagesEnd = how;
      entry.ended = true;
      demandChanged();
    };
    entry.subscription = conn.messages$.subscribe({
      next: (message) => record.inbound.push({ message, seq: tick() }),
      error: (error: unknown) => end({ kind: 'error', error }),
      complete: () => end({ kind: 'complete' }),
    });
    watchers.push(entry);
  }

  const addRecorder = (name: string): void => {
    const joinedAt = record.recorders[0]?.events.length ?? 0;
    const recorder: Recorder = { name, events: [], statesAt: [], times: [], seqs: [], completed: false, error: undefined, joinedAt };
    const first = record.recorders.length === 0;
    record.recorders.push(recorder);
    conn.events$.subscribe({
      next: (event) => {
        recorder.events.push(event);
        recorder.statesAt.push(latestState!);
        recorder.times.push(testScheduler.now());
        recorder.seqs.push(tick());
        if (first && lazy) {
          lazy.record.demandAtEvents.push(demand());
          if (event.type === 'Connecting' && event.attempt === 0) lazy.tracker.started();
        }
      },
      error: (error: unknown) => (recorder.error = error),
      complete: () => (recorder.completed = true),
    });
  };

  const install = (handler: Handler): void => {
    const where = describeHandler(handler);
    let left = handler.times;
    const fire = (during?: { key: ChannelKey; message: In }): boolean => {
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
            if ((handler.call.c === 'retry' || handler.call.c === 'reconnect') && ok) record.retriedDuring.add(event);
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
      {
        const entry = { subscription: undefined as unknown as Subscription, leave: () => undefined, ended: false };
        const end = (): void => {
          entry.ended = true;
          demandChanged();
        };
        entry.subscription = conn.messages$.subscribe({ next: () => void fire(), error: end, complete: end });
        watchers.push(entry);
      }
        break;
      case 'channel':
        join(handler.key, false, where, (message) => void fire({ key: handler.key, message }));
        break;
    }
  };

  const split = Math.ceil(scenario.handlers.length / 2);
  addRecorder('first');
  scenario.handlers.slice(0, split).forEach(install);
  addRecorder('middle');
  scenario.handlers.slice(split).forEach(install);
  addRecorder('last');
  for (const call of scenario.joins) perform(call, 'test');
  for (let i = 0; i < scenario.sends; i++) perform({ c: 'send' }, 'test');

  // ---- the steps, at their virtual times ----------------------------------------------
  let nextId = 0;
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
        server.connections.forEach((connection, index) => connection.isOpen && socketEnding(index));
        server.drop(action.code);
        break;
      case 'push': {
        const n = testScheduler.now();
        const id = nextId++;
        const { key } = action;
        const message: unknown =
          action.what === 'data'
            ? { data: n, id }
            : action.what === 'chan'
              ? { ch: key, n, id, ...(action.alt ? { alt: true } : {}) }
              : action.what === 'routed'
                ? { rk: key, ch: key, n, id }
                : action.what === 'poison'
                  ? { poison: true, rk: key, ch: key, n, id }
                  : action.what === 'null'
                    ? null
                    : action.what === 'garbage'
                      ? 'garbage{'
                      : action.what === 'pong'
                        ? { op: 'pong' }
                        : { op: action.what, key, id };
        if (server.open.length > 0) record.serverFrames.push(n);
        if (action.what === 'nack' && ACKED.has(key)) record.nacks.push({ seq: tick(), at: n, key });
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
        dropOnFrame = { code: action.code, skip: action.skip, flush: action.flush === true };
        break;
      case 'wake':
        if (action.end === 'error') hooks.wake$.error(new Error('wake$ failed'));
        else if (action.end === 'complete') hooks.wake$.complete();
        else {
          record.nudges.push(testScheduler.now());
          hooks.wake$.next();
        }
        break;
    }
  };

  let at = 0;
  for (const step of scenario.steps) {
    at += step.gap;
    testScheduler.schedule(() => {
      record.stepSeqs.push(tick());
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
    lazy?.tracker.checkAfterStep(at);
  }
  demandChanged(); // nothing at all may need the link from the start
  testScheduler.schedule(() => {
    record.stepSeqs.push(tick());
    perform({ c: 'close' }, 'test');
  }, endAt);

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
  if (lazy) {
    // A permanent `Disconnected` that led to `Idle` did not end the connection: what joined
    // after it (from its handlers) joined a connection that rests, not one that ends.
    const events = record.recorders[0]!.events;
    const endedBefore = (n: number): boolean =>
      events.slice(0, n).some((e, i) => e.type === 'Closed' || (e.type === 'Disconnected' && e.permanent && events[nextLifecycle(events, i)]?.type !== 'Idle'));
    for (const [joined, at] of joinedAt) joined.afterClosed = at.closeCalled || endedBefore(at.events);
  }
  record.pending = tracker.pending;
  return record;
}
