import { ConnectionClosedError, SubscriptionRejectedError, type ClosedEvent } from '../../lib';
import { ACKED, describeScenario, type ChannelKey } from './commands';
import { INITIAL, INITIAL_LAZY, advance, allowedStates, nextLifecycle, previousLifecycle, summarize, type FoldState } from './model';
import type { ChannelRecord, Event, RunRecord, UserCodeThrow } from './run';
import { expectedDelivery, isObject, type Msg } from './user-code';

/** An invariant of the model-based test: throws {@link InvariantError} when a run breaks it. */
export type Invariant = (run: RunRecord) => void;

/** A broken invariant, with everything needed to read the run. */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

/** The events as the first `events$` subscriber saw them. */
function eventsOf(run: RunRecord): readonly Event[] {
  return run.recorders[0]?.events ?? [];
}

function closedOf(run: RunRecord): ClosedEvent<Msg> | undefined {
  return eventsOf(run).find((e): e is ClosedEvent<Msg> => e.type === 'Closed');
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The run crashed: something escaped (a throw out of `flush()`, a server action or a call, or
 * a report to `config.onUnhandledError`), which in a real process is an uncaught exception.
 * {@link nothingEscaped} reports it; the other invariants judge only runs that did not crash,
 * so that each reports its own kind of fault.
 */
export function crashed(run: RunRecord): boolean {
  return run.flushError !== undefined || run.unhandled.length > 0 || run.escaped.length > 0;
}

/** Throws when `problems` is not empty, with the event list, the states, the scenario and the handler log. */
export function report(name: string, run: RunRecord, problems: readonly string[]): void {
  if (problems.length === 0) return;
  const first = run.recorders[0]!;
  const demand = run.lazy?.demandAtEvents;
  const all = eventsOf(run).map((e, i) => `  ${i}. ${first.times[i]}ms ${summarize(e)}  [state ${first.statesAt[i]}${demand ? `, demand ${demand[i]}` : ''}]`);
  const events = all.length <= 60 ? all : [...all.slice(0, 20), `  … ${all.length - 50} more …`, ...all.slice(-30)];
  throw new InvariantError(
    [
      `invariant "${name}" broken:`,
      ...problems.slice(0, 10).map((p) => `- ${p}`),
      'events:',
      ...events,
      `state$: ${run.states.join(' → ')}${run.statesCompleted ? ' |' : ''}`,
      describeScenario(run.scenario),
      ...(run.log.length > 0 ? ['log (handler calls, drops on a frame):', ...run.log.map((l) => `  ${l}`)] : []),
      ...(run.thrown.length > 0 ? ['user code threw:', ...run.thrown.slice(0, 12).map((t) => `  ${t.at}ms ${describeThrow(t)}`)] : []),
    ].join('\n'),
  );
}

/**
 * 1. Grammar of `events$`: exactly one `Closed`, last, nothing after it; attempt numbering
 * (the first `Connecting` is attempt 0, each `Connecting{n ≥ 1}` preceded by
 * `Reconnecting{n}`); `Connected` at most once; `Reconnected` followed by
 * `SubscriptionsRestored` or `Disconnected`; a permanent `Disconnected` followed by `Closed`
 * or, after `retry()` from its handler, `Reconnecting{attempt: 1, delay: 0}`. With `lazy`
 * (README, "Lazy connections"), a permanent `Disconnected` may also be followed by `Idle`, and
 * a `Connecting{attempt: 0}` that follows `Idle` wakes the connection; without it, no `Idle`.
 * (The rest of the rules of `Idle`: {@link lazyRest}.)
 */
export const eventGrammar: Invariant = (run) => {
  if (crashed(run)) return;
  const events = eventsOf(run);
  const problems: string[] = [];
  const closedAt = events.findIndex((e) => e.type === 'Closed');
  const closedCount = events.filter((e) => e.type === 'Closed').length;
  if (closedCount !== 1) problems.push(`${closedCount} Closed events, expected exactly one`);
  if (closedAt >= 0 && closedAt !== events.length - 1) problems.push(`events after Closed (Closed at #${closedAt} of ${events.length})`);
  if (!run.recorders[0]?.completed) problems.push('events$ did not complete');
  if (run.lateEvents.values.length > 0 || !run.lateEvents.completed) {
    problems.push(`an events$ subscriber after Closed got [${run.lateEvents.values.map(summarize).join(', ')}]${run.lateEvents.completed ? ' and completion' : ' and no completion'}`);
  }

  let lastConnecting: number | undefined; // attempt of the latest Connecting
  let reconnectingSince: number | undefined; // attempt of the latest Reconnecting since that Connecting
  let connected = 0;
  events.forEach((event, i) => {
    const at = `#${i} ${summarize(event)}`;
    const next = nextLifecycle(events, i);
    const nextEvent = next >= 0 ? events[next] : undefined;
    const prev = previousLifecycle(events, i);
    const prevEvent = prev >= 0 ? events[prev] : undefined;
    switch (event.type) {
      case 'Connecting':
        if (lastConnecting === undefined && event.attempt !== 0) problems.push(`${at}: the first Connecting must be attempt 0`);
        if (lastConnecting !== undefined && event.attempt === 0 && prevEvent?.type !== 'Idle') {
          problems.push(`${at}: only the first Connecting${run.lazy ? ' and one after Idle are' : ' is'} attempt 0`);
        }
        if (event.attempt >= 1 && reconnectingSince !== event.attempt) {
          problems.push(`${at}: not preceded by Reconnecting ${event.attempt} (latest since the previous attempt: ${reconnectingSince ?? 'none'})`);
        }
        lastConnecting = event.attempt;
        reconnectingSince = undefined;
        break;
      case 'Reconnecting':
        // A retry continues the outage (previous attempt + 1) or starts a fresh series (1).
        if (event.attempt !== 1 && event.attempt !== (lastConnecting ?? 0) + 1) {
          problems.push(`${at}: attempt should be 1 or ${(lastConnecting ?? 0) + 1} (the latest Connecting was ${lastConnecting ?? 'none'})`);
        }
        reconnectingSince = event.attempt;
        break;
      case 'Connected':
      case 'Reconnected':
        if (prevEvent?.type !== 'Connecting') problems.push(`${at}: must follow a Connecting, follows ${prevEvent ? summarize(prevEvent) : 'nothing'}`);
        if (event.type === 'Connected' && ++connected > 1) problems.push(`${at}: Connected more than once`);
        if (event.type === 'Reconnected') {
          if (connected === 0) problems.push(`${at}: Reconnected before any Connected`);
          if (event.attempt !== lastConnecting) problems.push(`${at}: attempt differs from the latest Connecting (${lastConnecting})`);
          if (nextEvent?.type !== 'SubscriptionsRestored' && nextEvent?.type !== 'Disconnected') {
            problems.push(`${at}: must be followed by SubscriptionsRestored or Disconnected, got ${nextEvent ? summarize(nextEvent) : 'nothing'}`);
          }
        }
        break;
      case 'SubscriptionsRestored':
        if (prevEvent?.type !== 'Reconnected') problems.push(`${at}: must follow Reconnected, follows ${prevEvent ? summarize(prevEvent) : 'nothing'}`);
        break;
      case 'Disconnected': {
        // The attempt actually made: the latest Connecting's, or 0 for an established link.
        if (event.attempt !== 0 && event.attempt !== lastConnecting) {
          problems.push(`${at}: attempt ${event.attempt} was never made (the latest Connecting was ${lastConnecting ?? 'none'})`);
        }
        if (!event.permanent) break;
        const resumed = nextEvent?.type === 'Reconnecting';
        // `lazy`: the link closed to rest; retry() from its handler does nothing while idle.
        const rests = run.lazy !== undefined && nextEvent?.type === 'Idle';
        if (rests) break;
        if (nextEvent?.type !== 'Closed' && !(resumed && nextEvent.attempt === 1 && nextEvent.delay === 0)) {
          problems.push(`${at}: a permanent Disconnected must be followed by Closed${run.lazy ? ', Idle' : ''} or Reconnecting 1 0, got ${nextEvent ? summarize(nextEvent) : 'nothing'}`);
        }
        // Any handler may have called it (a state$ handler too): judged by virtual time.
        if (resumed && !run.handlerRetries.includes(run.recorders[0]!.times[i]!)) problems.push(`${at}: resumed although no handler called retry()`);
        // retry() from the handler resumes, "whatever caused it". Left open by DESIGN.md: a
        // close() (Closed 'manual') or stopRetry() made during the same delivery may win.
        const closedManually = nextEvent?.type === 'Closed' && nextEvent.reason === 'manual';
        if (run.retriedDuring.has(event) && !run.stoppedDuring.has(event) && !resumed && !closedManually) {
          problems.push(`${at}: a handler called retry() but the connection did not resume`);
        }
        break;
      }
      case 'Idle':
        if (!run.lazy) problems.push(`${at}: Idle, but the connection is not lazy`);
        break;
      default:
        break;
    }
  });
  report('event grammar', run, problems);
};

/**
 * 2. Every `events$` subscriber (before, between and after the handlers) saw the same sequence:
 * from the moment it subscribed, the first subscriber's.
 */
export const sameEventsForEverySubscriber: Invariant = (run) => {
  if (crashed(run)) return;
  const problems: string[] = [];
  const all = eventsOf(run).map(summarize);
  for (const recorder of run.recorders.slice(1)) {
    const reference = all.slice(recorder.joinedAt);
    const seen = recorder.events.map(summarize);
    const diverges = seen.findIndex((summary, i) => summary !== reference[i]);
    if (seen.length !== reference.length || diverges >= 0) {
      const from = diverges >= 0 ? diverges : Math.min(seen.length, reference.length);
      problems.push(
        `the ${recorder.name} subscriber diverges at #${from}: saw [${seen.slice(from, from + 4).join(', ')}], the first saw [${reference.slice(from, from + 4).join(', ')}] (${seen.length} vs ${reference.length} events)`,
      );
    }
    if (!recorder.completed) problems.push(`the ${recorder.name} subscriber saw no completion`);
  }
  for (const recorder of run.recorders) if (recorder.error !== undefined) problems.push(`events$ errored for the ${recorder.name} subscriber: ${errorText(recorder.error)}`);
  report('same events for every subscriber', run, problems);
};

/**
 * 3. `state$` is the fold of `events$`: at each event every subscriber sees the state that
 * event causes (see {@link allowedStates}), `state$` emits exactly those changes, starting with
 * 'connecting' ('idle' with `lazy`) and ending with 'closed' and completion; a subscriber after `Closed` gets
 * `'closed'`, then completion.
 */
export const stateIsFoldOfEvents: Invariant = (run) => {
  if (crashed(run)) return;
  const problems: string[] = [];
  const events = eventsOf(run);
  const statesAt = run.recorders[0]?.statesAt ?? [];
  const initial = run.lazy ? INITIAL_LAZY : INITIAL;
  let fold: FoldState = initial;
  events.forEach((event, i) => {
    const state = statesAt[i]!;
    const allowed = allowedStates(event, fold);
    if (!allowed.includes(state)) {
      problems.push(`#${i} ${summarize(event)} reached events$ with state$ at '${state}', expected ${allowed.map((s) => `'${s}'`).join(' or ')} (after '${fold.state}')`);
    }
    fold = advance(fold, event, state);
  });
  const expected: string[] = [];
  for (const state of [initial.state, ...statesAt]) if (expected[expected.length - 1] !== state) expected.push(state);
  if (expected.join() !== run.states.join()) {
    problems.push(`state$ emitted [${run.states.join(', ')}], the states seen at each event give [${expected.join(', ')}]`);
  }
  for (let i = 1; i < run.states.length; i++) if (run.states[i] === run.states[i - 1]) problems.push(`state$ repeated '${run.states[i]}'`);
  if (run.states[0] !== initial.state) problems.push(`state$ started with '${run.states[0]}', expected '${initial.state}'`);
  if (run.states[run.states.length - 1] !== 'closed' || !run.statesCompleted) problems.push(`state$ did not end with 'closed' and completion`);
  for (const recorder of run.recorders.slice(1)) {
    const differs = recorder.statesAt.findIndex((s, i) => s !== statesAt[i]);
    if (differs >= 0) problems.push(`the ${recorder.name} subscriber saw #${differs} with state '${recorder.statesAt[differs]}', the first with '${statesAt[differs]}'`);
  }
  if (run.lateState.values.join() !== 'closed' || !run.lateState.completed) {
    problems.push(`a state$ subscriber after Closed got [${run.lateState.values.join(', ')}]${run.lateState.completed ? ' and completion' : ' and no completion'}, expected ['closed'] and completion`);
  }
  report('state$ is the fold of events$', run, problems);
};

/**
 * 4. Sends: every accepted `send()` was written to an open socket exactly once or is in
 * `Closed.unsent`, never both; written (in order) then unsent is the order of acceptance.
 * Writes are counted at the client's socket: a frame written to a link that then dies is lost
 * in flight, which the contract allows; a frame never written and not in `unsent` is lost by
 * the library.
 */
export const sendsWrittenOnceOrUnsent: Invariant = (run) => {
  if (crashed(run)) return;
  const problems: string[] = [];
  const written = run.written.map((w) => w.seq);
  const unsent = (closedOf(run)?.unsent ?? []).map((m) => (typeof m === 'object' && m !== null ? (m as Msg).seq : m));
  const accepted = new Set(run.accepted);
  const count = new Map<unknown, number>();
  for (const seq of [...written, ...unsent]) count.set(seq, (count.get(seq) ?? 0) + 1);
  for (const seq of run.accepted) {
    const n = count.get(seq) ?? 0;
    if (n === 0) problems.push(`send #${seq} was accepted, never written and not in unsent: lost`);
    if (n > 1) problems.push(`send #${seq} appears ${n} times (written ${written.filter((s) => s === seq).length}, unsent ${unsent.filter((s) => s === seq).length})`);
  }
  for (const seq of count.keys()) if (!accepted.has(seq as number)) problems.push(`send #${String(seq)} threw, yet was written or returned in unsent`);
  const order = [...written, ...unsent];
  if (problems.length === 0 && order.join() !== run.accepted.join()) {
    problems.push(`order: written [${written.join(',')}] then unsent [${unsent.join(',')}], accepted [${run.accepted.join(',')}]`);
  }
  report('accepted sends written once or unsent, FIFO', run, problems);
};

/**
 * 4b. Control sends (#9): a `sendNow()` that returned true wrote its frame once, to the socket
 * open at the call; one that returned false wrote nothing, then or ever (never buffered).
 */
export const controlSendsNeverBuffered: Invariant = (run) => {
  if (crashed(run)) return;
  const problems: string[] = [];
  for (const { n, ok, openSocket } of run.controls) {
    const writes = run.controlWritten.filter((w) => w.n === n);
    if (ok && (writes.length !== 1 || writes[0]!.socket !== openSocket)) {
      problems.push(`sendNow #${n} returned true but was written ${writes.length} times (sockets ${writes.map((w) => w.socket).join(',')}; open at the call: ${openSocket})`);
    }
    if (!ok && writes.length > 0) problems.push(`sendNow #${n} returned false yet reached socket ${writes[0]!.socket}`);
  }
  const unsent = closedOf(run)?.unsent ?? [];
  if (unsent.some((m) => isObject(m) && 'ctl' in (m as Msg))) problems.push('a control frame was returned in Closed.unsent');
  report('control sends written at once or refused', run, problems);
};

/** 5. Nothing thrown escaped: no undocumented throw from a call, no error out of `flush()`, nothing reported to `config.onUnhandledError`. */
export const nothingEscaped: Invariant = (run) => {
  const problems: string[] = [...run.escaped];
  if (run.flushError !== undefined) problems.push(`flush() threw ${errorText(run.flushError)}`);
  for (const error of run.unhandled) problems.push(`config.onUnhandledError got ${errorText(error)}`);
  report('nothing thrown escaped', run, problems);
};

/** 6. After `Closed` nothing remains: every socket is CLOSED and no action the connection scheduled is pending. */
export const nothingLeftAfterClose: Invariant = (run) => {
  if (crashed(run)) return;
  const problems: string[] = [];
  run.readyStates.forEach((state, i) => {
    if (state !== 3) problems.push(`socket #${i} has readyState ${state} after the final flush`);
  });
  if (run.pending.length > 0) {
    problems.push(
      `${run.pending.length} scheduled action(s) pending after the final flush: ${run.pending
        .slice(0, 5)
        .map((p) => `scheduled at ${p.scheduledAt} with delay ${p.delay}`)
        .join('; ')}`,
    );
  }
  report('nothing left after close', run, problems);
};

/**
 * 7. Streams end with the connection: on `Closed{manual}` `messages$` and channels complete;
 * on any other `Closed` they error with `ConnectionClosedError`; no channel subscription the
 * test did not leave is left open. A channel joined after `Closed` must end at once, either way
 * (DESIGN.md does not say which). With `lazy`, so do the `messages$` subscribers of `watch`
 * calls the test did not leave.
 */
export const streamsEndWithTheConnection: Invariant = (run) => {
  if (crashed(run)) return;
  const problems: string[] = [];
  const closed = closedOf(run);
  const manual = closed?.reason === 'manual';
  // `lazy` runs: the messages$ subscribers the test left (or never made) owe no end.
  const subscribers = [
    ...(run.messagesLeft ? [] : [{ who: 'messages$', end: run.messagesEnd, afterClosed: false }]),
    ...(run.lazy?.watchers ?? []).filter((w) => !w.left).map((w) => ({ who: `messages$ (${w.where})`, end: w.end, afterClosed: w.afterClosed })),
  ];
  for (const { who, end, afterClosed } of subscribers) {
    if (closed && afterClosed) {
      if (end.kind === 'open') problems.push(`${who}, subscribed once the connection was ending, is still open after Closed`);
      continue;
    }
    if (closed && manual && end.kind !== 'complete') problems.push(`${who} ${end.kind === 'error' ? `errored with ${errorText(end.error)}` : 'stayed open'} after Closed manual`);
    if (closed && !manual && !(end.kind === 'error' && end.error instanceof ConnectionClosedError)) {
      problems.push(`${who} ${end.kind === 'error' ? `errored with ${errorText(end.error)}` : end.kind === 'complete' ? 'completed' : 'stayed open'} after Closed ${closed.reason}, expected ConnectionClosedError`);
    }
  }
  for (const channel of run.channels) {
    if (channel.left) continue;
    const who = `channel ${channel.key} (${channel.where})`;
    if (channel.end.kind === 'open') problems.push(`${who} is still open after Closed`);
    else if (!channel.afterClosed && manual && channel.end.kind === 'error' && channel.end.error instanceof ConnectionClosedError) {
      problems.push(`${who} errored with ConnectionClosedError on Closed manual`);
    } else if (!channel.afterClosed && closed && !manual && channel.end.kind === 'complete') {
      problems.push(`${who} completed on Closed ${closed.reason}, expected ConnectionClosedError`);
    }
  }
  report('streams end with the connection', run, problems);
};

/**
 * 8. Heartbeat liveness (0.2): a link whose server answers every probe within `timeout` is
 * never stale; a black-holed link is found stale (or is lost some other way) within
 * `2 · interval + timeout` of the later of the black-hole and the server's last frame: a frame
 * heard just after a tick spares the next tick's probe, so the first unanswered probe may come
 * up to two intervals after it, and the link is stale `timeout` after that probe.
 */
export const heartbeatLiveness: Invariant = (run) => {
  if (crashed(run)) return;
  const heartbeat = run.scenario.options.heartbeat;
  if (!heartbeat) return;
  const problems: string[] = [];
  const events = eventsOf(run);
  const times = run.recorders[0]!.times;
  const window = 2 * heartbeat.interval + heartbeat.timeout;
  // App-level pongs come `replyDelay` ms after the ping; protocol pongs at once.
  const answersInTime = !heartbeat.app || run.scenario.options.server.replyDelay < heartbeat.timeout;
  let linkSince = 0; // time of the Connecting of the current attempt
  events.forEach((event, i) => {
    if (event.type === 'Connecting') linkSince = times[i]!;
    if (event.type !== 'Disconnected' || event.reason !== 'stale') return;
    const blackholed = run.blackholes.some((t) => t >= linkSince && t <= times[i]!);
    if (answersInTime && !blackholed) {
      problems.push(`#${i} ${summarize(event)} at ${times[i]}ms: the server answered every probe (no black-hole since ${linkSince}ms)`);
    }
  });
  for (const t of run.blackholes) {
    // Only a link that was up before the black-hole was black-holed for sure.
    let before = -1;
    for (let i = 0; i < events.length && times[i]! < t; i++) if (events[i]!.type !== 'InvalidMessage') before = i;
    const up = before >= 0 && ['Connected', 'Reconnected', 'SubscriptionsRestored'].includes(events[before]!.type);
    if (!up) continue;
    let deadline = t + window;
    for (const f of run.serverFrames) if (f >= t && f <= deadline) deadline = Math.max(deadline, f + window);
    const lost = events.findIndex((e, i) => times[i]! >= t && (e.type === 'Disconnected' || e.type === 'Closed'));
    const lostAt = lost >= 0 ? times[lost]! : Infinity;
    if (lostAt > deadline) {
      problems.push(`black-holed at ${t}ms, the link was still up at ${deadline}ms (interval ${heartbeat.interval}, timeout ${heartbeat.timeout}); lost at ${lostAt}ms`);
    }
  }
  report('heartbeat liveness', run, problems);
};

/**
 * 9. Channel delivery has Subject semantics (0.2): a subscriber that joins a channel while
 * that channel is delivering a message starts with the next message.
 */
export const channelJoinDuringDelivery: Invariant = (run) => {
  if (crashed(run)) return;
  const problems: string[] = [];
  for (const channel of run.channels) {
    if (channel.joinedDuring !== undefined && channel.received.includes(channel.joinedDuring)) {
      problems.push(`channel ${channel.key} joined by "${channel.where}" while delivering ${JSON.stringify(channel.joinedDuring)} also received it`);
    }
  }
  report('channel join during delivery', run, problems);
};

function describeThrow(t: UserCodeThrow): string {
  const on = t.message === undefined ? '' : ` on ${JSON.stringify(t.message, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`;
  const whose = t.channel ? ` (channel ${t.channel.key} of ${t.channel.where})` : t.key === undefined ? '' : ` (key ${t.key})`;
  return t.what === 'nack' ? `ack returned a rejection${whose}${on}` : `${t.what} threw${whose}${on}`;
}

function show(message: unknown): string {
  return message === undefined ? 'undefined' : JSON.stringify(message);
}

/** A channel's own description in messages. */
function who(channel: ChannelRecord): string {
  return `channel ${channel.key}${channel.alt ? ' (alt)' : ''} of ${channel.where}`;
}

/** Channel-level user code: its throw (or rejection) fails every channel on its key. */
const KEY_LEVEL: ReadonlySet<UserCodeThrow['what']> = new Set(['subscribe', 'ack', 'nack', 'serialize']);

/** True while `channel` was subscribed and had not ended nor left at `seq`. */
function activeAt(channel: ChannelRecord, seq: number): boolean {
  return channel.joinSeq < seq && (channel.leftSeq ?? Infinity) > seq && (channel.endSeq ?? Infinity) > seq;
}

/**
 * The first throw of user code that fails `channel`: its own `match`, or its key's
 * `subscribe` builder, `ack` (or a rejection `ack` returned), or the serializing of its
 * `subscribe` message, while it was subscribed.
 */
function failureOf(run: RunRecord, channel: ChannelRecord): UserCodeThrow | undefined {
  if (channel.afterClosed) return undefined;
  return run.thrown.find(
    (t) =>
      activeAt(channel, t.seq) &&
      ((t.what === 'match' && t.channel === channel) ||
        (KEY_LEVEL.has(t.what) && t.key === channel.key && (t.what !== 'serialize' || (isObject(t.message) && t.message.op === 'sub')))),
  );
}

/** When `channel` stopped being subscribed: left, ended, or failed by its user code. */
export function inactiveFrom(run: RunRecord, channel: ChannelRecord): number {
  return Math.min(channel.leftSeq ?? Infinity, channel.endSeq ?? Infinity, failureOf(run, channel)?.seq ?? Infinity);
}

/**
 * 10. User code fails its own channel only (0.2): a channel whose `match`, `subscribe` builder
 * or `subscribe` message (a BigInt JSON cannot encode) threw errors with exactly what was
 * thrown; one whose `ack` threw or rejected errors with `SubscriptionRejectedError` (carrying
 * what `ack` threw); either way it receives nothing afterwards. (When a handler closed the
 * connection during the same delivery, before the throw, the channel may end as the
 * connection did instead.) That the other channels keep receiving is {@link channelDelivery};
 * that nothing escapes, {@link nothingEscaped}.
 */
export const userCodeFailsItsChannel: Invariant = (run) => {
  if (crashed(run)) return;
  const problems: string[] = [];
  for (const channel of run.channels) {
    const failure = failureOf(run, channel);
    if (!failure) continue;
    const late = channel.received.filter((_m, i) => channel.receivedSeqs[i]! > failure.seq);
    if (late.length > 0) problems.push(`${who(channel)} received ${late.map(show).join(', ')} after ${describeThrow(failure)}`);
    if (channel.left) continue; // left before its error could be delivered: no error owed
    const end = channel.end;
    // A handler that closed the connection (or acted, and the library ended it on its behalf)
    // during the same delivery, before the throw: the channel may end as the connection did.
    const quietSince = Math.max(
      ...run.inbound.map((m) => m.seq).filter((s) => s < failure.seq),
      ...run.stepSeqs.filter((s) => s < failure.seq),
      ...run.recorders[0]!.seqs.filter((s) => s < failure.seq),
      0,
    );
    const endedMeanwhile =
      [...run.handlerCalls, ...run.closeCalls].some((s) => s > quietSince && s < failure.seq) &&
      (end.kind === 'complete' || (end.kind === 'error' && end.error instanceof ConnectionClosedError));
    if (endedMeanwhile) continue;
    if (failure.what === 'ack' || failure.what === 'nack') {
      const ok =
        end.kind === 'error' &&
        end.error instanceof SubscriptionRejectedError &&
        (failure.what === 'nack' || end.error.cause === failure.error);
      if (!ok) {
        problems.push(`${who(channel)} ${end.kind === 'error' ? `errored with ${errorText(end.error)}` : end.kind === 'complete' ? 'completed' : 'stayed open'} after ${describeThrow(failure)}, expected SubscriptionRejectedError${failure.what === 'ack' ? ' carrying the thrown error' : ''}`);
      }
    } else if (!(end.kind === 'error' && end.error === failure.error)) {
      problems.push(`${who(channel)} ${end.kind === 'error' ? `errored with ${errorText(end.error)}` : end.kind === 'complete' ? 'completed' : 'stayed open'} after ${describeThrow(failure)}, expected an error with exactly what was thrown (${errorText(failure.error)})`);
    }
  }
  report('user code fails its own channel', run, problems);
};

/**
 * 11. Channel delivery (0.2): each channel receives only its own messages — routed to its key
 * by `route` (every channel on the key), or, when `route` does not place a message, accepted
 * by its own `match` (two `channel()` calls on one key each filter with their own) — and
 * each at most once; a channel subscribed before a message and still subscribed after it
 * receives it if it is its own, or fails if its own `match` throws on it, whatever the other
 * channels' code did. A `route` that throws reports `InvalidMessage{error}` with what it threw.
 */
export const channelDelivery: Invariant = (run) => {
  if (crashed(run)) return;
  const problems: string[] = [];
  const route = run.scenario.options.route;
  for (const channel of run.channels) {
    const twice = channel.received.filter((m, i) => channel.received.indexOf(m) !== i);
    if (twice.length > 0) problems.push(`${who(channel)} received ${twice.map(show).join(', ')} more than once`);
    for (const message of channel.received) {
      const expected = expectedDelivery(channel, route, message);
      if (expected !== true) {
        problems.push(`${who(channel)} received ${show(message)}, which is not its own (${expected === 'throws' ? 'its match throws on it' : channel.hasMatch ? 'its own match rejects it' : 'it has no match and route does not place it there'})`);
      }
    }
  }
  const first = run.recorders[0]!;
  run.inbound.forEach(({ message, seq }, i) => {
    // The window in which the message reaches the channels: until the next message, event or step.
    const end = Math.min(
      run.inbound[i + 1]?.seq ?? Infinity,
      first.seqs.find((s) => s > seq) ?? Infinity,
      run.stepSeqs.find((s) => s > seq) ?? Infinity,
    );
    // A handler acting meanwhile (leaving a channel, closing) may rightly change who gets it.
    if (run.handlerCalls.some((s) => s > seq && s < end)) return;
    for (const channel of run.channels) {
      if (channel.afterClosed || !activeAt(channel, seq)) continue;
      const failure = failureOf(run, channel);
      if (failure !== undefined && failure.seq < seq) continue;
      const expected = expectedDelivery(channel, route, message);
      if (expected === 'throws') {
        if (failure?.what === 'match' && failure.message === message) continue;
        if (inactiveFrom(run, channel) < end) continue;
        problems.push(`${who(channel)} was subscribed when ${show(message)} arrived and its match throws on it, but it was not failed`);
      } else if (expected && !channel.received.includes(message) && inactiveFrom(run, channel) >= end) {
        problems.push(`${who(channel)} was subscribed when ${show(message)} arrived, its own message, and did not receive it`);
      }
    }
  });
  const closedSeq = first.seqs[first.events.findIndex((e) => e.type === 'Closed')] ?? Infinity;
  const closeCalled = run.closeCalls[0] ?? Infinity;
  for (const t of run.thrown) {
    if (t.what !== 'route' || t.seq > Math.min(closedSeq, closeCalled)) continue;
    const reported = first.events.some((e, i) => e.type === 'InvalidMessage' && first.seqs[i]! > t.seq && e.error === t.error);
    if (!reported) problems.push(`route threw on ${show(t.message)} at ${t.at}ms and no InvalidMessage carried the thrown error`);
  }
  report('channel delivery', run, problems);
};

/**
 * 12. Channels that share a key share one server subscription (0.2): on one link, no second
 * `subscribe` frame for a key unless its subscription ended in between (an `unsubscribe`
 * frame, no channel left on the key, or the subscription failed: its `subscribe` builder,
 * serializing or `ack` threw, or it was rejected or its ack timed out).
 */
export const oneSubscriptionPerKey: Invariant = (run) => {
  if (crashed(run)) return;
  const problems: string[] = [];
  const resets = new Map<ChannelKey, number[]>();
  const resetAt = (key: ChannelKey, seq: number): void => void resets.set(key, [...(resets.get(key) ?? []), seq]);
  for (const t of run.thrown) if (t.key !== undefined && KEY_LEVEL.has(t.what)) resetAt(t.key, t.seq);
  for (const channel of run.channels) {
    if (channel.end.kind === 'error' && channel.end.error instanceof SubscriptionRejectedError) resetAt(channel.key, channel.endSeq!);
    const t = inactiveFrom(run, channel);
    if (t === Infinity) continue;
    const active = run.channels.filter((other) => other.key === channel.key && other.joinSeq <= t && inactiveFrom(run, other) > t);
    if (active.length === 0) resetAt(channel.key, t);
  }
  const frames = run.channelFrames;
  frames.forEach((frame, i) => {
    if (frame.op !== 'sub') return;
    const previous = frames.slice(0, i).reverse().find((f) => f.socket === frame.socket && f.key === frame.key);
    if (previous?.op !== 'sub') return;
    if ((resets.get(frame.key) ?? []).some((s) => s > previous.seq && s < frame.seq)) return;
    // Its ack may have timed out in between: the subscription was rejected there, though its
    // channels may be told only later.
    if (ACKED.has(frame.key) && frame.at - previous.at >= run.scenario.options.ackTimeout) return;
    const sharing = run.channels.filter((c) => c.key === frame.key && activeAt(c, frame.seq)).map(who);
    problems.push(`a second subscribe for ${frame.key} on socket #${frame.socket} while its subscription stood (channels on it: ${sharing.join('; ') || 'none'})`);
  });
  report('one server subscription per key', run, problems);
};

/**
 * 13. A throwing retry policy is fatal (0.2): when `shouldRetry` or `retry.delay` throws, no
 * retry follows — the next event is `Disconnected{permanent: true}`, then `Closed{reason:
 * 'fatal'}` carrying exactly the thrown error. (When a handler acts in between, `retry()` or
 * `close()` from the permanent `Disconnected` may change the end: then only a `Closed` that
 * is fatal must carry the thrown error.)
 */
export const thrownPolicyIsFatal: Invariant = (run) => {
  if (crashed(run)) return;
  const thrown = run.thrown.find((t) => t.what === 'shouldRetry' || t.what === 'delay');
  if (!thrown) return;
  const problems: string[] = [];
  const first = run.recorders[0]!;
  const events = first.events;
  const after = first.seqs.findIndex((s) => s > thrown.seq);
  const closedAt = events.findIndex((e) => e.type === 'Closed');
  const closedSeq = closedAt >= 0 ? first.seqs[closedAt]! : Infinity;
  const handlersActed = thrown.inHandlerCall || run.handlerCalls.some((s) => s > thrown.seq && s < closedSeq);
  const what = `${thrown.what} threw at ${thrown.at}ms`;
  if (!handlersActed) {
    // Events queued before the throw (a Reconnected whose link-up write lost the link) may
    // still be delivered after it; what the throw causes is the next Disconnected.
    const lost = events.findIndex((e, i) => first.seqs[i]! > thrown.seq && e.type === 'Disconnected');
    // A retry is announced by Reconnecting (the grammar): a Connecting delivered after the
    // throw may be the attempt's own, made before it (a hostile value read as it started).
    const retried = events.findIndex((e, i) => first.seqs[i]! > thrown.seq && e.type === 'Reconnecting');
    const next = lost >= 0 ? (events[lost] as Event) : undefined;
    // (With MODEL_EDGES a hostile value can fail an attempt inside its own start, before the
    // events queued ahead of it, a fresh series' Reconnecting among them, are delivered.)
    const queuedAhead = run.scenario.options.edges !== undefined;
    if (!(next?.type === 'Disconnected' && next.permanent) || (retried >= 0 && retried < lost && !queuedAhead)) {
      problems.push(`${what}; then came ${events.slice(Math.max(after, 0), after + 3).map(summarize).join(', ') || 'nothing'}, expected a permanent Disconnected and no retry`);
    }
    const then = lost >= 0 ? nextLifecycle(events, lost) : -1;
    const end = then >= 0 ? events[then] : undefined;
    if (!(end?.type === 'Closed' && end.reason === 'fatal' && end.error === thrown.error)) {
      problems.push(`${what}; after the permanent Disconnected came ${end ? summarize(end) : 'nothing'}${end?.type === 'Closed' ? ` (error: ${errorText(end.error)})` : ''}, expected Closed fatal carrying the thrown error`);
    }
  } else {
    const permanent = events.findIndex((e, i) => first.seqs[i]! > thrown.seq && e.type === 'Disconnected' && e.permanent);
    const then = permanent >= 0 ? nextLifecycle(events, permanent) : -1;
    const end = then >= 0 ? events[then] : undefined;
    if (end?.type === 'Closed' && end.reason === 'fatal' && end.error !== thrown.error) {
      problems.push(`${what}; the Closed fatal after the permanent Disconnected carries ${errorText(end.error)}, not the thrown error`);
    }
  }
  report('a throwing retry policy is fatal', run, problems);
};

/** The events that show a link up: the last one before a rest says it was up then. */
const LINK_UP: ReadonlySet<Event['type']> = new Set(['Connected', 'Reconnected', 'SubscriptionsRestored']);

/**
 * 14. `lazy` (README, "Lazy connections"): the connection never rests while something needs a
 * link (a `messages$` subscriber, a channel, a buffered send; `events$` and `state$`
 * subscribers do not count), and rests within `idleAfter` once nothing has (nor has a wake
 * started it since), unless it closed first. `Idle` comes after a
 * `Disconnected{reason: 'manual', code: 1000, permanent: true}` when a link was up; after `Idle`
 * comes `Connecting{attempt: 0}` (a wake) or `Closed`, so never a second `Idle` without a wake;
 * an `Idle` delivered while something needs the link (a handler of an earlier event asked for
 * one) is followed by the wake. A resting connection holds no socket and no timer.
 * (`state$` at 'idle' after `Idle`: {@link stateIsFoldOfEvents}.)
 */
export const lazyRest: Invariant = (run) => {
  const lazy = run.lazy;
  if (crashed(run) || !lazy) return;
  const problems: string[] = [];
  const events = eventsOf(run);
  const times = run.recorders[0]!.times;
  events.forEach((event, i) => {
    if (event.type !== 'Idle') return;
    const at = `#${i} Idle at ${times[i]}ms`;
    const prev = previousLifecycle(events, i);
    const before = prev >= 0 ? events[prev]! : undefined;
    if (before && LINK_UP.has(before.type)) problems.push(`${at}: the link was up (${summarize(before)}), and no Disconnected manual permanent came first`);
    if (before?.type === 'Disconnected' && before.permanent && !(before.reason === 'manual' && before.code === 1000)) {
      problems.push(`${at}: after ${summarize(before)}, expected Disconnected manual/1000 permanent`);
    }
    const next = nextLifecycle(events, i);
    const after = next >= 0 ? events[next]! : undefined;
    if (!(after?.type === 'Closed' || (after?.type === 'Connecting' && after.attempt === 0))) {
      problems.push(`${at}: followed by ${after ? summarize(after) : 'nothing'}, expected Connecting 0 (a wake) or Closed`);
    }
    const demand = lazy.demandAtEvents[i] ?? 0;
    if (demand > 0 && after?.type !== 'Connecting' && after?.type !== 'Closed') problems.push(`${at}: ${demand} things needed a link, and nothing woke it`);
  });
  for (const check of lazy.checks) {
    const { at, demand, state, quietSince } = check;
    if (state === 'idle' && demand > 0) problems.push(`idle at ${at}ms while ${demand} things needed a link`);
    if (quietSince !== undefined && at - quietSince > lazy.idleAfter && state !== 'idle' && state !== 'closed') {
      problems.push(`still ${state} at ${at}ms, with nothing needing a link since ${quietSince}ms (idleAfter ${lazy.idleAfter})`);
    }
    // A socket still closing may keep its grace timer (the time the close needs).
    if (state === 'idle' && (check.liveSockets > 0 || (check.pending > 0 && check.closingSockets === 0))) {
      problems.push(`resting at ${at}ms with ${check.pending} scheduled action(s) pending and ${check.liveSockets} socket(s) CONNECTING or OPEN, ${check.closingSockets} CLOSING`);
    }
  }
  report('lazy: rests exactly when nothing needs a link', run, problems);
};

/** Every invariant, by name. */
export const INVARIANTS: Readonly<Record<string, Invariant>> = {
  eventGrammar,
  sameEventsForEverySubscriber,
  stateIsFoldOfEvents,
  sendsWrittenOnceOrUnsent,
  controlSendsNeverBuffered,
  nothingEscaped,
  nothingLeftAfterClose,
  streamsEndWithTheConnection,
  heartbeatLiveness,
  channelJoinDuringDelivery,
  userCodeFailsItsChannel,
  channelDelivery,
  oneSubscriptionPerKey,
  thrownPolicyIsFatal,
  lazyRest,
};
