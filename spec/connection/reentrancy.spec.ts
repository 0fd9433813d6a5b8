import { repeat, take, type SchedulerLike } from 'rxjs';
import {
  connect,
  SubscriptionRejectedError,
  type ClosedEvent,
  type Connection,
  type ConnectionEvent,
  type ConnectionState,
  type WebSocketConstructor,
  type WebSocketLike,
} from '../../lib';
import { harness } from '../support/harness';
import { summarize, testScheduler } from '../support/marbles';

type Msg = { op?: string; topic?: string; n?: number; ok?: boolean; note?: string };

/** The state an event leads to: `state$` must be this fold of `events$`. */
function fold(state: ConnectionState, event: ConnectionEvent<unknown>): ConnectionState {
  switch (event.type) {
    case 'Connecting':
      return state === 'connecting' && event.attempt === 0 ? 'connecting' : 'reconnecting';
    case 'Connected':
    case 'Reconnected':
      return 'connected';
    case 'Disconnected':
      return event.permanent ? state : 'reconnecting';
    case 'Reconnecting':
      return state === 'circuit-open' ? state : 'reconnecting';
    case 'CircuitBreakerOpen':
      return 'circuit-open';
    case 'Closed':
      return 'closed';
    default:
      return state;
  }
}

/**
 * Records `state$` and `events$` into one log, as `S state` and `E event` lines, from
 * subscribers made now (before any event).
 */
function interleaving(conn: Connection<unknown, unknown>): { log: string[]; events: ConnectionEvent<unknown>[] } {
  const log: string[] = [];
  const events: ConnectionEvent<unknown>[] = [];
  conn.state$.subscribe((s) => log.push(`S ${s}`));
  conn.events$.subscribe((e) => {
    events.push(e);
    log.push(`E ${summarize(e)}`);
  });
  return { log, events };
}

/** The log `interleaving` must show: each changed state just before the event that caused it. */
function expectedInterleaving(events: ConnectionEvent<unknown>[]): string[] {
  let state: ConnectionState = 'connecting';
  const log = [`S ${state}`];
  for (const event of events) {
    const next = fold(state, event);
    if (next !== state) log.push(`S ${next}`);
    state = next;
    log.push(`E ${summarize(event)}`);
  }
  return log;
}

type Call = 'close' | 'stopRetry';

interface Scenario {
  /** Where the call is made from. */
  readonly from: string;
  readonly call: Call;
  /** The events up to and including the one being delivered when the call is made. */
  readonly inFlight: string[];
  /** Installs the calling handler. */
  readonly install: (conn: Connection<unknown, unknown>, act: () => void) => void;
}

/** An `events$` handler that acts once, on the first event whose summary is `summary`. */
const onEvent =
  (summary: string) =>
  (conn: Connection<unknown, unknown>, act: () => void): void => {
    let done = false;
    conn.events$.subscribe((e) => {
      if (!done && summarize(e) === summary) {
        done = true;
        act();
      }
    });
  };

/** A `state$` handler that acts once, on the first time the state becomes `state`. */
const onState =
  (state: ConnectionState) =>
  (conn: Connection<unknown, unknown>, act: () => void): void => {
    let done = false;
    conn.state$.subscribe((s) => {
      if (!done && s === state) {
        done = true;
        act();
      }
    });
  };

const UP = ['Connecting 0', 'Connected'];
const DROPPED = [...UP, 'Disconnected error 0'];
const BACKOFF = [...DROPPED, 'Reconnecting 1 100'];

const scenarios: Scenario[] = [
  { from: 'an events$ Connected handler', call: 'close', inFlight: UP, install: onEvent('Connected') },
  { from: 'an events$ Disconnected handler', call: 'close', inFlight: DROPPED, install: onEvent('Disconnected error 0') },
  { from: 'an events$ Reconnecting handler', call: 'close', inFlight: BACKOFF, install: onEvent('Reconnecting 1 100') },
  { from: 'an events$ Disconnected handler', call: 'stopRetry', inFlight: DROPPED, install: onEvent('Disconnected error 0') },
  { from: 'an events$ Reconnecting handler', call: 'stopRetry', inFlight: BACKOFF, install: onEvent('Reconnecting 1 100') },
  { from: "a state$ 'connected' handler", call: 'close', inFlight: UP, install: onState('connected') },
  { from: "a state$ 'reconnecting' handler", call: 'close', inFlight: DROPPED, install: onState('reconnecting') },
  { from: "a state$ 'reconnecting' handler", call: 'stopRetry', inFlight: DROPPED, install: onState('reconnecting') },
];

describe('events$ and state$ under re-entrant calls', () => {
  it.each(scenarios)('$call() from $from: every events$ subscriber sees the same full sequence, state$ is its fold (#8 item 12)', ({ call, inFlight, install }) => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      // h's own events$ and state$ subscribers come before the calling handler…
      const h = harness<unknown, unknown>(scheduler, {}, {}, 5_000);
      const before = interleaving(h.conn);
      install(h.conn, () => (call === 'close' ? h.conn.close() : h.conn.stopRetry()));
      // …and these after it.
      const after = interleaving(h.conn);
      const late: string[] = [];
      h.conn.events$.subscribe((e) => late.push(summarize(e)));
      h.at(10, () => h.server.drop());
      scheduler.flush();

      const sequence = h.events.map(summarize);
      expect(before.events.map(summarize)).toEqual(sequence);
      expect(after.events.map(summarize)).toEqual(sequence);
      expect(late).toEqual(sequence);

      // The event in flight when the call was made reached everyone; what the call caused came after it.
      expect(sequence.slice(0, inFlight.length)).toEqual(inFlight);
      const caused = h.events.slice(inFlight.length);
      expect(caused.map((e) => e.type).every((t) => ['Disconnected', 'Reconnecting', 'CircuitBreakerOpen', 'Closed'].includes(t))).toBe(true);
      expect(caused.filter((e) => e.type === 'Closed')).toHaveLength(1);
      expect(caused.at(-1)).toMatchObject({ type: 'Closed', reason: call === 'close' ? 'manual' : 'stopped' });
      expect(h.server.connections).toHaveLength(1); // no attempt after the call

      // state$ emitted each state before the event causing it reached events$, for every pair.
      expect(before.log).toEqual(expectedInterleaving(h.events));
      expect(after.log).toEqual(expectedInterleaving(h.events));
      expect(h.states).toEqual(expectedInterleaving(h.events).filter((l) => l.startsWith('S ')).map((l) => l.slice(2)));
    });
  });
});

describe('state$ after Closed', () => {
  it("a subscriber arriving after Closed receives 'closed', then completion (#8 item 13)", () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, {}, {}, 100);
      scheduler.flush();
      expect(h.events.at(-1)?.type).toBe('Closed');
      const seen: string[] = [];
      let completed = false;
      h.conn.state$.subscribe({ next: (s) => seen.push(s), complete: () => (completed = true) });
      expect(seen).toEqual(['closed']);
      expect(completed).toBe(true);
    });
  });

  it("also after a terminal failure (retry: false): 'closed', then completion (#8 item 13)", () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { retry: false }, {}, 1_000);
      h.at(10, () => h.server.drop());
      scheduler.flush();
      expect(h.events.at(-1)).toMatchObject({ type: 'Closed', reason: 'max-attempts' });
      const seen: string[] = [];
      let completed = false;
      h.conn.state$.subscribe({ next: (s) => seen.push(s), complete: () => (completed = true) });
      expect(seen).toEqual(['closed']);
      expect(completed).toBe(true);
    });
  });
});

const topic = (name: string, extra: object = {}) => ({
  key: name,
  subscribe: { op: 'sub', topic: name },
  unsubscribe: { op: 'unsub', topic: name },
  match: (m: Msg) => m.topic === name,
  ...extra,
});

describe('channel delivery under re-entrancy', () => {
  it('a subscriber that joins a channel during delivery of a message starts with the next message (#8 item 14)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 1_000);
      const channel$ = h.conn.channel(topic('a'));
      const first: number[] = [];
      const joiner: number[] = [];
      channel$.subscribe((m) => {
        first.push(m.n!);
        if (m.n === 1) channel$.subscribe((late) => joiner.push(late.n!));
      });
      h.at(10, () => h.server.send({ topic: 'a', n: 1 }));
      h.at(20, () => h.server.send({ topic: 'a', n: 2 }));
      scheduler.flush();
      expect(first).toEqual([1, 2]);
      expect(joiner).toEqual([2]);
      expect(h.server.received.filter((m) => (m as Msg).op === 'sub')).toHaveLength(1);
    });
  });

  it('take(1) + repeat() on a shared channel receives each message once and does not loop (#8 item 14)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 1_000);
      const channel$ = h.conn.channel(topic('a'));
      const holder: number[] = [];
      channel$.subscribe((m) => holder.push(m.n!)); // keeps the server subscription alive
      const repeated: number[] = [];
      // bounded, so 0.1.0's endless redelivery of one message ends
      channel$.pipe(take(1), repeat({ count: 50 })).subscribe((m) => repeated.push(m.n!));
      h.at(10, () => h.server.send({ topic: 'a', n: 1 }));
      h.at(20, () => h.server.send({ topic: 'a', n: 2 }));
      h.at(30, () => h.server.send({ topic: 'a', n: 3 }));
      scheduler.flush();
      expect(repeated).toEqual([1, 2, 3]);
      expect(holder).toEqual([1, 2, 3]);
      expect(h.server.received.filter((m) => (m as Msg).op === 'sub')).toHaveLength(1);
    });
  });

  it('take(1) + repeat() as the only subscriber receives each message once (#8 item 14)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 1_000);
      const repeated: number[] = [];
      h.conn
        .channel(topic('a'))
        .pipe(take(1), repeat({ count: 50 }))
        .subscribe((m) => repeated.push(m.n!));
      h.at(10, () => h.server.send({ topic: 'a', n: 1 }));
      h.at(20, () => h.server.send({ topic: 'a', n: 2 }));
      scheduler.flush();
      expect(repeated).toEqual([1, 2]);
    });
  });
});

describe('acks count only after the subscribe was written on the current link', () => {
  /** Both the handshake and the channel accept `{ ok: true }`; the channel rejects `{ ok: false }`. */
  const okAck = (m: Msg): boolean | Error => (m.ok === true ? true : m.ok === false ? new Error('refused') : false);

  it("the handshake's ack does not confirm a channel replayed on that link: an id-less rejection after it errors the channel (#8 item 15)", () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(
        scheduler,
        { handshake: { message: () => ({ op: 'auth' }), ack: (m) => m.ok === true } },
        {},
        1_000,
      );
      h.server.messages$.subscribe(({ connection, message }) => {
        const m = message as Msg;
        if (m.op === 'auth') connection.send({ ok: true });
        if (m.op === 'sub') h.at(scheduler.now() + 5, () => connection.send({ ok: false }));
      });
      let error: unknown;
      h.conn.channel(topic('a', { ack: okAck })).subscribe({ error: (e: unknown) => (error = e) });
      scheduler.flush();
      expect(h.server.connections[0]!.received.slice(0, 2)).toEqual([{ op: 'auth' }, { op: 'sub', topic: 'a' }]);
      expect(error).toBeInstanceOf(SubscriptionRejectedError);
    });
  });

  it("after a reconnect, SubscriptionsRestored waits for the channel's own ack, not the handshake's (#8 item 15)", () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(
        scheduler,
        { handshake: { message: () => ({ op: 'auth' }), ack: (m) => m.ok === true } },
        {},
        1_000,
      );
      h.server.messages$.subscribe(({ connection, message }) => {
        const m = message as Msg;
        if (m.op === 'auth') connection.send({ ok: true });
        if (m.op === 'sub') h.at(scheduler.now() + 50, () => connection.send({ ok: true }));
      });
      h.conn.channel(topic('a', { ack: okAck })).subscribe({ error: () => undefined });
      h.at(100, () => h.server.drop());
      scheduler.flush();
      expect(h.timeline.slice(2, 7)).toEqual([
        [100, 'Disconnected error 0'],
        [100, 'Reconnecting 1 100'],
        [200, 'Connecting 1'],
        [200, 'Reconnected 1'],
        [250, 'SubscriptionsRestored 1'],
      ]);
    });
  });

  it('after a reconnect, an id-less rejection following the handshake ack is not lost: restored count 0, the channel errors (#8 item 15)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(
        scheduler,
        { handshake: { message: () => ({ op: 'auth' }), ack: (m) => m.ok === true } },
        {},
        1_000,
      );
      let refusing = false;
      h.server.messages$.subscribe(({ connection, message }) => {
        const m = message as Msg;
        if (m.op === 'auth') connection.send({ ok: true });
        if (m.op === 'sub') h.at(scheduler.now() + 5, () => connection.send({ ok: !refusing }));
      });
      let error: unknown;
      h.conn.channel(topic('a', { ack: okAck })).subscribe({ error: (e: unknown) => (error = e) });
      h.at(100, () => {
        refusing = true;
        h.server.drop();
      });
      scheduler.flush();
      expect(h.timeline.filter(([, e]) => e.startsWith('SubscriptionsRestored'))).toEqual([[205, 'SubscriptionsRestored 0']]);
      expect(error).toBeInstanceOf(SubscriptionRejectedError);
    });
  });

  it('a channel subscribed from the messages$ handler of M is not rejected by M itself (#8 item 15)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 1_000);
      h.server.messages$.subscribe(({ connection, message }) => {
        if ((message as Msg).op === 'sub') h.at(scheduler.now() + 5, () => connection.send({ ok: true }));
      });
      const got: number[] = [];
      let error: unknown;
      h.conn.messages$.subscribe((m) => {
        if (m.note === 'M') h.conn.channel(topic('a', { ack: okAck })).subscribe({ next: (x) => got.push(x.n!), error: (e: unknown) => (error = e) });
      });
      h.at(10, () => h.server.send({ ok: false, note: 'M' }));
      h.at(50, () => h.server.send({ topic: 'a', n: 1 }));
      scheduler.flush();
      expect(error).toBeUndefined();
      expect(got).toEqual([1]);
    });
  });

  it('a channel subscribed from the messages$ handler of M is not confirmed by M itself: with no reply it times out (#8 item 15)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, {}, {}, 2_000);
      let error: unknown;
      h.conn.messages$.subscribe((m) => {
        if (m.note === 'M') h.conn.channel(topic('a', { ack: okAck, ackTimeout: 500 })).subscribe({ error: (e: unknown) => (error = e) });
      });
      h.at(10, () => h.server.send({ ok: true, note: 'M' }));
      scheduler.flush();
      expect(error).toBeInstanceOf(SubscriptionRejectedError);
    });
  });
});

/**
 * A synchronous transport (legal for a `WebSocket`-compatible constructor): it opens `openAfter`
 * ms after construction and, while `dropOnWrite` is set, loses the link inside the `send()` of
 * the frame it has just written, before `send()` returns.
 */
function syncTransport(scheduler: SchedulerLike, openAfter = 10): { WebSocket: WebSocketConstructor; written: unknown[]; dropOnWrite: { on: boolean } } {
  const written: unknown[] = [];
  const dropOnWrite = { on: true };
  class SyncSocket implements WebSocketLike {
    readyState = 0;
    binaryType = 'blob';
    onopen: ((event: never) => unknown) | null = null;
    onmessage: ((event: never) => unknown) | null = null;
    onclose: ((event: never) => unknown) | null = null;
    onerror: ((event: never) => unknown) | null = null;
    constructor(readonly url: string) {
      scheduler.schedule(() => {
        if (this.readyState !== 0) return;
        this.readyState = 1;
        this.fire('onopen', { type: 'open' });
      }, openAfter);
    }
    send(data: string | ArrayBufferLike | ArrayBufferView): void {
      if (this.readyState !== 1) return;
      written.push(typeof data === 'string' ? JSON.parse(data) : data);
      if (dropOnWrite.on) this.lose();
    }
    close(): void {
      if (this.readyState >= 2) return;
      this.readyState = 2;
      scheduler.schedule(() => this.lose());
    }
    private lose(): void {
      if (this.readyState === 3) return;
      this.readyState = 3;
      this.fire('onerror', { type: 'error', message: 'connection reset' });
      this.fire('onclose', { type: 'close', code: 1006, reason: '', wasClean: false });
    }
    private fire(handler: 'onopen' | 'onclose' | 'onerror', event: object): void {
      (this[handler] as ((event: object) => unknown) | null)?.call(this, event);
    }
  }
  return { WebSocket: SyncSocket, written, dropOnWrite };
}

describe('Closed.unsent and what was written', () => {
  it('a synchronous transport that loses the link inside the first flushed write: every accepted send is written or unsent, never both, never neither, in order (#8 item 16)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const transport = syncTransport(scheduler);
      const events: ConnectionEvent<Msg>[] = [];
      const conn = connect<Msg, Msg>({ url: 'ws://sync', WebSocket: transport.WebSocket, retry: false, heartbeat: false });
      conn.events$.subscribe((e) => events.push(e));
      const sent = [1, 2, 3, 4].map((n) => ({ op: 'order', n }));
      for (const message of sent) conn.send(message);
      scheduler.schedule(() => conn.close(), 1_000);
      scheduler.flush();
      const closed = events.at(-1) as ClosedEvent<Msg>;
      expect(closed).toMatchObject({ type: 'Closed', reason: 'max-attempts' });
      expect(transport.written.length).toBeGreaterThanOrEqual(1);
      expect([...transport.written, ...closed.unsent]).toEqual(sent);
    });
  });

  it('the same when close() is called from the Disconnected handler of that loss, with retries on (#8 item 16)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const transport = syncTransport(scheduler);
      const events: ConnectionEvent<Msg>[] = [];
      const conn = connect<Msg, Msg>({ url: 'ws://sync', WebSocket: transport.WebSocket, heartbeat: false });
      conn.events$.subscribe((e) => {
        events.push(e);
        if (e.type === 'Disconnected') conn.close();
      });
      const sent = [1, 2, 3].map((n) => ({ op: 'order', n }));
      for (const message of sent) conn.send(message);
      scheduler.schedule(() => conn.close(), 1_000);
      scheduler.flush();
      const closed = events.at(-1) as ClosedEvent<Msg>;
      expect(closed).toMatchObject({ type: 'Closed', reason: 'manual' });
      expect(transport.written.length).toBeGreaterThanOrEqual(1);
      expect([...transport.written, ...closed.unsent]).toEqual(sent);
    });
  });

  it('TestServer dropping the link in reaction to the first frame: written or unsent, never both, never neither, in order (#8 item 16)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(scheduler, { retry: false }, { mode: 'manual' }, 1_000);
      h.server.messages$.subscribe(({ connection }) => connection.drop());
      const sent = [1, 2, 3, 4].map((n) => ({ op: 'order', n }));
      for (const message of sent) h.conn.send(message);
      h.at(10, () => h.server.accept());
      scheduler.flush();
      const closed = h.events.at(-1) as ClosedEvent<Msg>;
      expect(closed).toMatchObject({ type: 'Closed', reason: 'max-attempts' });
      const written = h.server.received as Msg[];
      expect(written.length).toBeGreaterThanOrEqual(1);
      expect([...written, ...closed.unsent]).toEqual(sent);
    });
  });
});
