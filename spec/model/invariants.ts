import { ConnectionClosedError, type ClosedEvent } from '../../lib';
import { describeScenario } from './commands';
import { INITIAL, advance, allowedStates, nextLifecycle, previousLifecycle, summarize, type FoldState } from './model';
import type { Event, Msg, RunRecord } from './run';

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

/** Throws when `problems` is not empty, with the event list, the states, the scenario and the handler log. */
function report(name: string, run: RunRecord, problems: readonly string[]): void {
  if (problems.length === 0) return;
  const first = run.recorders[0]!;
  const all = eventsOf(run).map((e, i) => `  ${i}. ${first.times[i]}ms ${summarize(e)}  [state ${first.statesAt[i]}]`);
  const events = all.length <= 60 ? all : [...all.slice(0, 20), `  … ${all.length - 50} more …`, ...all.slice(-30)];
  throw new InvariantError(
    [
      `invariant "${name}" broken:`,
      ...problems.slice(0, 10).map((p) => `- ${p}`),
      'events:',
      ...events,
      `state$: ${run.states.join(' → ')}${run.statesCompleted ? ' |' : ''}`,
      describeScenario(run.scenario),
      ...(run.log.length > 0 ? ['handler calls:', ...run.log.map((l) => `  ${l}`)] : []),
    ].join('\n'),
  );
}

/**
 * 1. Grammar of `events$`: exactly one `Closed`, last, nothing after it; attempt numbering
 * (the first `Connecting` is attempt 0, each `Connecting{n ≥ 1}` preceded by
 * `Reconnecting{n}`); `Connected` at most once; `Reconnected` followed by
 * `SubscriptionsRestored` or `Disconnected`; a permanent `Disconnected` followed by `Closed`
 * or, after `retry()` from its handler, `Reconnecting{attempt: 1, delay: 0}`.
 */
export const eventGrammar: Invariant = (run) => {
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
        if (lastConnecting !== undefined && event.attempt === 0) problems.push(`${at}: only the first Connecting is attempt 0`);
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
        if (nextEvent?.type !== 'Closed' && !(resumed && nextEvent.attempt === 1 && nextEvent.delay === 0)) {
          problems.push(`${at}: a permanent Disconnected must be followed by Closed or Reconnecting 1 0, got ${nextEvent ? summarize(nextEvent) : 'nothing'}`);
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
 * 'connecting' and ending with 'closed' and completion; a subscriber after `Closed` gets
 * `'closed'`, then completion.
 */
export const stateIsFoldOfEvents: Invariant = (run) => {
  const problems: string[] = [];
  const events = eventsOf(run);
  const statesAt = run.recorders[0]?.statesAt ?? [];
  let fold: FoldState = INITIAL;
  events.forEach((event, i) => {
    const state = statesAt[i]!;
    const allowed = allowedStates(event, fold);
    if (!allowed.includes(state)) {
      problems.push(`#${i} ${summarize(event)} reached events$ with state$ at '${state}', expected ${allowed.map((s) => `'${s}'`).join(' or ')} (after '${fold.state}')`);
    }
    fold = advance(fold, event, state);
  });
  const expected: string[] = [];
  for (const state of ['connecting', ...statesAt]) if (expected[expected.length - 1] !== state) expected.push(state);
  if (expected.join() !== run.states.join()) {
    problems.push(`state$ emitted [${run.states.join(', ')}], the states seen at each event give [${expected.join(', ')}]`);
  }
  for (let i = 1; i < run.states.length; i++) if (run.states[i] === run.states[i - 1]) problems.push(`state$ repeated '${run.states[i]}'`);
  if (run.states[0] !== 'connecting') problems.push(`state$ started with '${run.states[0]}'`);
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

/** 5. Nothing thrown escaped: no undocumented throw from a call, no error out of `flush()`, nothing reported to `config.onUnhandledError`. */
export const nothingEscaped: Invariant = (run) => {
  const problems: string[] = [...run.escaped];
  if (run.flushError !== undefined) problems.push(`flush() threw ${errorText(run.flushError)}`);
  for (const error of run.unhandled) problems.push(`config.onUnhandledError got ${errorText(error)}`);
  report('nothing thrown escaped', run, problems);
};

/** 6. After `Closed` nothing remains: every socket is CLOSED and no action the connection scheduled is pending. */
export const nothingLeftAfterClose: Invariant = (run) => {
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
 * (DESIGN.md does not say which).
 */
export const streamsEndWithTheConnection: Invariant = (run) => {
  const problems: string[] = [];
  const closed = closedOf(run);
  const manual = closed?.reason === 'manual';
  const end = run.messagesEnd;
  if (closed && manual && end.kind !== 'complete') problems.push(`messages$ ${end.kind === 'error' ? `errored with ${errorText(end.error)}` : 'stayed open'} after Closed manual`);
  if (closed && !manual && !(end.kind === 'error' && end.error instanceof ConnectionClosedError)) {
    problems.push(`messages$ ${end.kind === 'error' ? `errored with ${errorText(end.error)}` : end.kind === 'complete' ? 'completed' : 'stayed open'} after Closed ${closed.reason}, expected ConnectionClosedError`);
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
  const problems: string[] = [];
  for (const channel of run.channels) {
    if (channel.joinedDuring !== undefined && channel.received.includes(channel.joinedDuring)) {
      problems.push(`channel ${channel.key} joined by "${channel.where}" while delivering ${JSON.stringify(channel.joinedDuring)} also received it`);
    }
  }
  report('channel join during delivery', run, problems);
};

/** Every invariant, by name. */
export const INVARIANTS: Readonly<Record<string, Invariant>> = {
  eventGrammar,
  sameEventsForEverySubscriber,
  stateIsFoldOfEvents,
  sendsWrittenOnceOrUnsent,
  nothingEscaped,
  nothingLeftAfterClose,
  streamsEndWithTheConnection,
  heartbeatLiveness,
  channelJoinDuringDelivery,
};
