import type { ConnectionEvent } from '../../lib';
import { ACKED, CHANNEL_KEYS, EDGE_KINDS, type ChannelKey, type EdgeKind } from './commands';
import { crashed, inactiveFrom, report, type Invariant } from './invariants';
import { nextLifecycle, previousLifecycle, summarize } from './model';
import type { RunRecord } from './run';
import { plainDelay } from './user-code';

/**
 * The model's own prediction of the connection's policies (issue #18): what DESIGN.md says the
 * delays, attempt numbers, limits, breaker and fatal codes must be, computed from the
 * scenario's options and the events alone, independently of lib/. Each invariant walks the
 * first `events$` subscriber's events with one {@link PolicyWalk}.
 */

type Event = ConnectionEvent<unknown>;

/** The backoff multiplier by default (DESIGN 0.4, "Accepted departures"): the model does not set it. */
const MULTIPLIER = 1.5;
/** `jitter` when the scenario has a `jitterSeed` (see run.ts). */
const JITTER = 0.5;
/** Float slack of a delay check. */
const EPSILON = 1e-6;
/** Close codes that DESIGN.md says are fatal by default. */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([1002, 1003, 1008]);
/** HTTP statuses of a refused upgrade that are fatal by default. */
export const FATAL_STATUSES: ReadonlySet<number> = new Set([401, 403]);

/** Where the walk stands before an event. */
interface Standing {
  /** When the current outage began. */
  outageStart: number;
  /** The last attempt announced in this outage (0: none yet). */
  outageAttempt: number;
  /** A link is up (Connected/Reconnected, not lost since). */
  linkUp: boolean;
  /** When the current link came up. */
  upAt: number;
  /** Consecutive failed attempts since the breaker was last closed or reset. */
  failures: number;
  /** Breaker opens since it was last closed or reset. */
  trips: number;
  /** The wait announced by the latest `Reconnecting`: from when, how long. */
  wait: { readonly from: number; readonly delay: number; readonly index: number } | undefined;
}

/** Calls `visit` for each event of the first subscriber, with the standing before it (which `visit` may not change). */
function walk(run: RunRecord, visit: (event: Event, i: number, standing: Readonly<Standing>, now: number) => void): void {
  const first = run.recorders[0]!;
  const events = first.events as Event[];
  const o = run.scenario.options;
  const s: Standing = { outageStart: 0, outageAttempt: 0, linkUp: false, upAt: 0, failures: 0, trips: 0, wait: undefined };
  const reset = (now: number, attempt: number): void => {
    s.outageStart = now;
    s.outageAttempt = attempt;
    s.failures = 0;
    s.trips = 0;
  };
  events.forEach((event, i) => {
    const now = first.times[i]!;
    visit(event, i, s, now);
    const prev = previousLifecycle(events, i);
    const before = prev >= 0 ? events[prev] : undefined;
    switch (event.type) {
      case 'Connecting':
        // The first attempt, and a lazy connection that wakes, start afresh: a new outage, the
        // breaker closed (a lazy connection may start resting, so its first attempt comes late).
        if (event.attempt === 0 && (before === undefined || before.type === 'Idle')) reset(now, 0);
        s.wait = undefined;
        break;
      case 'Connected':
      case 'Reconnected':
        s.linkUp = true;
        s.upAt = now;
        s.failures = 0;
        s.trips = 0;
        break;
      case 'Disconnected':
        if (s.linkUp) {
          // A link that stayed up `stableAfter` ended its outage: this loss begins a new one.
          if (now - s.upAt >= o.retry.stableAfter) {
            s.outageStart = now;
            s.outageAttempt = 0;
          }
          s.linkUp = false;
        } else if (event.reason !== 'manual') s.failures++;
        break;
      case 'Reconnecting':
        if (isFreshSeries(events, i)) reset(now, 1);
        else s.outageAttempt = event.attempt;
        s.wait = { from: now, delay: event.delay, index: i };
        break;
      case 'CircuitBreakerOpen':
        s.trips++;
        break;
      case 'Idle':
        s.linkUp = false;
        s.wait = undefined;
        break;
      case 'Closed':
        s.wait = undefined;
        break;
      default:
        break;
    }
  });
}

/**
 * A `Reconnecting` that starts a fresh series (`attempt: 1, delay: 0`): `retry()` from a
 * permanent `Disconnected` handler, or `reconnect()` while a link was up (a `Disconnected`
 * manual that is not permanent).
 */
function isFreshSeries(events: readonly Event[], i: number): boolean {
  const prev = previousLifecycle(events, i);
  const before = prev >= 0 ? events[prev] : undefined;
  return before?.type === 'Disconnected' && (before.permanent || before.reason === 'manual');
}

/** Ms left before the outage deadline (`retry.timeout`), Infinity without one. */
function remaining(run: RunRecord, standing: Readonly<Standing>, now: number): number {
  const timeout = run.scenario.options.retry.timeout;
  return timeout === undefined ? Infinity : timeout - (now - standing.outageStart);
}

/** The attempt limit in force at clock `seq`: the option, or the latest `retry({maxAttempts})` before it. */
function limitAt(run: RunRecord, seq: number): number {
  let limit = run.scenario.options.retry.maxAttempts;
  let latest = -1;
  // By clock, not by record order: a retry() nested in another's call records first.
  for (const change of run.limitChanges) {
    if (change.seq < seq && change.seq > latest) {
      latest = change.seq;
      limit = change.maxAttempts;
    }
  }
  return limit;
}

/** A policy (`shouldRetry`, `retry.delay`) threw at virtual time `at`: its outcome is judged elsewhere. */
function policyThrewAt(run: RunRecord, at: number): boolean {
  return run.thrown.some((t) => (t.what === 'shouldRetry' || t.what === 'delay') && t.at === at);
}

/** The backoff ceiling for `attempt`: `retry.delay` (the model's) or `min(maxDelay, initialDelay · 1.5^(attempt−1))`. */
export function expectedCeiling(run: RunRecord, attempt: number): number {
  const r = run.scenario.options.retry;
  if (run.scenario.options.policy?.fn === 'delay') return plainDelay(attempt, r.initialDelay, r.maxDelay);
  return Math.min(r.maxDelay, r.initialDelay * MULTIPLIER ** Math.max(0, attempt - 1));
}

/**
 * 15. Backoff (#18): each `Reconnecting{attempt n}` that continues an outage is attempt
 * `previous + 1` (an outage ends only when a link stayed up `stableAfter` ms), and its `delay`
 * is in `[d·(1−jitter), d]` for `d` the backoff of attempt n (`retry.delay` when given), capped
 * by the time left before the outage deadline; after `CircuitBreakerOpen{retryIn}` it is
 * `retryIn`. A fresh series (`retry()` from a permanent `Disconnected`, `reconnect()`) is
 * `Reconnecting{1, 0}`. The next `Connecting` comes exactly `delay` ms later, or sooner only
 * after a nudge (`retry()`, `reconnect()`, a wake-up) during the wait. (The TestServer cannot
 * send `Retry-After`: that rule is not exercised here.)
 */
export const backoffDelays: Invariant = (run) => {
  if (crashed(run)) return;
  const problems: string[] = [];
  const events = run.recorders[0]!.events as Event[];
  const jitter = run.scenario.options.retry.jitterSeed === undefined ? 0 : JITTER;
  walk(run, (event, i, s, now) => {
    const at = `#${i} ${summarize(event)} at ${now}ms`;
    if (event.type === 'Reconnecting') {
      if (isFreshSeries(events, i)) {
        if (event.attempt !== 1 || event.delay !== 0) problems.push(`${at}: a fresh series must be Reconnecting 1 0`);
        return;
      }
      const expectedAttempt = s.outageAttempt + 1;
      if (event.attempt !== expectedAttempt) {
        problems.push(`${at}: expected attempt ${expectedAttempt} (outage since ${s.outageStart}ms, its last attempt ${s.outageAttempt})`);
        return;
      }
      const prev = previousLifecycle(events, i);
      const before = prev >= 0 ? events[prev] : undefined;
      if (before?.type === 'CircuitBreakerOpen') {
        if (event.delay !== before.retryIn) problems.push(`${at}: after ${summarize(before)} the delay must be its retryIn`);
        return;
      }
      const d = expectedCeiling(run, event.attempt);
      const left = remaining(run, s, now);
      const low = Math.max(0, Math.min(d * (1 - jitter), left));
      const high = Math.max(0, Math.min(d, left));
      if (!(event.delay >= low - EPSILON && event.delay <= high + EPSILON)) {
        problems.push(`${at}: delay ${event.delay} outside [${low}, ${high}] (backoff ${d}, jitter ${jitter}, ${left} ms left before the outage deadline)`);
      }
    }
    if (event.type === 'Connecting' && s.wait !== undefined) {
      const due = s.wait.from + s.wait.delay;
      const nudged = run.nudges.some((t) => t >= s.wait!.from && t <= now);
      if (now > due + EPSILON || (now < due - EPSILON && !nudged)) {
        problems.push(`${at}: the wait announced by #${s.wait.index} (${s.wait.delay} ms at ${s.wait.from}ms) ends at ${due}ms${nudged ? '' : ', and nothing nudged it'}`);
      }
    }
  });
  report('backoff: attempts numbered per outage, delays within the bounds, attempts on time', run, problems);
};

/**
 * 16. Attempt limits (#18): `Disconnected.maxAttempts` is the limit in force (the option, or
 * the latest `retry({maxAttempts})`); a failure whose outage has made `maxAttempts` attempts
 * gives up (`Closed{max-attempts}`), and one that has not is retried: `maxAttempts` is honoured
 * exactly.
 */
export const attemptLimits: Invariant = (run) => {
  if (crashed(run)) return;
  const problems: string[] = [];
  const first = run.recorders[0]!;
  const events = first.events as Event[];
  walk(run, (event, i, s, now) => {
    if (event.type !== 'Disconnected') return;
    const at = `#${i} ${summarize(event)} at ${now}ms`;
    // Events are made before they are delivered, and those of one instant may be queued behind
    // each other while handlers change the limit: any limit in force since the instant's first
    // delivered event (or the one before it) counts.
    let sameInstant = i;
    while (sameInstant > 0 && first.times[sameInstant - 1] === now) sameInstant--;
    const from = sameInstant > 0 ? first.seqs[sameInstant - 1]! : 0;
    const inForce = new Set([limitAt(run, from), ...run.limitChanges.filter((c) => c.seq > from && c.seq < first.seqs[i]!).map((c) => c.maxAttempts)]);
    if (!inForce.has(event.maxAttempts)) {
      problems.push(`${at}: maxAttempts ${event.maxAttempts}, the limit in force is ${[...inForce].join(' or ')}`);
    }
    if (event.reason === 'manual' || event.reason === 'fatal' || policyThrewAt(run, now)) return;
    // The outage after this failure: a stable link's loss begins a new one.
    const attemptsMade = s.linkUp && now - s.upAt >= run.scenario.options.retry.stableAfter ? 0 : s.outageAttempt;
    const next = nextLifecycle(events, i);
    const after = next >= 0 ? events[next] : undefined;
    const left = remaining(run, s, now);
    if (!event.permanent && attemptsMade >= event.maxAttempts) problems.push(`${at}: ${attemptsMade} attempts made, limit ${event.maxAttempts}: it must give up`);
    if (event.permanent && after?.type === 'Closed' && after.reason === 'max-attempts' && attemptsMade < event.maxAttempts) {
      problems.push(`${at}: gave up with max-attempts after ${attemptsMade} attempts, limit ${event.maxAttempts}`);
    }
    if (event.permanent && after?.type === 'Closed' && after.reason === 'timeout' && left > 0) {
      problems.push(`${at}: gave up with timeout ${left} ms before the outage deadline`);
    }
  });
  report('attempt limits honoured exactly', run, problems);
};

/**
 * 17. Circuit breaker (#18): `CircuitBreakerOpen` follows a failed attempt exactly when
 * `failureThreshold` attempts in a row have failed since the breaker was last closed (a link
 * up) or reset (a fresh series, a lazy wake), `trips` counts the opens since then, and
 * `retryIn` is `resetTimeout`, or the backoff of the attempt it announces when that is longer
 * (0.5: the breaker never probes sooner than the plain backoff), cut by the outage deadline; the
 * probe then waits `retryIn` (see {@link backoffDelays}).
 */
export const breakerThresholds: Invariant = (run) => {
  const breaker = run.scenario.options.circuitBreaker;
  if (crashed(run) || breaker === undefined) return;
  const problems: string[] = [];
  const events = run.recorders[0]!.events as Event[];
  walk(run, (event, i, s, now) => {
    const at = `#${i} ${summarize(event)} at ${now}ms`;
    if (event.type === 'CircuitBreakerOpen') {
      if (s.failures < breaker.failureThreshold) problems.push(`${at}: opened after ${s.failures} failed attempts in a row, threshold ${breaker.failureThreshold}`);
      if (event.trips !== s.trips + 1) problems.push(`${at}: trips should be ${s.trips + 1}`);
      const jitter = run.scenario.options.retry.jitterSeed === undefined ? 0 : JITTER;
      const d = expectedCeiling(run, s.outageAttempt + 1);
      const left = remaining(run, s, now);
      const low = Math.max(0, Math.min(Math.max(breaker.resetTimeout, d * (1 - jitter)), left));
      const high = Math.max(0, Math.min(Math.max(breaker.resetTimeout, d), left));
      if (!(event.retryIn >= low - EPSILON && event.retryIn <= high + EPSILON)) {
        problems.push(`${at}: retryIn ${event.retryIn} outside [${low}, ${high}] (resetTimeout ${breaker.resetTimeout} or the backoff ${d} when longer, jitter ${jitter}, cut by the ${left} ms left before the outage deadline)`);
      }
      return;
    }
    if (event.type !== 'Reconnecting' || isFreshSeries(events, i)) return;
    const prev = previousLifecycle(events, i);
    const before = prev >= 0 ? events[prev] : undefined;
    // A failed attempt (not a lost link) that reached the threshold must open the breaker.
    if (before?.type === 'Disconnected' && before.attempt > 0 && s.failures >= breaker.failureThreshold) {
      problems.push(`${at}: ${s.failures} failed attempts in a row (threshold ${breaker.failureThreshold}), and no CircuitBreakerOpen`);
    }
  });
  report('circuit breaker opens exactly at the threshold, probes after resetTimeout or the backoff', run, problems);
};

/**
 * 18. Fatal codes (#18): a close frame with 1008, 1002 or 1003, or an upgrade refused with HTTP
 * 401 or 403, ends the connection: `Disconnected{reason: 'fatal', permanent: true}`, then
 * `Closed{fatal}` without a retry (unless a handler calls `retry()` there); any other close
 * frame is `'server-closed'` and 1006 is `'error'`, retried as the policy says.
 */
export const fatalCodes: Invariant = (run) => {
  if (crashed(run)) return;
  const problems: string[] = [];
  const first = run.recorders[0]!;
  const events = first.events as Event[];
  events.forEach((event, i) => {
    if (event.type !== 'Disconnected') return;
    const now = first.times[i]!;
    const at = `#${i} ${summarize(event)} at ${now}ms`;
    const status = (event.error as { status?: number } | undefined)?.status;
    const fatal = (event.code !== undefined && FATAL_CLOSE_CODES.has(event.code) && event.reason !== 'manual') || (status !== undefined && FATAL_STATUSES.has(status));
    // stopRetry() before the loss: DESIGN says the next loss ends 'stopped', fatal or not.
    const stopped = run.stopCalls.some((seq) => seq < first.seqs[i]!);
    if (fatal) {
      if (!event.permanent || (event.reason !== 'fatal' && !stopped)) {
        problems.push(`${at}: code ${event.code ?? '-'} / status ${status ?? '-'} is fatal: expected Disconnected fatal permanent`);
      }
      const next = nextLifecycle(events, i);
      const after = next >= 0 ? events[next] : undefined;
      // retry() or reconnect() from any handler while it was delivered resumes (as in the grammar).
      const resumed = after?.type === 'Reconnecting' && after.attempt === 1 && after.delay === 0 && run.handlerRetries.includes(now);
      // close() or stopRetry() from a handler of that Disconnected may end it otherwise (as in the grammar).
      const closedSeq = next >= 0 ? first.seqs[next]! : Infinity;
      const endedByHandler =
        after?.type === 'Closed' && (run.stoppedDuring.has(event as never) || (after.reason === 'manual' && run.closeCalls.some((seq) => seq < closedSeq)));
      const endedStopped = after?.type === 'Closed' && after.reason === 'stopped' && stopped;
      if (!resumed && !endedByHandler && !endedStopped && !(after?.type === 'Closed' && after.reason === 'fatal')) {
        problems.push(`${at}: followed by ${after ? summarize(after) : 'nothing'}, expected Closed fatal`);
      }
      return;
    }
    if (policyThrewAt(run, now) || event.reason === 'manual' || event.code === undefined) return;
    const expected = event.code === 1006 ? 'error' : 'server-closed';
    if (event.reason !== expected && event.reason !== 'stale' && event.reason !== 'timeout') {
      problems.push(`${at}: code ${event.code} should be reason '${expected}'`);
    }
  });
  report('fatal close codes and statuses end the connection, others retry', run, problems);
};

/**
 * 19. The server's subscriptions after each restore (#18): the model's server keeps, per link,
 * the set of channel keys it was sent `subscribe` for and not `unsubscribe` (a `nack` it sends
 * rejects that subscription). When `SubscriptionsRestored` is delivered, the link's server set
 * holds exactly the keys of the active channels, in first-subscribed order (the order in which
 * their current subscription began), and no key was subscribed twice on a link while it stood.
 *
 * Not judged (issue #16, open bugs: `MODEL_EDGES=1` judges them): a key whose channel failed
 * on that link because its `ack` threw or its ack timed out (0.3.1 never sends its
 * `unsubscribe`), and a key whose `unsubscribe` builder threw (it cannot be sent).
 */
export function serverSubscriptions(strict: boolean): Invariant {
  return (run) => {
    if (crashed(run)) return;
    const problems: string[] = [];
    const first = run.recorders[0]!;
    const events = first.events as Event[];
    const ackTimeout = run.scenario.options.ackTimeout;
    const heldAt = (socket: number, seq: number): ChannelKey[] => {
      const keys: ChannelKey[] = [];
      const nacks = run.nacks.filter((n) => n.seq < seq);
      for (const frame of run.channelFrames) {
        if (frame.socket !== socket || frame.seq >= seq) continue;
        const index = keys.indexOf(frame.key);
        if (frame.op === 'unsub') {
          if (index >= 0) keys.splice(index, 1);
          continue;
        }
        const since = previousSub(socket, frame.key, frame.seq);
        // A nack ended the server's subscription; an `unsubscribe` builder that threw left nothing
        // to send (the server keeps the key, and a channel() that joins it again subscribes anew).
        const released =
          nacks.some((n) => n.key === frame.key && n.seq > since) ||
          run.thrown.some((t) => t.what === 'unsubscribe' && t.key === frame.key && t.seq > since && t.seq < frame.seq);
        if (index >= 0 && !released) {
          problems.push(`socket #${socket}: a second subscribe for ${frame.key} at ${frame.at}ms while the server held it`);
        }
        if (index >= 0) keys.splice(index, 1);
        keys.push(frame.key);
      }
      for (const nack of nacks) {
        const lastSub = previousSub(socket, nack.key, nack.seq);
        if (lastSub >= 0 && keys.includes(nack.key)) keys.splice(keys.indexOf(nack.key), 1);
      }
      return keys;
    };
    const previousSub = (socket: number, key: ChannelKey, seq: number): number => {
      let found = -1;
      for (const f of run.channelFrames) if (f.socket === socket && f.key === key && f.op === 'sub' && f.seq < seq) found = f.seq;
      return found;
    };
    events.forEach((event, i) => {
      if (event.type !== 'SubscriptionsRestored') return;
      const seq = first.seqs[i]!;
      const now = first.times[i]!;
      // Its link: the socket of the Reconnected it follows, i.e. the newest socket made before
      // that Reconnected was delivered (a handler of it may open the next one at once).
      const up = previousLifecycle(events, i);
      const upSeq = up >= 0 && events[up]!.type === 'Reconnected' ? first.seqs[up]! : seq;
      let socket = -1;
      run.socketSeqs.forEach((made, index) => {
        if (made < upSeq) socket = index;
      });
      // close() while the restore was under way, or the link already closing when the event
      // is delivered (a handler of the Reconnected called reconnect()): nothing more is sent on it.
      if (socket < 0 || run.closeCalls.some((c) => c < seq)) return;
      if ((run.socketEnds.get(socket) ?? Infinity) < seq) return;
      // A reconnect() since that socket was made, or in the same instant (a state$ handler runs
      // before the Reconnected reaches events$), may have replaced the link before the event was
      // delivered: which link the event speaks of is not known, so it is not judged.
      if (run.reconnects.some((call) => call.seq < seq && (call.seq > run.socketSeqs[socket]! || call.at === now))) return;
      const linkFrom = run.socketSeqs[socket]!;
      const server = heldAt(socket, seq);
      // A channel failed by the restore (its match or ack threw, a nack) hears of it just after.
      const expected = activeKeysInOrder(run, seq, seq);
      const expectedWithEnds = activeKeysInOrder(run, seq, first.seqs[i + 1] ?? Infinity);
      // Open bugs of 0.3.1 (#16), judged only with MODEL_EDGES.
      const excused = new Set<ChannelKey>();
      // A channel failed by its own code on this link (its subscribe builder or message, its
      // match) is released; its subscribers may hear of it after this event, and another
      // channel() on the key may have joined the failing entry: not judged.
      for (const t of run.thrown) {
        if (t.key !== undefined && t.seq > linkFrom && t.seq < seq && (t.what === 'subscribe' || t.what === 'serialize' || t.what === 'match')) excused.add(t.key);
      }
      // An `unsubscribe` builder that threw leaves nothing to send: the server keeps that key.
      for (const t of run.thrown) {
        if (t.key !== undefined && t.seq > linkFrom && t.seq < seq && t.what === 'unsubscribe') excused.add(t.key);
      }
      for (const key of ACKED) {
        const sub = previousSub(socket, key, seq);
        if (sub < 0) continue;
        const waited = now - run.channelFrames.find((f) => f.seq === sub)!.at;
        // 0.3.1 never released a channel failed by its ack timeout (judged with MODEL_EDGES);
        // one that times out in the very instant of this event may be failed before or after it.
        if (strict ? waited === ackTimeout : waited >= ackTimeout) excused.add(key);
      }
      if (!strict) {
        for (const t of run.thrown) {
          if (t.key !== undefined && t.seq > linkFrom && t.seq < seq && t.what === 'ack') excused.add(t.key);
        }
      }
      const judged = (keys: readonly ChannelKey[]): ChannelKey[] => keys.filter((k) => !excused.has(k));
      if (judged(server).join() !== judged(expected).join() && judged(server).join() !== judged(expectedWithEnds).join()) {
        problems.push(
          `#${i} ${summarize(event)} at ${now}ms: the server holds [${server.join(', ')}] on socket #${socket}, the active channels in first-subscribed order are [${expected.join(', ')}]${excused.size > 0 ? ` (not judged: ${[...excused].join(', ')})` : ''}`,
        );
      }
    });
    report('the server holds exactly the active channels after each restore', run, problems);
  };
}

/** The keys with an active channel at clock `seq`, ordered by when their current subscription began. */
function activeKeysInOrder(run: RunRecord, seq: number, endsBefore: number): ChannelKey[] {
  const changes: Array<{ seq: number; key: ChannelKey; delta: number }> = [];
  for (const channel of run.channels) {
    if (channel.joinSeq >= seq) continue;
    changes.push({ seq: channel.joinSeq, key: channel.key, delta: 1 });
    // Failed by its key's user code (subscribe, serialize, ack, a nack) when that happened,
    // though its subscribers may hear of it later.
    const ended = inactiveFrom(run, channel);
    if (ended < seq || (channel.endSeq !== undefined && channel.endSeq === ended && ended < endsBefore)) changes.push({ seq: ended, key: channel.key, delta: -1 });
  }
  changes.sort((a, b) => a.seq - b.seq);
  const count = new Map<ChannelKey, number>();
  const since = new Map<ChannelKey, number>();
  for (const { seq: at, key, delta } of changes) {
    const n = (count.get(key) ?? 0) + delta;
    count.set(key, n);
    if (n === 1 && delta === 1) since.set(key, at);
    if (n === 0) since.delete(key);
  }
  return CHANNEL_KEYS.filter((key) => since.has(key)).sort((a, b) => since.get(a)! - since.get(b)!);
}

/**
 * 20. (`MODEL_EDGES=1`, DESIGN 0.4 "Policies agree", issue #16) `reconnect()` while an attempt
 * is in flight (its socket opening, or its handshake waiting for the answer) abandons it and
 * starts a fresh one at once: a new `Connecting` in the same virtual instant (unless the
 * connection closes or rests first), and the stale attempt never comes up.
 */
export const reconnectAbandonsAttempt: Invariant = (run) => {
  if (crashed(run)) return;
  const problems: string[] = [];
  const first = run.recorders[0]!;
  const events = first.events as Event[];
  for (const call of run.reconnects) {
    let last = -1;
    first.seqs.forEach((seq, i) => {
      if (seq < call.seq && events[i]!.type !== 'InvalidMessage') last = i;
    });
    let after = events.map((e, i) => ({ e, i })).filter(({ i }) => first.seqs[i]! > call.seq);
    const handlerState = /^state:(\S+)/.exec(call.where)?.[1];
    const firstAfter = after[0]?.i;
    const stateBefore = (i: number): string =>
      i > 0 ? first.statesAt[i - 1]! : run.scenario.options.lazy === undefined ? 'connecting' : 'idle';
    if (handlerState !== undefined && firstAfter !== undefined && first.statesAt[firstAfter] === handlerState && stateBefore(firstAfter) !== handlerState) {
      // A state$ handler of a change runs before the event that caused it reaches events$: the
      // event being delivered is the first one after the call (`connected`: the link is up).
      // (The replayed state at subscription is no change: no event is being delivered then.)
      last = after[0]!.i;
      after = after.slice(1);
    }
    if (last < 0 || events[last]!.type !== 'Connecting') continue; // not in flight
    const ended = after.find(({ e, i }) => (e.type === 'Closed' || e.type === 'Idle') && first.times[i] === call.at);
    const fresh = after.find(({ e }) => e.type === 'Connecting');
    const staleUp = after.find(({ e }) => e.type === 'Connected' || e.type === 'Reconnected');
    if (ended !== undefined && (fresh === undefined || ended.i < fresh.i)) continue;
    if (fresh === undefined || first.times[fresh.i] !== call.at || (staleUp !== undefined && staleUp.i < fresh.i)) {
      problems.push(
        `reconnect() by ${call.where} at ${call.at}ms during ${summarize(events[last]!)} (attempt in flight): next came ${after.slice(0, 4).map(({ e, i }) => `${summarize(e)}@${first.times[i]}`).join(', ') || 'nothing'}, expected a fresh Connecting at ${call.at}ms`,
      );
    }
  }
  report('reconnect() abandons an attempt in flight and starts a fresh one', run, problems);
};

/**
 * The edges of issue #16 in the scenarios (hostile returned values, `reconnect()` at every
 * phase), judged strictly (see {@link serverSubscriptions}). On by default since 0.5 closed
 * those bugs; `MODEL_EDGES=0` turns them off, and a comma list of `decoder`, `transport`,
 * `handshake`, `reconnect` looks at one at a time.
 */
export const MODEL_EDGES: false | ReadonlySet<EdgeKind> = parseEdges(process.env.MODEL_EDGES);

function parseEdges(value: string | undefined): false | ReadonlySet<EdgeKind> {
  if (value === '0') return false;
  if (value === undefined || value === '' || value === '1') return new Set(EDGE_KINDS);
  const kinds = value.split(',').map((kind) => kind.trim());
  for (const kind of kinds) if (!(EDGE_KINDS as readonly string[]).includes(kind)) throw new Error(`MODEL_EDGES: unknown edge '${kind}' (1, or a list of ${EDGE_KINDS.join(', ')})`);
  return new Set(kinds as EdgeKind[]);
}

/** The restore check, as this run judges it. */
export const serverSubscriptionsRestored: Invariant = serverSubscriptions(MODEL_EDGES !== false);

/** The policy invariants, by name. */
export const POLICY_INVARIANTS: Readonly<Record<string, Invariant>> = {
  backoffDelays,
  attemptLimits,
  breakerThresholds,
  fatalCodes,
  serverSubscriptionsRestored,
  ...(MODEL_EDGES && MODEL_EDGES.has('reconnect') ? { reconnectAbandonsAttempt } : {}),
};
