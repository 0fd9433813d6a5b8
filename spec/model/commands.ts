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
  | { readonly c: 'join'; readonly key: ChannelKey }
  | { readonly c: 'leave'; readonly key: ChannelKey }
  | { readonly c: 'close' }
  | { readonly c: 'retry'; readonly maxAttempts?: number }
  | { readonly c: 'stopRetry' };

/** What the in-memory server does at a step. */
export type ServerAction =
  | { readonly k: 'mode'; readonly mode: 'accept' | 'refuse' | 'manual' }
  | { readonly k: 'status'; readonly status: 503 | 429 | 401 }
  | { readonly k: 'latency'; readonly ms: number }
  | { readonly k: 'drop'; readonly code: 1006 | 1000 | 1001 | 4000 | 1008 }
  | { readonly k: 'push'; readonly what: 'data' | 'chan' | 'ack' | 'nack' | 'garbage' | 'pong'; readonly key: ChannelKey }
  | { readonly k: 'blackhole' }
  | { readonly k: 'acceptPending' }
  | { readonly k: 'refusePending' }
  | { readonly k: 'denyHandshake' }
  /** Drop the link with `code` from inside the server's handler of the next frame it receives. */
  | { readonly k: 'dropOnFrame'; readonly code: 1006 | 1001 };

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
  /** The server's own behaviour. */
  readonly server: {
    readonly latency: number;
    /** Ms before the server answers a ping, a handshake or a subscribe (auto-ack). */
    readonly replyDelay: number;
    readonly autoAck: boolean;
  };
}

/** One run of the model. */
export interface Scenario {
  readonly options: RunOptions;
  /** Installed at time 0, in order; recorders of events$ go before, between and after them. */
  readonly handlers: readonly Handler[];
  readonly steps: readonly Step[];
  /** Ms after the last step at which the test calls `close()`. */
  readonly tail: number;
}

const channelKey = fc.constantFrom<ChannelKey>(...CHANNEL_KEYS);

export const callArb: fc.Arbitrary<Call> = fc.oneof(
  { arbitrary: fc.constant<Call>({ c: 'send' }), weight: 4 },
  { arbitrary: channelKey.map((key): Call => ({ c: 'join', key })), weight: 2 },
  { arbitrary: channelKey.map((key): Call => ({ c: 'leave', key })), weight: 2 },
  { arbitrary: fc.constant<Call>({ c: 'close' }), weight: 1 },
  { arbitrary: fc.constant<Call>({ c: 'retry' }), weight: 1 },
  // A new limit of at least 1: `retry({maxAttempts: 0})` would resume into a limit of none.
  { arbitrary: fc.integer({ min: 1, max: 4 }).map((maxAttempts): Call => ({ c: 'retry', maxAttempts })), weight: 1 },
  { arbitrary: fc.constant<Call>({ c: 'stopRetry' }), weight: 1 },
);

/**
 * Calls made from handlers lean to the ones that change the lifecycle (close, stopRetry,
 * retry): re-entrant lifecycle changes are what breaks event delivery.
 */
export const handlerCallArb: fc.Arbitrary<Call> = fc.oneof(
  { arbitrary: fc.constant<Call>({ c: 'send' }), weight: 2 },
  { arbitrary: channelKey.map((key): Call => ({ c: 'join', key })), weight: 1 },
  { arbitrary: channelKey.map((key): Call => ({ c: 'leave', key })), weight: 1 },
  { arbitrary: fc.constant<Call>({ c: 'close' }), weight: 2 },
  { arbitrary: fc.constant<Call>({ c: 'retry' }), weight: 2 },
  { arbitrary: fc.integer({ min: 1, max: 4 }).map((maxAttempts): Call => ({ c: 'retry', maxAttempts })), weight: 1 },
  { arbitrary: fc.constant<Call>({ c: 'stopRetry' }), weight: 2 },
);

const serverActionArb: fc.Arbitrary<ServerAction> = fc.oneof(
  { arbitrary: fc.constantFrom('accept', 'refuse', 'manual').map((mode): ServerAction => ({ k: 'mode', mode })), weight: 4 },
  {
    arbitrary: fc
      .oneof({ arbitrary: fc.constantFrom<503 | 429>(503, 429), weight: 9 }, { arbitrary: fc.constant<401>(401), weight: 1 })
      .map((status): ServerAction => ({ k: 'status', status })),
    weight: 2,
  },
  { arbitrary: fc.integer({ min: 0, max: 300 }).map((ms): ServerAction => ({ k: 'latency', ms })), weight: 1 },
  {
    arbitrary: fc
      .oneof(
        { arbitrary: fc.constantFrom<1006 | 1000 | 1001 | 4000>(1006, 1000, 1001, 4000), weight: 12 },
        { arbitrary: fc.constant<1008>(1008), weight: 1 },
      )
      .map((code): ServerAction => ({ k: 'drop', code })),
    weight: 4,
  },
  {
    arbitrary: fc
      .record({
        what: fc.oneof(
          { arbitrary: fc.constantFrom('data' as const, 'chan' as const, 'ack' as const), weight: 10 },
          { arbitrary: fc.constantFrom('nack' as const, 'garbage' as const, 'pong' as const), weight: 1 },
        ),
        key: channelKey,
      })
      .map(({ what, key }): ServerAction => ({ k: 'push', what, key })),
    weight: 5,
  },
  { arbitrary: fc.constant<ServerAction>({ k: 'blackhole' }), weight: 1 },
  { arbitrary: fc.constant<ServerAction>({ k: 'acceptPending' }), weight: 1 },
  { arbitrary: fc.constant<ServerAction>({ k: 'refusePending' }), weight: 1 },
  { arbitrary: fc.constant<ServerAction>({ k: 'denyHandshake' }), weight: 1 },
  { arbitrary: fc.constantFrom<1006 | 1001>(1006, 1001).map((code): ServerAction => ({ k: 'dropOnFrame', code })), weight: 2 },
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
    arbitrary: fc.record({ on: fc.constant('channel' as const), key: channelKey, call: handlerCallArb, times: timesArb }),
    weight: 1,
  },
);

const optionsArb: fc.Arbitrary<RunOptions> = fc.record(
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
    server: fc.record({
      latency: fc.integer({ min: 0, max: 100 }),
      replyDelay: fc.integer({ min: 0, max: 30 }),
      autoAck: fc.boolean(),
    }),
  },
  { requiredKeys: ['retry', 'ackTimeout', 'server'] },
);

/** A whole scenario: up to `maxSteps` steps and a few handlers. */
export function scenarioArb(maxSteps = 40): fc.Arbitrary<Scenario> {
  return fc.record({
    options: optionsArb,
    handlers: fc.array(handlerArb, { maxLength: 4 }),
    // size 'max': lengths spread over the whole range, not fast-check's small default (≤ 10).
    steps: fc.array(stepArb, { maxLength: maxSteps, size: 'max' }),
    tail: fc.integer({ min: 0, max: 3_000 }),
  });
}

/** A call, short: `send`, `join c`, `retry(2)`. */
export function describeCall(call: Call): string {
  switch (call.c) {
    case 'join':
    case 'leave':
      return `${call.c} ${call.key}`;
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
      return `drop ${action.code} on the next frame`;
    case 'push':
      return action.what === 'chan' || action.what === 'ack' || action.what === 'nack' ? `push ${action.what} ${action.key}` : `push ${action.what}`;
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
  let at = 0;
  const steps = scenario.steps.map((step) => {
    at += step.gap;
    return `${at}: ${'server' in step ? `server ${describeServerAction(step.server)}` : describeCall(step.user)}`;
  });
  lines.push(`steps [${steps.join(', ')}]`);
  lines.push(`close() at ${at + scenario.tail + 1}`);
  return lines.join('\n');
}
