import { interval, Subject, type SchedulerLike } from 'rxjs';
import type { ConnectOptions, Serializer } from '../../lib';
import type { TestConnection } from '../../lib/testing';
import { harness, type Harness } from '../support/harness';
import { testScheduler } from '../support/marbles';

/** Text frames as they are, so a NATS-like `PING`/`PONG` protocol reads as it does on the wire. */
const text: Serializer<string, string> = {
  serialize: (message) => message,
  deserialize: (data) => String(data),
};

/** The virtual times of every `Disconnected{reason: 'stale'}`. */
function staleAt(h: Harness<string, string>): number[] {
  return h.timeline.filter(([, e]) => e.startsWith('Disconnected stale')).map(([t]) => t);
}

/**
 * A connection on virtual time with application pings: text frames, `heartbeat.message` 'ping'
 * and `isPong` 'pong', closed at `closeAt`.
 */
function appPings(
  scheduler: SchedulerLike,
  interval: number,
  timeout: number,
  closeAt: number,
  options: Partial<ConnectOptions<string, string>> = {},
): Harness<string, string> {
  const heartbeat = { interval, timeout, message: 'ping', isPong: (m: string) => m === 'pong' };
  return harness<string, string>(scheduler, { serializer: text, heartbeat, ...options }, {}, closeAt);
}

interface AnswerOptions {
  /** The probe frame to answer. */
  ping?: string;
  /** The answer. */
  reply?: string;
  /** Ms before answering (0: at once). */
  delay?: number;
  /** Answers only while this returns true (the probe is still recorded). */
  answering?: () => boolean;
}

/** Answers every `ping` frame with `reply`, after `delay` ms; returns the times pings arrived. */
function answerPings(
  h: Harness<string, string>,
  scheduler: SchedulerLike,
  { ping = 'ping', reply = 'pong', delay = 0, answering = (): boolean => true }: AnswerOptions = {},
): number[] {
  const pingTimes: number[] = [];
  h.server.messages$.subscribe(({ connection, message }) => {
    if (message !== ping) return;
    pingTimes.push(scheduler.now());
    if (!answering()) return;
    const answer = (c: TestConnection): void => c.send(reply);
    if (delay === 0) answer(connection);
    else scheduler.schedule(() => answer(connection), delay);
  });
  return pingTimes;
}

describe('heartbeat deadlines: interval < timeout', () => {
  it('1 s / 3 s with pongs answered at once: never stale over 60 s (#8 item 9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = appPings(scheduler, 1_000, 3_000, 60_000);
      const pings = answerPings(h, scheduler);
      const delivered: string[] = [];
      h.conn.messages$.subscribe((m) => delivered.push(m));
      scheduler.flush();
      expect(staleAt(h)).toEqual([]);
      expect(h.timeline.map(([, e]) => e)).toEqual(['Connecting 0', 'Connected', 'Disconnected manual 0 p', 'Closed manual 0']);
      expect(h.server.connections).toHaveLength(1);
      expect(pings.length).toBeGreaterThanOrEqual(20); // the heartbeat did run
      expect(delivered).toEqual([]); // every pong answered a probe and was swallowed
    });
  });

  it('200 ms / 500 ms on a 240 ms round trip: never stale over 60 s (#8 item 9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = appPings(scheduler, 200, 500, 60_000);
      const pings = answerPings(h, scheduler, { delay: 240 });
      scheduler.flush();
      expect(staleAt(h)).toEqual([]);
      expect(h.server.connections).toHaveLength(1);
      expect(pings.length).toBeGreaterThanOrEqual(100);
    });
  });

  it('protocol pings (ws-like sockets), 1 s / 3 s, answered at once: never stale over 60 s (#8 item 9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(scheduler, { heartbeat: { interval: 1_000, timeout: 3_000 } }, { pings: true }, 60_000);
      scheduler.flush();
      expect(staleAt(h)).toEqual([]);
      expect(h.server.connections).toHaveLength(1);
      expect(h.server.connections[0]!.pings).toBeGreaterThanOrEqual(20);
    });
  });

  it('a link black-holed at 10 500 is stale exactly `timeout` after the first unanswered probe (tick at 11 000 → 14 000) (#8 item 9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = appPings(scheduler, 1_000, 3_000, 30_000);
      answerPings(h, scheduler);
      h.at(10_500, () => h.server.blackhole());
      scheduler.flush();
      // Nothing has been heard since the tick at 10 000 (or the pong it drew), so the tick at
      // 11 000 probes; that probe's deadline is 11 000 + 3 000.
      expect(h.timeline.slice(2, 4)).toEqual([
        [14_000, 'Disconnected stale 0'],
        [14_000, 'Reconnecting 1 100'],
      ]);
    });
  });

  it('protocol pings: a link black-holed at 10 500 is stale at 14 000 (#8 item 9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(scheduler, { heartbeat: { interval: 1_000, timeout: 3_000 } }, { pings: true }, 30_000);
      h.at(10_500, () => h.server.blackhole());
      scheduler.flush();
      expect(h.timeline.slice(2, 4)).toEqual([
        [14_000, 'Disconnected stale 0'],
        [14_000, 'Reconnecting 1 100'],
      ]);
    });
  });

  it('a server that stops answering at 10 500 (its frames still seen): stale exactly `timeout` after the first unanswered ping (#8 item 9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = appPings(scheduler, 1_000, 3_000, 30_000);
      const pings = answerPings(h, scheduler, { answering: () => scheduler.now() < 10_500 });
      scheduler.flush();
      const firstUnanswered = pings.find((t) => t >= 10_500)!;
      expect(firstUnanswered).toBeGreaterThan(10_500);
      expect(firstUnanswered).toBeLessThanOrEqual(11_500);
      expect(staleAt(h)[0]).toBe(firstUnanswered + 3_000);
    });
  });
});

describe('heartbeat deadlines: wake$ while connected', () => {
  it.each([
    [1_000, 3_000],
    [1_000, 500],
    [30_000, 10_000],
  ])('interval %i / timeout %i, wake-ups every 700 ms on a healthy link: never stale over 60 s (#8 item 10)', (every, timeout) => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(
        scheduler,
        {
          serializer: text,
          wake$: interval(700),
          heartbeat: { interval: every, timeout, message: 'ping', isPong: (m) => m === 'pong' },
        },
        {},
        60_000,
      );
      const pings = answerPings(h, scheduler);
      scheduler.flush();
      expect(staleAt(h)).toEqual([]);
      expect(h.server.connections).toHaveLength(1);
      // a wake-up probes at once: at least one probe per wake-up
      expect(pings.length).toBeGreaterThanOrEqual(Math.floor(60_000 / 700));
    });
  });

  it.each([
    [1_000, 3_000],
    [1_000, 500],
    [30_000, 10_000],
  ])('protocol pings, interval %i / timeout %i, wake-ups every 700 ms on a healthy link: never stale over 60 s (#8 item 10)', (every, timeout) => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(
        scheduler,
        { wake$: interval(700), heartbeat: { interval: every, timeout } },
        { pings: true },
        60_000,
      );
      scheduler.flush();
      expect(staleAt(h)).toEqual([]);
      expect(h.server.connections).toHaveLength(1);
      expect(h.server.connections[0]!.pings).toBeGreaterThanOrEqual(Math.floor(60_000 / 700));
    });
  });

  it('a single wake-up in the last `timeout` before a tick does not make a healthy link stale (default-like 30 s / 10 s, wake at 25 s) (#8 item 10)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const wake$ = new Subject<void>();
      const h = harness<string, string>(scheduler, { wake$, heartbeat: { interval: 30_000, timeout: 10_000 } }, { pings: true }, 100_000);
      h.at(25_000, () => wake$.next());
      scheduler.flush();
      expect(staleAt(h)).toEqual([]);
      expect(h.server.connections).toHaveLength(1);
    });
  });

  it('wake-ups every 500 ms on a link black-holed at 10 250: stale 3 000 after the first unanswered probe (the wake at 10 500) (#8 item 10)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = appPings(scheduler, 1_000, 3_000, 30_000, { wake$: interval(500) });
      answerPings(h, scheduler);
      h.at(10_250, () => h.server.blackhole());
      scheduler.flush();
      expect(h.timeline.slice(2, 4)).toEqual([
        [13_500, 'Disconnected stale 0'],
        [13_500, 'Reconnecting 1 100'],
      ]);
    });
  });

  it('wake-ups every 500 ms with protocol pings on a link black-holed at 10 250: stale at 13 500 (#8 item 10)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(
        scheduler,
        { wake$: interval(500), heartbeat: { interval: 1_000, timeout: 3_000 } },
        { pings: true },
        30_000,
      );
      h.at(10_250, () => h.server.blackhole());
      scheduler.flush();
      expect(h.timeline.slice(2, 4)).toEqual([
        [13_500, 'Disconnected stale 0'],
        [13_500, 'Reconnecting 1 100'],
      ]);
    });
  });
});

describe('heartbeat and handshake share a PING/PONG vocabulary (NATS)', () => {
  const nats = {
    serializer: text,
    handshake: { message: () => 'CONNECT+PING', ack: (m: string) => m === 'PONG' },
    heartbeat: { interval: 1_000, timeout: 3_000, message: 'PING', isPong: (m: string) => m === 'PONG' },
    retry: { maxAttempts: 2 },
  };

  it('the handshake is acked by PONG although isPong also recognises it: Connected, and up for 60 s (#8 item 11)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(scheduler, nats, {}, 60_000);
      h.server.messages$.subscribe(({ connection, message }) => {
        if (message === 'CONNECT+PING' || message === 'PING') connection.send('PONG');
      });
      scheduler.flush();
      expect(h.timeline).toEqual([
        [0, 'Connecting 0'],
        [0, 'Connected'],
        [60_000, 'Disconnected manual 0 p'],
        [60_000, 'Closed manual 0'],
      ]);
      expect(h.server.connections).toHaveLength(1);
      expect(h.server.connections[0]!.received[0]).toBe('CONNECT+PING');
      expect(h.server.connections[0]!.received.filter((m) => m === 'PING').length).toBeGreaterThanOrEqual(20);
    });
  });

  it('after link-up, a PONG with no probe outstanding is an ordinary message (the app’s own PING/PONG barrier) (#8 item 11)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(
        scheduler,
        { serializer: text, heartbeat: { interval: 30_000, timeout: 10_000, message: 'PING', isPong: (m) => m === 'PONG' } },
        {},
        10_000,
      );
      h.server.messages$.subscribe(({ connection, message }) => {
        if (message === 'PING') connection.send('PONG');
      });
      const delivered: Array<[number, string]> = [];
      h.conn.messages$.subscribe((m) => delivered.push([scheduler.now(), m]));
      h.at(500, () => h.conn.send('PING')); // the application's own barrier, not a probe
      h.at(2_000, () => h.server.send('PONG')); // unsolicited
      scheduler.flush();
      expect(delivered).toEqual([
        [500, 'PONG'],
        [2_000, 'PONG'],
      ]);
      expect(h.server.connections[0]!.received).toEqual(['PING']); // no probe before 30 s
    });
  });

  it('isPong consumes at most one frame per outstanding probe: a doubled PONG delivers the second (#8 item 11)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<string, string>(
        scheduler,
        { serializer: text, heartbeat: { interval: 1_000, timeout: 3_000, message: 'PING', isPong: (m) => m === 'PONG' } },
        {},
        10_000,
      );
      h.server.messages$.subscribe(({ connection, message }) => {
        if (message !== 'PING') return;
        connection.send('PONG');
        connection.send('PONG');
      });
      const delivered: string[] = [];
      h.conn.messages$.subscribe((m) => delivered.push(m));
      scheduler.flush();
      const probes = h.server.connections[0]!.received.filter((m) => m === 'PING').length;
      expect(probes).toBeGreaterThanOrEqual(3);
      expect(delivered).toEqual(Array.from({ length: probes }, () => 'PONG'));
      expect(staleAt(h)).toEqual([]);
    });
  });
});
