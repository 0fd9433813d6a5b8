import fc from 'fast-check';
import type { ConnectionEventType, ConnectionState } from '../../lib';

/**
 * The scenarios the model-based test runs: connection options, handlers installed at time 0,
 * and a list of timed steps (server and user actions). Plain records, so fast-check prints
 * and shrinks them.
 */

/** The channels a run may use; `c` waits for the server's `ack`. */
export const CHANNEL_KEYS = ['a', 'b', 'c'] as const;
export type ChannelKey = (typeof CHANNEL_KEYS)[number];
/** Channels whose spec has `ack`. */
export const ACKED: ReadonlySet<ChannelKey> = new Set<ChannelKey>(['c']);

/** A call on the connection's public API, made by the test or by a handler. */
export type Call =
  | { readonly c: 'send' }
  /** `alt`: a second `channel()` on the key, with a different `match` (only `{alt: true}` messages). */
  | { readonly c: 'join'; readonly key: ChannelKey; readonly alt?: true }
  | { readonly c: 'leave'; readonly key: ChannelKey }
  | { readonly c: 'close' }
  | { readonly c: 'retry'; readonly maxAttempts?: number }
  | { readonly c: 'stopRetry' }
  /** `reconnect()`: a fresh link now (#9). */
  | { readonly c: 'reconnect' }
  /** `sendNow({ctl: n})`: a control frame, written now or refused, never buffered (#9). */
  | { readonly c: 'sendNow' }
  /** (`lazy` runs) A new `messages$` subscriber: demand for a link. */
  | { readonly c: 'watch' }
  /** (`lazy` runs) The oldest `messages$` subscriber the test or a handler made leaves. */
  | { readonly c: 'unwatch' }
  /** (`lazy` runs) Every channel and `messages$` subscriber the test and the handlers made leaves. */
  | { readonly c: 'quiet' };

/** What the in-memory server does at a step. */
export type ServerAction =
  | { readonly k: 'mode'; readonly mode: 'accept' | 'refuse' | 'manual' }
  | { readonly k: 'status'; readonly status: 503 | 429 | 401 | 403 }
  | { readonly k: 'latency'; readonly ms: number }
  | { readonly k: 'drop'; readonly code: 1006 | 1000 | 1001 | 4000 | 1008 | 1002 | 1003 }
  /**
   * A frame: `data` (no channel), `chan` (`{ch: key}`, `alt` marks it for the alt match),
   * `routed` (`{rk: key, ch: key}`, placed by `route`), `poison` (`{poison: true, rk, ch}`:
   * hostile user code throws on it), `null` (a `null` frame, which a README-style match
   * throws on), an ack or nack of `c`, a frame that is not JSON, an unsolicited pong.
   */
  | {
      readonly k: 'push';
      readonly what: 'data' | 'chan' | 'routed' | 'poison' | 'null' | 'ack' | 'nack' | 'garbage' | 'pong';
      readonly key: ChannelKey;
      readonly alt?: true;
    }
  | { readonly k: 'blackhole' }
  | { readonly k: 'acceptPending' }
  | { readonly k: 'refusePending' }
  | { readonly k: 'denyHandshake' }
  /**
   * Drop the link with `code` on the client's next frame but `skip` (`flush`: counting only
   * frames of buffered `send()`s the client flushes, outside any `send()` call): from inside
   * the server's handler of that frame, or, with the synchronous transport, inside the
   * client's socket `send()`.
   */
  | { readonly k: 'dropOnFrame'; readonly code: 1006 | 1001 | 1008; readonly skip: number; readonly flush?: true }
  /** The `wake$` Subject emits, or ends (a `wake$` that errors or completes stops waking). */
  | { readonly k: 'wake'; readonly end?: 'error' | 'complete' };

/** One step: `gap` ms after the previous one, the server acts or the test calls the API. */
export type Step =
  | { readonly gap: number; readonly server: ServerAction }
  | { readonly gap: number; readonly user: Call };

/** Event types a handler can react to; `Disconnected!` is a permanent `Disconnected`. */
export type EventTrigger = ConnectionEventType | 'Disconnected!';

/** A subscriber that makes a call from inside its handler, at most `times` times. */
export type Handler =
  | { readonly on: 'events'; readonly trigger: EventTrigger; readonly call: Call; readonly times: number }
  | { readonly on: 'state'; readonly trigger: ConnectionState; readonly call: Call; readonly times: number }
  | { readonly on: 'messages'; readonly call: Call; readonly times: number }
  | { readonly on: 'channel'; readonly key: ChannelKey; readonly call: Call; readonly times: number };

/**
 * How one channel key's user code misbehaves; the same for every `channel()` call on it.
 * Counters ("the n-th call") count per key over the whole run.
 */
export interface ChannelCode {
  /** `match` throws on a `null` frame and on `{poison: true}`. */
  readonly matchThrows?: true;
  /** With `route`: the spec has no `match` (ignored without `route`). */
  readonly noMatch?: true;
  /** `subscribe` is a builder (with an explicit `key`) that throws on its n-th call. */
  readonly subscribeThrowsOn?: number;
  /**
   * The `subscribe` message holds a BigInt, which JSON cannot encode: 0 every time (a static
   * message unless `subscribe` is a builder anyway), n ≥ 1 on the builder's n-th call.
   */
  readonly bigIntOn?: number;
  /** `unsubscribe` is a builder that throws on its n-th call. */
  readonly unsubscribeThrowsOn?: number;
  /** (`c` only) `ack` throws on its n-th call. */
  readonly ackThrowsOn?: number;
}

/** The options of one run (turned into `ConnectOptions` by the runner). */
export interface RunOptions {
  readonly retry: {
    readonly initialDelay: number;
    readonly maxDelay: number;
    readonly maxAttempts: number;
    readonly stableAfter: number;
    readonly timeout?: number;
    /** Seed of a deterministic `random` with jitter 0.5; absent: jitter 0. */
    readonly jitterSeed?: number;
  };
  readonly circuitBreaker?: { readonly failureThreshold: number; readonly resetTimeout: number };
  /** `app`: `{op:'ping'}` / `{op:'pong'}` with `isPong`; otherwise protocol pings. */
  readonly heartbeat?: { readonly interval: number; readonly timeout: number; readonly app: boolean };
  readonly buffer?: { readonly maxMessages: number } | false;
  readonly handshake?: { readonly ack: boolean; readonly timeout: number };
  readonly connectTimeout?: number;
  readonly ackTimeout: number;
  /** Hostile channel code, per key (absent: the channel's code behaves). */
  readonly code?: { readonly [K in ChannelKey]?: ChannelCode };
  /** The connection option `route` (a message's `rk`); `throws`: it throws on poison. */
  readonly route?: { readonly throws: boolean };
  /** `retry.shouldRetry` or `retry.delay` throws on its n-th call. */
  readonly policy?: { readonly fn: 'shouldRetry' | 'delay'; readonly throwOn: number };
  /** `sync`: a transport whose `send()` can lose the link before it returns (`dropOnFrame` does it there). */
  readonly transport?: 'sync';
  /**
   * `lazy` (absent: not lazy): `idleAfter` (absent: `lazy: true`, the default 1 s). With
   * `noWatcher` the test does not subscribe `messages$` at time 0, so the connection may
   * start idle (and `messages$` is judged only by the `watch` subscribers).
   */
  readonly lazy?: { readonly idleAfter?: number; readonly noWatcher?: true };
  /**
   * (`MODEL_EDGES=1` only, issue #16) Object-shaped hostility: values user callbacks return
   * whose getters throw, and `reconnect()` while the server holds the handshake.
   */
  readonly edges?: EdgeOptions;
  /** The server's own behaviour. */
  readonly server: {
    /** What the server does with connections until a `mode` step (absent: `accept`); offline at first, sends buffer. */
    readonly mode?: 'manual' | 'refuse';
    /** Drop the link with this code on the first frame the client flushes from its buffer (as a `dropOnFrame` step armed at time 0). */
    readonly dropOnFlush?: 1006 | 1008;
    readonly latency: number;
    /** Ms before the server answers a ping, a handshake or a subscribe (auto-ack). */
    readonly replyDelay: number;
    readonly autoAck: boolean;
  };
}

/** Hostile user *values* (issue #16, "Also"): each getter throws when the library reads it. */
export interface EdgeOptions {
  /** A `codec` replaces the serializer; for a frame that is not JSON its decoder returns an object whose `Symbol.iterator` getter throws. */
  readonly decoderIteratorThrows?: true;
  /** A `transport` options factory whose n-th result has a `then` getter that throws. */
  readonly transportThenThrowsOn?: number;
  /** `handshake.message` returns, on its n-th call, an object whose `then` getter throws (a handshake is added when the run has none). */
  readonly handshakeThenThrowsOn?: number;
  /** The server calls `conn.reconnect()` when the first handshake message reaches it: the attempt is in flight, waiting for its ack. */
  readonly reconnectOnHello?: true;
}

/** The kinds of edge `MODEL_EDGES` can select (`1`: all of them). */
export type EdgeKind = 'decoder' | 'transport' | 'handshake' | 'reconnect';
export const EDGE_KINDS: readonly EdgeKind[] = ['decoder', 'transport', 'handshake', 'reconnect'];

/** A join. */
export type Join = Extract<Call, { readonly c: 'join' }>;

/** One run of the model. */
export interface Scenario {
  readonly options: RunOptions;
  /** Channels the test joins at time 0, after installing the handlers. */
  readonly joins: readonly Join[];
  /** How many times the test calls `send()` at time 0, after the joins (buffered until the first link). */
  readonly sends: number;
  /** Installed at time 0, in order; recorders of events$ go before, between and after them. */
  readonly handlers: readonly Handler[];
  readonly steps: readonly Step[];
  /** Ms after the last step at which the test calls `close()`. */
  readonly tail: number;
}

const channelKey = fc.constantFrom<ChannelKey>(...CHANNEL_KEYS);

/** `arb` `present` times in `absent + present` (shrinks to absent). */
function sometimes<T>(arb: fc.Arbitrary<T>, absent: number, present = 1): fc.Arbitrary<T | undefined> {
  return fc.oneof({ withCrossShrink: true }, { arbitrary: fc.constant(undefined), weight: absent }, { arbitrary: arb, weight: present });
}

/** The record without its `undefined` fields, so scenarios print short. */
function defined<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

/** A join, one time in three the `alt` channel of the key (shrinks to the plain one). */
const joinArb: fc.Arbitrary<Join> = fc
  .tuple(channelKey, fc.integer({ min: 0, max: 2 }))
  .map(([key, r]): Join => (r === 2 ? { c: 'join', key, alt: true } : { c: 'join', key }));

export const callArb: fc.Arbitrary<Call> = fc.oneof(
  { arbitrary: fc.constant<Call>({ c: 'send' }), weight: 4 },
  { arbitrary: joinArb, weight: 2 },
  { arbitrary: channelKey.map((key): Call => ({ c: 'leave', key })), weight: 2 },
  { arbitrary: fc.constant<Call>({ c: 'close' }), weight: 1 },
  { arbitrary: fc.constant<Call>({ c: 'retry' }), weight: 1 },
  // A new limit of at least 1: `retry({maxAttempts: 0})` would resume into a limit of none.
  { arbitrary: fc.integer({ min: 1, max: 4 }).map((maxAttempts): Call => ({ c: 'retry', maxAttempts })), weight: 1 },
  { arbitrary: fc.constant<Call>({ c: 'stopRetry' }), weight: 1 },
  { arbitrary: fc.constant<Call>({ c: 'reconnect' }), weight: 1 },
  { arbitrary: fc.constant<Call>({ c: 'sendNow' }), weight: 1 },
);

/**
 * Calls made from handlers lean to the ones that change the lifecycle (close, stopRetry,
 * retry): re-entrant lifecycle changes are what breaks event delivery.
 */
export const handlerCallArb: fc.Arbitrary<Call> = fc.oneof(
  { arbitrary: fc.constant<Call>({ c: 'send' }), weight: 2 },
  { arbitrary: joinArb, weight: 1 },
  { arbitrary: channelKey.map((key): Call => ({ c: 'leave', key })), weight: 1 },
  { arbitrary: fc.constant<Call>({ c: 'close' }), weight: 2 },
  { arbitrary: fc.constant<Call>({ c: 'retry' }), weight: 2 },
  { arbitrary: fc.integer({ min: 1, max: 4 }).map((maxAttempts): Call => ({ c: 'retry', maxAttempts })), weight: 1 },
  { arbitrary: fc.constant<Call>({ c: 'stopRetry' }), weight: 2 },
  { arbitrary: fc.constant<Call>({ c: 'reconnect' }), weight: 1 },
  { arbitrary: fc.constant<Call>({ c: 'sendNow' }), weight: 1 },
);

const serverActionArb: fc.Arbitrary<ServerAction> = fc.oneof(
  { arbitrary: fc.constantFrom('accept', 'refuse', 'manual').map((mode): ServerAction => ({ k: 'mode', mode })), weight: 4 },
  {
    arbitrary: fc
      .oneof({ arbitrary: fc.constantFrom<503 | 429>(503, 429), weight: 9 }, { arbitrary: fc.constantFrom<401 | 403>(401, 403), weight: 1 })
      .map((status): ServerAction => ({ k: 'status', status })),
    weight: 2,
  },
  { arbitrary: fc.integer({ min: 0, max: 300 }).map((ms): ServerAction => ({ k: 'latency', ms })), weight: 1 },
  {
    arbitrary: fc
      .oneof(
        { arbitrary: fc.constantFrom<1006 | 1000 | 1001 | 4000>(1006, 1000, 1001, 4000), weight: 12 },
        { arbitrary: fc.constantFrom<1008 | 1002 | 1003>(1008, 1002, 1003), weight: 1 },
      )
      .map((code): ServerAction => ({ k: 'drop', code })),
    weight: 4,
  },
  {
    arbitrary: fc
      .record({
        what: fc.oneof(
          { arbitrary: fc.constant('chan' as const), weight: 6 },
          { arbitrary: fc.constantFrom('data' as const, 'ack' as const), weight: 4 },
          { arbitrary: fc.constant('routed' as const), weight: 3 },
          { arbitrary: fc.constant('poison' as const), weight: 2 },
          { arbitrary: fc.constantFrom('null' as const, 'nack' as const, 'garbage' as const, 'pong' as const), weight: 4 },
        ),
        key: channelKey,
        alt: fc.integer({ min: 0, max: 2 }),
      })
      .map(({ what, key, alt }): ServerAction => (what === 'chan' && alt === 2 ? { k: 'push', what, key, alt: true } : { k: 'push', what, key })),
    weight: 6,
  },
  { arbitrary: fc.constant<ServerAction>({ k: 'blackhole' }), weight: 1 },
  { arbitrary: fc.constant<ServerAction>({ k: 'acceptPending' }), weight: 1 },
  { arbitrary: fc.constant<ServerAction>({ k: 'refusePending' }), weight: 1 },
  { arbitrary: fc.constant<ServerAction>({ k: 'denyHandshake' }), weight: 1 },
  {
    arbitrary: fc
      // 1008 is fatal: a link lost inside the write of a flushed frame ends the connection there.
      .record({
        code: fc.oneof({ arbitrary: fc.constantFrom<1006 | 1001>(1006, 1001), weight: 1 }, { arbitrary: fc.constant<1008>(1008), weight: 1 }),
        skip: fc.integer({ min: 0, max: 3 }),
        flush: fc.boolean(),
      })
      // On the first flushed frame: the flush is what it probes.
      .map(({ code, skip, flush }): ServerAction => (flush ? { k: 'dropOnFrame', code, skip: 0, flush } : { k: 'dropOnFrame', code, skip })),
    weight: 3,
  },
  {
    arbitrary: fc
      .oneof(
        { arbitrary: fc.constant(undefined), weight: 4 },
        { arbitrary: fc.constantFrom('error' as const, 'complete' as const), weight: 1 },
      )
      .map((end): ServerAction => (end === undefined ? { k: 'wake' } : { k: 'wake', end })),
    weight: 1,
  },
);

const gapArb = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 50 }), weight: 3 },
  { arbitrary: fc.integer({ min: 50, max: 600 }), weight: 3 },
  { arbitrary: fc.integer({ min: 600, max: 5_000 }), weight: 1 },
);

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ gap: gapArb, server: serverActionArb }), weight: 3 },
  { arbitrary: fc.record({ gap: gapArb, user: callArb }), weight: 2 },
);

const eventTriggerArb = fc.oneof(
  { arbitrary: fc.constantFrom<EventTrigger>('Connecting', 'Connected', 'Disconnected', 'Disconnected!', 'Reconnecting'), weight: 3 },
  {
    arbitrary: fc.constantFrom<EventTrigger>('Reconnected', 'SubscriptionsRestored', 'CircuitBreakerOpen', 'InvalidMessage', 'Closed'),
    weight: 1,
  },
);
const stateTriggerArb = fc.constantFrom<ConnectionState>('connecting', 'connected', 'reconnecting', 'circuit-open', 'closed');
const timesArb = fc.integer({ min: 1, max: 3 });

export const handlerArb: fc.Arbitrary<Handler> = fc.oneof(
  {
    arbitrary: fc.record({ on: fc.constant('events' as const), trigger: eventTriggerArb, call: handlerCallArb, times: timesArb }),
    weight: 4,
  },
  {
    arbitrary: fc.record({ on: fc.constant('state' as const), trigger: stateTriggerArb, call: handlerCallArb, times: timesArb }),
    weight: 2,
  },
  { arbitrary: fc.record({ on: fc.constant('messages' as const), call: handlerCallArb, times: timesArb }), weight: 1 },
  {
    // One time in three, the handler joins its own channel: a join during that channel's delivery.
    arbitrary: fc
      .record({ key: channelKey, call: handlerCallArb, same: fc.integer({ min: 0, max: 2 }), times: timesArb })
      .map(({ key, call, same, times }): Handler => ({ on: 'channel', key, call: same === 2 ? { c: 'join', key } : call, times })),
    weight: 2,
  },
);

const nthArb = fc.integer({ min: 1, max: 3 });

const channelCodeArb: fc.Arbitrary<ChannelCode> = fc
  .record({
    matchThrows: sometimes(fc.constant(true as const), 1),
    noMatch: sometimes(fc.constant(true as const), 2),
    subscribeThrowsOn: sometimes(nthArb, 4),
    bigIntOn: sometimes(fc.integer({ min: 0, max: 2 }), 5),
    unsubscribeThrowsOn: sometimes(fc.integer({ min: 1, max: 2 }), 1),
    ackThrowsOn: sometimes(nthArb, 2),
  })
  .map(defined);

/** User code that throws: channels, `route`, policies; and the synchronous transport. */
const hostileArb = fc
  .record({
    code: sometimes(
      fc.record({ a: sometimes(channelCodeArb, 1), b: sometimes(channelCodeArb, 1), c: sometimes(channelCodeArb, 1) }).map(defined),
      1,
      2,
    ),
    route: sometimes(fc.record({ throws: fc.boolean() }), 1),
    policy: sometimes(fc.record({ fn: fc.constantFrom('shouldRetry' as const, 'delay' as const), throwOn: nthArb }), 4),
    transport: sometimes(fc.constant('sync' as const), 3),
  })
  .map(defined);

const baseOptionsArb = fc.record(
  {
    retry: fc
      .record(
        {
          initialDelay: fc.integer({ min: 10, max: 500 }),
          extraDelay: fc.integer({ min: 0, max: 5_000 }),
          maxAttempts: fc.oneof(
            { arbitrary: fc.constant(Infinity), weight: 3 },
            { arbitrary: fc.integer({ min: 0, max: 5 }), weight: 2 },
          ),
          stableAfter: fc.integer({ min: 0, max: 3_000 }),
          timeout: fc.integer({ min: 200, max: 5_000 }),
          jitterSeed: fc.integer({ min: 1, max: 0x7fffffff }),
        },
        { requiredKeys: ['initialDelay', 'extraDelay', 'maxAttempts', 'stableAfter'] },
      )
      .map(({ extraDelay, initialDelay, ...rest }) => ({ ...rest, initialDelay, maxDelay: initialDelay + extraDelay })),
    circuitBreaker: fc.record({
      failureThreshold: fc.integer({ min: 1, max: 4 }),
      resetTimeout: fc.integer({ min: 100, max: 2_000 }),
    }),
    heartbeat: fc.record({
      interval: fc.integer({ min: 20, max: 1_000 }),
      timeout: fc.integer({ min: 20, max: 1_000 }),
      app: fc.boolean(),
    }),
    buffer: fc.oneof(
      { arbitrary: fc.record({ maxMessages: fc.integer({ min: 1, max: 5 }) }), weight: 4 },
      { arbitrary: fc.constant(false as const), weight: 1 },
    ),
    handshake: fc.record({ ack: fc.boolean(), timeout: fc.integer({ min: 50, max: 2_000 }) }),
    connectTimeout: fc.integer({ min: 100, max: 3_000 }),
    ackTimeout: fc.integer({ min: 50, max: 2_000 }),
    server: fc
      .record({
        mode: sometimes(fc.constantFrom('manual' as const, 'refuse' as const), 2),
        dropOnFlush: sometimes(fc.constantFrom<1006 | 1008>(1006, 1008), 2),
        latency: fc.integer({ min: 0, max: 100 }),
        replyDelay: fc.integer({ min: 0, max: 30 }),
        autoAck: fc.boolean(),
      })
      .map(defined),
  },
  { requiredKeys: ['retry', 'ackTimeout', 'server'] },
);

const optionsArb: fc.Arbitrary<RunOptions> = fc.tuple(baseOptionsArb, hostileArb).map(([base, hostile]): RunOptions => ({ ...base, ...hostile }));

/** The scenario as the non-lazy test has always generated it. */
function baseScenarioArb(maxSteps: number): fc.Arbitrary<Scenario> {
  return fc.record({
    options: optionsArb,
    joins: fc.array(joinArb, { maxLength: 3 }),
    sends: fc.integer({ min: 0, max: 3 }),
    handlers: fc.array(handlerArb, { maxLength: 4 }),
    // size 'max': lengths spread over the whole range, not fast-check's small default (≤ 10).
    steps: fc.array(stepArb, { maxLength: maxSteps, size: 'max' }),
    tail: fc.integer({ min: 0, max: 3_000 }),
  });
}

/** Calls that make or drop demand for a link, the steps a `lazy` run adds. */
const demandCallArb: fc.Arbitrary<Call> = fc.oneof(
  { arbitrary: fc.constant<Call>({ c: 'watch' }), weight: 3 },
  { arbitrary: fc.constant<Call>({ c: 'unwatch' }), weight: 4 },
  { arbitrary: joinArb, weight: 2 },
  { arbitrary: channelKey.map((key): Call => ({ c: 'leave', key })), weight: 4 },
  { arbitrary: fc.constant<Call>({ c: 'send' }), weight: 2 },
  { arbitrary: fc.constant<Call>({ c: 'reconnect' }), weight: 1 },
  { arbitrary: fc.constant<Call>({ c: 'quiet' }), weight: 2 },
);

/** Calls a `lazy` run's extra handlers make: demand, and the calls that wake or end it. */
const lazyHandlerCallArb: fc.Arbitrary<Call> = fc.oneof(
  { arbitrary: demandCallArb, weight: 6 },
  { arbitrary: fc.constantFrom<Call>({ c: 'close' }, { c: 'retry' }, { c: 'stopRetry' }), weight: 2 },
);

/** Handlers of `lazy` runs: on `Idle` and `'idle'` above all, and on what leads to a rest. */
const lazyHandlerArb: fc.Arbitrary<Handler> = fc.oneof(
  {
    arbitrary: fc.record({
      on: fc.constant('events' as const),
      trigger: fc.constantFrom<EventTrigger>('Idle', 'Idle', 'Disconnected!', 'Connecting', 'Connected', 'Reconnected'),
      call: lazyHandlerCallArb,
      times: timesArb,
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({ on: fc.constant('state' as const), trigger: fc.constantFrom<ConnectionState>('idle', 'connecting'), call: lazyHandlerCallArb, times: timesArb }),
    weight: 1,
  },
);

/** What a `lazy` run adds to a base scenario: the option, demand steps at their own times, handlers. */
const lazyPartArb = fc.record({
  lazy: fc
    .record({
      // Absent: `lazy: true` (1 s).
      idleAfter: sometimes(fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: fc.integer({ min: 1, max: 800 }), weight: 4 }), 1, 4),
      noWatcher: sometimes(fc.constant(true as const), 1),
    })
    .map(defined),
  demand: fc.array(fc.record({ gap: gapArb, user: demandCallArb }), { maxLength: 20, size: 'max' }),
  handlers: fc.array(lazyHandlerArb, { maxLength: 2 }),
  /** Two runs in three: without what ends the connection early, so it rests and wakes many times. */
  calm: fc.oneof({ arbitrary: fc.constant(true), weight: 2 }, { arbitrary: fc.constant(false), weight: 1 }),
});
type LazyPart = typeof lazyPartArb extends fc.Arbitrary<infer T> ? T : never;

/** A call that ends the connection, makes its next loss the end, or sets a limit of attempts. */
function ends(call: Call): boolean {
  return call.c === 'close' || call.c === 'stopRetry' || (call.c === 'retry' && call.maxAttempts !== undefined);
}

/** A server action that ends the connection: a fatal refusal, close code or handshake. */
function fatal(action: ServerAction): boolean {
  return (
    (action.k === 'status' && (action.status === 401 || action.status === 403)) ||
    (action.k === 'drop' && (action.code === 1008 || action.code === 1002 || action.code === 1003)) ||
    (action.k === 'dropOnFrame' && action.code === 1008) ||
    action.k === 'denyHandshake'
  );
}

/** The base scenario without what ends the connection early: it goes on until the final close(). */
function calmed(base: Scenario): Scenario {
  const { policy: _policy, ...options } = base.options;
  const { timeout: _timeout, ...retry } = base.options.retry;
  return {
    ...base,
    options: { ...options, retry: { ...retry, maxAttempts: Infinity } },
    handlers: base.handlers.filter((handler) => !ends(handler.call)),
    // A dropped step's gap goes to the next one, so the others keep their times.
    steps: base.steps.reduce<{ steps: Step[]; carry: number }>(
      ({ steps, carry }, step) =>
        ('server' in step ? fatal(step.server) : ends(step.user))
          ? { steps, carry: carry + step.gap }
          : { steps: [...steps, { ...step, gap: step.gap + carry }], carry: 0 },
      { steps: [], carry: 0 },
    ).steps,
  };
}

/**
 * The base scenario made lazy: calmed (two runs in three), the demand steps merged in at their
 * own virtual times (the base steps keep theirs), the lazy handlers after the base ones.
 */
function makeLazy(scenario: Scenario, part: LazyPart): Scenario {
  const base = part.calm ? calmed(scenario) : scenario;
  const timed: Array<{ readonly at: number; readonly step: Step }> = [];
  let at = 0;
  for (const step of base.steps) timed.push({ at: (at += step.gap), step });
  at = 0;
  for (const { gap, user } of part.demand) timed.push({ at: (at += gap), step: { gap: 0, user } });
  timed.sort((a, b) => a.at - b.at); // stable: at the same time, base steps first
  let previous = 0;
  const steps = timed.map(({ at: stepAt, step }): Step => {
    const gap = stepAt - previous;
    previous = stepAt;
    return 'server' in step ? { gap, server: step.server } : { gap, user: step.user };
  });
  return { ...base, options: { ...base.options, lazy: part.lazy }, handlers: [...base.handlers, ...part.handlers], steps };
}

/**
 * A whole scenario: up to `maxSteps` steps and a few handlers; `lazy` in about 3 runs in 10.
 * The lazy part is drawn after the base scenario, so a seed gives the non-lazy runs it always
 * gave.
 */
export function scenarioArb(maxSteps = 40, edges: false | ReadonlySet<EdgeKind> = false): fc.Arbitrary<Scenario> {
  const scenario = fc
    .tuple(baseScenarioArb(maxSteps), sometimes(lazyPartArb, 7, 3))
    .map(([base, part]) => (part === undefined ? base : makeLazy(base, part)));
  if (!edges) return scenario;
  const only = (options: EdgeOptions): EdgeOptions =>
    defined({
      decoderIteratorThrows: edges.has('decoder') ? options.decoderIteratorThrows : undefined,
      transportThenThrowsOn: edges.has('transport') ? options.transportThenThrowsOn : undefined,
      handshakeThenThrowsOn: edges.has('handshake') ? options.handshakeThenThrowsOn : undefined,
      reconnectOnHello: edges.has('reconnect') ? options.reconnectOnHello : undefined,
    });
  const reconnects = edges.has('reconnect') ? fc.array(reconnectHandlerArb, { minLength: 1, maxLength: 3 }) : fc.constant<Handler[]>([]);
  return fc.tuple(scenario, edgesArb.map(only), reconnects).map(
    ([base, edgeOptions, handlers]): Scenario => ({
      ...base,
      options: { ...base.options, edges: edgeOptions, ...(edgeOptions.handshakeThenThrowsOn !== undefined || edgeOptions.reconnectOnHello ? { handshake: base.options.handshake ?? { ack: true, timeout: 500 } } : {}) },
      handlers: [...base.handlers, ...handlers],
    }),
  );
}

/** (`MODEL_EDGES=1`) Hostile values, each present one run in two. */
const edgesArb: fc.Arbitrary<EdgeOptions> = fc
  .record({
    decoderIteratorThrows: sometimes(fc.constant(true as const), 1),
    transportThenThrowsOn: sometimes(nthArb, 1),
    handshakeThenThrowsOn: sometimes(nthArb, 1),
    reconnectOnHello: sometimes(fc.constant(true as const), 1),
  })
  .map(defined);

/**
 * (`MODEL_EDGES=1`) `reconnect()` at every phase: the socket opening (`Connecting`), the
 * restore (`Connected`, `Reconnected`), live (`SubscriptionsRestored`), backoff
 * (`Reconnecting`), the breaker open (`CircuitBreakerOpen`), resting (`Idle`, `'idle'`); the
 * handshake's wait is `reconnectOnHello`.
 */
const reconnectHandlerArb: fc.Arbitrary<Handler> = fc.oneof(
  fc.record({
    on: fc.constant('events' as const),
    trigger: fc.constantFrom<EventTrigger>('Connecting', 'Connected', 'Reconnected', 'SubscriptionsRestored', 'Reconnecting', 'CircuitBreakerOpen', 'Idle'),
    call: fc.constant<Call>({ c: 'reconnect' }),
    times: timesArb,
  }),
  fc.record({ on: fc.constant('state' as const), trigger: fc.constantFrom<ConnectionState>('idle', 'circuit-open'), call: fc.constant<Call>({ c: 'reconnect' }), times: timesArb }),
);

/** A call, short: `send`, `join c`, `retry(2)`. */
export function describeCall(call: Call): string {
  switch (call.c) {
    case 'join':
      return `join ${call.key}${call.alt ? ' (alt)' : ''}`;
    case 'leave':
      return `leave ${call.key}`;
    case 'retry':
      return call.maxAttempts === undefined ? 'retry()' : `retry(${call.maxAttempts})`;
    default:
      return call.c;
  }
}

/** A server action, short: `drop 1006`, `mode refuse`, `push chan a`. */
export function describeServerAction(action: ServerAction): string {
  switch (action.k) {
    case 'mode':
      return `mode ${action.mode}`;
    case 'status':
      return `status ${action.status}`;
    case 'latency':
      return `latency ${action.ms}`;
    case 'drop':
      return `drop ${action.code}`;
    case 'dropOnFrame':
      return `drop ${action.code} on the client's ${action.flush ? 'flushed send() frame' : 'frame'} after the next ${action.skip}`;
    case 'wake':
      return action.end === undefined ? 'wake$ emits' : `wake$ ends (${action.end})`;
    case 'push':
      return action.what === 'data' || action.what === 'garbage' || action.what === 'pong' || action.what === 'null'
        ? `push ${action.what}`
        : `push ${action.what} ${action.key}${action.alt ? ' alt' : ''}`;
    default:
      return action.k;
  }
}

/** A handler, short: `events:Disconnected! → retry() ×1`. */
export function describeHandler(handler: Handler): string {
  const where =
    handler.on === 'events' || handler.on === 'state'
      ? `${handler.on}:${handler.trigger}`
      : handler.on === 'channel'
        ? `channel:${handler.key}`
        : 'messages';
  return `${where} → ${describeCall(handler.call)} ×${handler.times}`;
}

/** The scenario as a few readable lines, steps with their absolute virtual times. */
export function describeScenario(scenario: Scenario): string {
  const lines = [`options ${JSON.stringify(scenario.options, (_key, value: unknown) => (value === Infinity ? 'Infinity' : value))}`];
  if (scenario.handlers.length > 0) lines.push(`handlers [${scenario.handlers.map(describeHandler).join('; ')}]`);
  const start = [...scenario.joins.map(describeCall), ...Array.from({ length: scenario.sends }, () => 'send')];
  if (start.length > 0) lines.push(`at 0: ${start.join(', ')}`);
  let at = 0;
  const steps = scenario.steps.map((step) => {
    at += step.gap;
    return `${at}: ${'server' in step ? `server ${describeServerAction(step.server)}` : describeCall(step.user)}`;
  });
  lines.push(`steps [${steps.join(', ')}]`);
  lines.push(`close() at ${at + scenario.tail + 1}`);
  return lines.join('\n');
}
