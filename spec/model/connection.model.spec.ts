import fc from 'fast-check';
import { scenarioArb, type Scenario } from './commands';
import {
  INVARIANTS,
  channelDelivery,
  channelJoinDuringDelivery,
  eventGrammar,
  heartbeatLiveness,
  lazyRest,
  nothingEscaped,
  nothingLeftAfterClose,
  oneSubscriptionPerKey,
  sameEventsForEverySubscriber,
  sendsWrittenOnceOrUnsent,
  controlSendsNeverBuffered,
  stateIsFoldOfEvents,
  streamsEndWithTheConnection,
  thrownPolicyIsFatal,
  userCodeFailsItsChannel,
  type Invariant,
} from './invariants';
import { MODEL_EDGES, POLICY_INVARIANTS, attemptLimits, reconnectAbandonsAttempt, backoffDelays, breakerThresholds, fatalCodes, serverSubscriptionsRestored } from './policies';
import { runScenario } from './run';

/**
 * The model-based test of issue #8: one connection on a TestServer, driven on virtual time
 * through random server actions and API calls (from the test and from inside `events$`,
 * `state$`, `messages$` and channel handlers), with hostile user code (channel `match`, `ack`,
 * `subscribe`/`unsubscribe` builders and `route` that throw, a BigInt `subscribe` message,
 * retry policies that throw, a `wake$` that errors) and sometimes a transport that loses the
 * link inside `send()`, checked after every run against the contract.
 *
 * Every invariant is checked on the same scenarios (one seed for the whole file), and each
 * scenario runs once: its run is checked against every invariant at once and the verdicts
 * are kept, so the cost is about one run per scenario, however many invariants there are.
 *
 * Environment:
 * - `RX_MODEL_RUNS`: scenarios (default 3000: under 10 s in all on 2 cores; the rarest faults
 *   the model must find on 0.1.0 — a join during a channel's delivery, two channels on one
 *   key, a throwing `unsubscribe` — turn up in about 1 run in 200 to 300, so 3000 runs miss
 *   each with a chance under 1 in 10 000);
 * - `MODEL_EDGES`: the hostile values and `reconnect()` phases of issue #16 (see below); on by
 *   default (0.3.1 fails them; 0.5 passes), `MODEL_EDGES=0` turns them off;
 * - `RX_MODEL_SEED`: the seed (default: random, printed on failure); with `RX_MODEL_PATH`,
 *   replay the failure fast-check printed (`{ seed: …, path: "…" }`), e.g.
 *   `RX_MODEL_SEED=123 RX_MODEL_PATH="4:1:0" npx jest spec/model -t grammar`.
 */
const RUNS = Number(process.env.RX_MODEL_RUNS ?? 3000);
const SEED = Number(process.env.RX_MODEL_SEED ?? Math.floor(Math.random() * 0x7fffffff));
// With a path, replay that one failure as printed; with a seed alone, run (and shrink) with it.
const replay = process.env.RX_MODEL_PATH === undefined ? {} : { path: process.env.RX_MODEL_PATH, endOnFailure: true };

/** What each invariant threw on a scenario's run (absent: it held), by scenario. */
const verdicts = new Map<string, Map<Invariant, unknown>>();
/** Room for every scenario of a test and its shrinking: evicted ones would run again in every test. */
const MAX_KEPT = Math.max(10_000, 2 * RUNS);

function verdictsOf(scenario: Scenario): Map<Invariant, unknown> {
  const key = JSON.stringify(scenario, (_key, value: unknown) => (value === Infinity ? 'Infinity' : value));
  let found = verdicts.get(key);
  if (found === undefined) {
    const run = runScenario(scenario);
    found = new Map();
    for (const invariant of Object.values({ ...INVARIANTS, ...POLICY_INVARIANTS })) {
      try {
        invariant(run);
      } catch (error) {
        found.set(invariant, error);
      }
    }
    if (verdicts.size >= MAX_KEPT) verdicts.delete(verdicts.keys().next().value!);
    verdicts.set(key, found);
  }
  return found;
}

/** Runs scenarios and checks `invariant` after each; fast-check shrinks a failure and prints its seed and path. */
function holds(invariant: Invariant): void {
  fc.assert(
    fc.property(scenarioArb(40, MODEL_EDGES), (scenario: Scenario) => {
      const verdict = verdictsOf(scenario);
      if (verdict.has(invariant)) throw verdict.get(invariant);
    }),
    { numRuns: RUNS, seed: SEED, ...replay },
  );
}

describe('a connection driven by a random model (property; #8 model-based test)', () => {
  it('events$ follows the grammar: one Closed, last; attempt numbering; Reconnected then SubscriptionsRestored or Disconnected; a permanent Disconnected then Closed or Reconnecting 1 (#8 items 5, 18)', () => {
    holds(eventGrammar);
  });

  it('every events$ subscriber, before, between and after re-entrant handlers, sees the same events (#8 item 12)', () => {
    holds(sameEventsForEverySubscriber);
  });

  it('state$ is the fold of events$, and a subscriber after Closed gets closed then completion (#8 items 12, 13)', () => {
    holds(stateIsFoldOfEvents);
  });

  it('every accepted send() is written once or returned in Closed.unsent, never both, in FIFO order (#8 item 16)', () => {
    holds(sendsWrittenOnceOrUnsent);
  });

  it('sendNow() writes once to the link open at the call or returns false and writes nothing, ever; reconnect() in any state keeps every other invariant (#9)', () => {
    holds(controlSendsNeverBuffered);
  });

  it('nothing thrown escapes, whatever the user code throws: no undocumented throw, nothing out of flush() or to onUnhandledError (#8 items 1, 2, 3)', () => {
    holds(nothingEscaped);
  });

  it('after Closed no socket stays open and no scheduled action is pending (#8 item 5)', () => {
    holds(nothingLeftAfterClose);
  });

  it('messages$ and channels end with the connection: complete on close(), ConnectionClosedError otherwise (#8 item 4)', () => {
    holds(streamsEndWithTheConnection);
  });

  it('heartbeat: a link that answers is never stale, a black-holed one is stale within 2·interval + timeout (#8 item 9)', () => {
    holds(heartbeatLiveness);
  });

  it('a subscriber joining a channel during its delivery starts with the next message (#8 item 14)', () => {
    holds(channelJoinDuringDelivery);
  });

  it('a channel whose match, ack, subscribe builder or subscribe message throws errors with that error (SubscriptionRejectedError for ack) and receives nothing more (#8 items 1, 2)', () => {
    holds(userCodeFailsItsChannel);
  });

  it('each channel receives its own messages once — routed to its key, else by its own match — while others fail; a throwing route reports InvalidMessage (#8 items 20, 21)', () => {
    holds(channelDelivery);
  });

  it('channels sharing a key share one server subscription: one subscribe frame per key per link (#8 item 21)', () => {
    holds(oneSubscriptionPerKey);
  });

  it('a shouldRetry or retry.delay that throws ends in a permanent Disconnected, then Closed fatal carrying the thrown error (#8 item 19)', () => {
    holds(thrownPolicyIsFatal);
  });

  it('lazy: never rests while a messages$ subscriber, a channel or a buffered send needs a link, always rests within idleAfter once none does; Idle after Disconnected manual permanent, then Connecting 0 or Closed; resting holds no socket or timer (#11)', () => {
    holds(lazyRest);
  });

  it('backoff: Reconnecting attempts numbered per outage (reset only after stableAfter), delays in [d·(1−jitter), d] capped by the outage deadline, retryIn after the breaker opens, the next attempt exactly then unless nudged (#18)', () => {
    holds(backoffDelays);
  });

  it('maxAttempts honoured exactly, Disconnected.maxAttempts the limit in force, timeout only at the deadline (#18)', () => {
    holds(attemptLimits);
  });

  it('the circuit breaker opens exactly after failureThreshold failed attempts in a row, trips counted, retryIn = resetTimeout cut by the deadline (#18)', () => {
    holds(breakerThresholds);
  });

  it('close codes 1008/1002/1003 and HTTP 401/403 end in Disconnected fatal permanent then Closed fatal, with no retry; other codes are server-closed or error (#18)', () => {
    holds(fatalCodes);
  });

  it('after each SubscriptionsRestored the server holds exactly the active channels, in first-subscribed order, none twice (#18)', () => {
    holds(serverSubscriptionsRestored);
  });

  // MODEL_EDGES (issue #16, "Also"; on by default since 0.5 closed those bugs, MODEL_EDGES=0 turns it off): scenarios
  // gain user values whose getters throw (a decoder result's Symbol.iterator, a transport
  // factory's or handshake.message's result's `then`) and reconnect() at every phase; every
  // invariant above judges them, the restore check counts the failed-channel cases too, and:
  if (MODEL_EDGES && MODEL_EDGES.has('reconnect')) {
    it('(MODEL_EDGES) reconnect() while an attempt is in flight abandons it and starts a fresh one at once (#16)', () => {
      holds(reconnectAbandonsAttempt);
    });
  }
});
