import fc from 'fast-check';
import { scenarioArb, type Scenario } from './commands';
import {
  channelJoinDuringDelivery,
  eventGrammar,
  heartbeatLiveness,
  nothingEscaped,
  nothingLeftAfterClose,
  sameEventsForEverySubscriber,
  sendsWrittenOnceOrUnsent,
  stateIsFoldOfEvents,
  streamsEndWithTheConnection,
  type Invariant,
} from './invariants';
import { runScenario } from './run';

/**
 * The model-based test of issue #8: one connection on a TestServer, driven on virtual time
 * through random server actions and API calls (from the test and from inside `events$`,
 * `state$`, `messages$` and channel handlers), checked after every run against the contract.
 *
 * Environment:
 * - `RX_MODEL_RUNS`: runs per invariant (default 800: about 1 s each on this code base; fewer runs miss the rarer handler interleavings);
 * - `RX_MODEL_SEED` and `RX_MODEL_PATH`: replay the failure fast-check printed
 *   (`{ seed: …, path: "…" }`), e.g.
 *   `RX_MODEL_SEED=123 RX_MODEL_PATH="4:1:0" npx jest spec/model -t grammar`.
 */
const RUNS = Number(process.env.RX_MODEL_RUNS ?? 800);
const replay =
  process.env.RX_MODEL_SEED === undefined
    ? {}
    : {
        seed: Number(process.env.RX_MODEL_SEED),
        ...(process.env.RX_MODEL_PATH === undefined ? {} : { path: process.env.RX_MODEL_PATH }),
        endOnFailure: true,
      };

/** Runs scenarios and checks `invariant` after each; fast-check shrinks a failure and prints its seed and path. */
function holds(invariant: Invariant): void {
  fc.assert(
    fc.property(scenarioArb(), (scenario: Scenario) => {
      invariant(runScenario(scenario));
    }),
    { numRuns: RUNS, ...replay },
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

  it('nothing thrown escapes: no undocumented throw, nothing out of flush() or to onUnhandledError (#8 item 4)', () => {
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
});
