import { createHash } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { filter, firstValueFrom, merge, of, Subject, throwError, timeout } from 'rxjs';
import { WebSocketServer } from 'ws';
import { connect, DisconnectError, type ConnectOptions, type DisconnectedEvent } from '../../lib';
import { harness } from '../support/harness';
import { testScheduler } from '../support/marbles';
import { EventLog, Resources, WAIT_MS } from '../support/until';

/** Answers one upgrade request on its raw TCP socket. */
type Responder = (request: http.IncomingMessage, socket: net.Socket) => void;

/**
 * A plain `node:http` server on 127.0.0.1 whose every WebSocket upgrade is answered by a
 * {@link Responder}, recording when each upgrade request arrived (to prove the client waited).
 */
class UpgradeServer {
  /** `performance.now()` of each upgrade request, in order. */
  readonly upgrades: number[] = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly upgrade$ = new Subject<void>();

  private constructor(private readonly server: http.Server) {}

  static async start(respond: Responder): Promise<UpgradeServer> {
    const server = http.createServer((_request, response) => response.writeHead(426).end());
    const upgrading = new UpgradeServer(server);
    server.on('connection', (socket: net.Socket) => {
      upgrading.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.once('close', () => upgrading.sockets.delete(socket));
    });
    server.on('upgrade', (request: http.IncomingMessage, socket: net.Socket) => {
      upgrading.upgrades.push(performance.now());
      respond(request, socket);
      upgrading.upgrade$.next();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return upgrading;
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves once at least `count` upgrade requests arrived. */
  async untilUpgrades(count: number, ms = WAIT_MS): Promise<void> {
    await firstValueFrom(
      merge(of(undefined), this.upgrade$).pipe(
        filter(() => this.upgrades.length >= count),
        timeout({ first: ms, with: () => throwError(() => new Error(`no ${count} upgrade requests within ${ms} ms`)) }),
      ),
    );
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Refuses the upgrade with `status` and extra response `headers`. */
function refuse(status: number, headers: Record<string, string> = {}): Responder {
  return (_request, socket) => {
    const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n${lines.join('')}\r\n`);
  };
}

/** Completes the upgrade (a valid Sec-WebSocket-Accept), selecting `protocol` whatever was asked. */
function acceptWithProtocol(protocol: string): Responder {
  return (request, socket) => {
    const key = String(request.headers['sec-websocket-key']);
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
    );
  };
}

/** The DisconnectError a `Disconnected` event carries. */
function errorOf(event: DisconnectedEvent): DisconnectError {
  expect(event.error).toBeInstanceOf(DisconnectError);
  return event.error as DisconnectError;
}

/** ms between the first two upgrade requests. */
function gap(server: UpgradeServer): number {
  return server.upgrades[1]! - server.upgrades[0]!;
}

/** A timer may fire up to about 1 ms before `performance.now()` says its time has come. */
const TIMER_SLACK_MS = 5;

describe('a refused upgrade: status, headers and Retry-After (raw http server on 127.0.0.1)', () => {
  const res = new Resources();
  afterEach(() => res.release());

  /** Connects, lets attempt 0 and attempt 1 fail, then closes: exactly two upgrade requests. */
  async function twoAttempts(server: UpgradeServer, retry: ConnectOptions<unknown, unknown>['retry']) {
    const conn = res.conn(connect({ url: server.url, retry }));
    const log = new EventLog(conn);
    res.add(() => log.stop());
    await log.waitFor('Disconnected', { where: (e) => e.attempt === 1, ms: 4_000 });
    conn.close();
    await log.waitFor('Closed');
    return log;
  }

  it('429 with Retry-After: 2 → status, headers and retryAfter on the error; the next attempt waits 2000 ms (#9)', async () => {
    const server = res.server(await UpgradeServer.start(refuse(429, { 'Retry-After': '2', 'X-Request-Id': 'r-1' })));

    const log = await twoAttempts(server, { initialDelay: 10, jitter: 0 });

    const error = errorOf(log.of('Disconnected')[0]!);
    expect(log.of('Disconnected')[0]).toMatchObject({ reason: 'error', attempt: 0, permanent: false });
    expect(error.status).toBe(429);
    expect(error.headers?.['retry-after']).toBe('2');
    expect(error.headers?.['x-request-id']).toBe('r-1');
    expect(error.retryAfter).toBe(2000);
    expect(log.of('Reconnecting')[0]).toMatchObject({ attempt: 1, delay: 2000 });
    expect(log.of('Reconnecting')[0]!.error).toBe(error);
    expect(gap(server)).toBeGreaterThanOrEqual(2000 - TIMER_SLACK_MS);
    expect(server.upgrades).toHaveLength(2);
  });

  it('503 with Retry-After: 1 is honoured the same way (#9)', async () => {
    const server = res.server(await UpgradeServer.start(refuse(503, { 'Retry-After': '1' })));

    const log = await twoAttempts(server, { initialDelay: 10, jitter: 0 });

    const error = errorOf(log.of('Disconnected')[0]!);
    expect(error).toMatchObject({ status: 503, retryAfter: 1000 });
    expect(error.headers?.['retry-after']).toBe('1');
    expect(log.of('Reconnecting')[0]).toMatchObject({ attempt: 1, delay: 1000 });
    expect(gap(server)).toBeGreaterThanOrEqual(1000 - TIMER_SLACK_MS);
    expect(server.upgrades).toHaveLength(2);
  });

  it('with the default retry options, 429 with Retry-After: 1 waits 1000 ms (#9)', async () => {
    const server = res.server(await UpgradeServer.start(refuse(429, { 'Retry-After': '1' })));

    const log = await twoAttempts(server, undefined);

    expect(errorOf(log.of('Disconnected')[0]!)).toMatchObject({ status: 429, retryAfter: 1000 });
    expect(log.of('Reconnecting')[0]).toMatchObject({ attempt: 1, delay: 1000 });
    expect(gap(server)).toBeGreaterThanOrEqual(1000 - TIMER_SLACK_MS);
    expect(server.upgrades).toHaveLength(2);
  });

  it('with the default retry options, Retry-After: 120 is capped by the default maxDelay (30 000 ms) (#9)', async () => {
    const server = res.server(await UpgradeServer.start(refuse(503, { 'Retry-After': '120' })));
    const conn = res.conn(connect({ url: server.url }));
    const log = new EventLog(conn);
    res.add(() => log.stop());

    const scheduled = await log.waitFor('Reconnecting');
    conn.close();

    expect(scheduled).toMatchObject({ attempt: 1, delay: 30_000 });
    await log.waitFor('Closed');
    expect(server.upgrades).toHaveLength(1);
  });

  it('an open circuit breaker probes no sooner than the Retry-After either: 503 Retry-After: 1 with resetTimeout 50 waits 1000 ms (#16)', async () => {
    const server = res.server(await UpgradeServer.start(refuse(503, { 'Retry-After': '1' })));
    const conn = res.conn(
      connect({
        url: server.url,
        retry: { initialDelay: 10, jitter: 0 },
        circuitBreaker: { failureThreshold: 1, resetTimeout: 50 },
      }),
    );
    const log = new EventLog(conn);
    res.add(() => log.stop());

    await log.waitFor('Disconnected', { where: (e) => e.attempt === 1, ms: 4_000 });
    conn.close();
    await log.waitFor('Closed');

    expect(log.of('CircuitBreakerOpen')[0]).toMatchObject({ trips: 1, retryIn: 1000 });
    expect(log.of('Reconnecting')[0]).toMatchObject({ attempt: 1, delay: 1000 });
    expect(gap(server)).toBeGreaterThanOrEqual(1000 - TIMER_SLACK_MS);
    expect(server.upgrades).toHaveLength(2);
  });

  it('Retry-After: 120 is capped by maxDelay: 3000 (#9)', async () => {
    const server = res.server(await UpgradeServer.start(refuse(429, { 'Retry-After': '120' })));
    const conn = res.conn(connect({ url: server.url, retry: { initialDelay: 10, jitter: 0, maxDelay: 3000 } }));
    const log = new EventLog(conn);
    res.add(() => log.stop());

    const scheduled = await log.waitFor('Reconnecting');
    conn.close();

    expect(scheduled).toMatchObject({ attempt: 1, delay: 3000 });
    expect(scheduled.error).toMatchObject({ status: 429, retryAfter: 120_000 });
    await log.waitFor('Closed');
    expect(server.upgrades).toHaveLength(1);
  });

  it('a Retry-After HTTP date is the time left until that date (#9)', async () => {
    const date = new Date(Date.now() + 2_000).toUTCString(); // whole seconds: 1–2 s from now
    const server = res.server(await UpgradeServer.start(refuse(429, { 'Retry-After': date })));

    const log = await twoAttempts(server, { initialDelay: 10, jitter: 0 });

    const error = errorOf(log.of('Disconnected')[0]!);
    expect(error.headers?.['retry-after']).toBe(date);
    expect(error.retryAfter).toBeGreaterThan(500);
    expect(error.retryAfter).toBeLessThanOrEqual(2000);
    const { delay } = log.of('Reconnecting')[0]!;
    expect(delay).toBe(error.retryAfter);
    expect(gap(server)).toBeGreaterThanOrEqual(delay - TIMER_SLACK_MS);
    expect(server.upgrades).toHaveLength(2);
  });

  it('429 without Retry-After: the plain backoff (#9)', async () => {
    const server = res.server(await UpgradeServer.start(refuse(429)));

    const log = await twoAttempts(server, { initialDelay: 10, jitter: 0 });

    const error = errorOf(log.of('Disconnected')[0]!);
    expect(error.status).toBe(429);
    expect(error.headers?.['content-length']).toBe('0');
    expect(error.retryAfter).toBeUndefined();
    expect(log.of('Reconnecting')[0]).toMatchObject({ attempt: 1, delay: 10 });
    expect(gap(server)).toBeLessThan(1000);
    expect(server.upgrades).toHaveLength(2);
  });

  it('Retry-After on another status (500) is reported but not honoured (#9)', async () => {
    const server = res.server(await UpgradeServer.start(refuse(500, { 'Retry-After': '5' })));

    const log = await twoAttempts(server, { initialDelay: 10, jitter: 0 });

    expect(errorOf(log.of('Disconnected')[0]!)).toMatchObject({ status: 500, retryAfter: 5000 });
    expect(log.of('Reconnecting')[0]).toMatchObject({ attempt: 1, delay: 10 });
    expect(gap(server)).toBeLessThan(1000);
  });

  it('a Retry-After shorter than the backoff does not shorten it (#9)', async () => {
    const server = res.server(await UpgradeServer.start(refuse(503, { 'Retry-After': '1' })));
    const conn = res.conn(connect({ url: server.url, retry: { initialDelay: 1500, jitter: 0 } }));
    const log = new EventLog(conn);
    res.add(() => log.stop());

    const scheduled = await log.waitFor('Reconnecting');
    conn.close();

    expect(scheduled).toMatchObject({ attempt: 1, delay: 1500 });
    expect(scheduled.error).toMatchObject({ status: 503, retryAfter: 1000 });
    await log.waitFor('Closed');
    expect(server.upgrades).toHaveLength(1);
  });

  it('a custom retry.delay sees the status and headers, and its result is used as is (#9)', async () => {
    const server = res.server(await UpgradeServer.start(refuse(429, { 'Retry-After': '2' })));
    const seen: Array<{ attempt: number; status?: number; retryAfterHeader?: string; retryAfter?: number }> = [];
    const delay = (attempt: number, error: unknown): number => {
      const e = error as DisconnectError;
      seen.push({ attempt, status: e.status, retryAfterHeader: e.headers?.['retry-after'], retryAfter: e.retryAfter });
      return 50;
    };

    const log = await twoAttempts(server, { delay });

    expect(seen[0]).toEqual({ attempt: 1, status: 429, retryAfterHeader: '2', retryAfter: 2000 });
    expect(log.of('Reconnecting')[0]).toMatchObject({ attempt: 1, delay: 50 });
    expect(gap(server)).toBeGreaterThanOrEqual(50 - TIMER_SLACK_MS);
    expect(gap(server)).toBeLessThan(2000);
    expect(server.upgrades).toHaveLength(2);
  });
});

describe('a subprotocol mismatch', () => {
  const res = new Resources();
  afterEach(() => res.release());

  /** A `ws` server selecting what `select` returns from the requested protocols (false: none). */
  async function wsServer(select: (protocols: Set<string>) => string | false) {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: select });
    wss.on('error', () => undefined);
    wss.on('connection', (socket) => socket.on('error', () => undefined));
    const handshakes = { count: 0 };
    wss.on('headers', () => handshakes.count++);
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    res.server({
      close: () => {
        for (const client of wss.clients) client.terminate();
        return new Promise<void>((resolve) => wss.close(() => resolve()));
      },
    });
    return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, handshakes };
  }

  /** Expects the fatal sequence with a subprotocol mismatch; returns the error. */
  function expectFatalMismatch(log: EventLog): DisconnectError {
    expect(log.types).toEqual(['Connecting', 'Disconnected', 'Closed']);
    const lost = log.of('Disconnected')[0]!;
    expect(lost).toMatchObject({ reason: 'fatal', permanent: true, attempt: 0 });
    const error = errorOf(lost);
    expect(error.subprotocolMismatch).toBe(true);
    const closed = log.of('Closed')[0]!;
    expect(closed.reason).toBe('fatal');
    expect(closed.error).toBe(error);
    return error;
  }

  it('client asks for [v2], the ws server selects none → Disconnected{permanent}, Closed{fatal}, one upgrade (#9)', async () => {
    const server = await wsServer(() => false);
    const conn = res.conn(connect({ url: server.url, protocols: ['v2'], retry: { initialDelay: 10, jitter: 0 } }));
    const log = new EventLog(conn);
    res.add(() => log.stop());

    await log.waitFor('Closed');

    expect(expectFatalMismatch(log).message).toMatch(/no subprotocol/);
    expect(server.handshakes.count).toBe(1);
  });

  it('control: the ws server selecting the requested v2 connects (#9)', async () => {
    const server = await wsServer((protocols) => (protocols.has('v2') ? 'v2' : false));
    const conn = res.conn(connect({ url: server.url, protocols: ['v1', 'v2'] }));
    const log = new EventLog(conn);
    res.add(() => log.stop());

    await log.waitFor('Connected');

    expect(log.types).toEqual(['Connecting', 'Connected']);
    expect(server.handshakes.count).toBe(1);
  });

  it.each([
    ['[v2]', ['v2']],
    ['no protocol', undefined],
  ])('client asks for %s, a raw server selects v9 nobody requested → fatal, one upgrade (#9)', async (_what, protocols) => {
    const server = res.server(await UpgradeServer.start(acceptWithProtocol('v9')));
    const conn = res.conn(connect({ url: server.url, protocols, retry: { initialDelay: 10, jitter: 0 } }));
    const log = new EventLog(conn);
    res.add(() => log.stop());

    await log.waitFor('Closed');

    expect(expectFatalMismatch(log).message).toMatch(/subprotocol/);
    expect(server.upgrades).toHaveLength(1);
  });

  it('with a shouldRetry that returns true, a mismatch is retried (#9)', async () => {
    const server = res.server(await UpgradeServer.start(acceptWithProtocol('v9')));
    const conn = res.conn(
      connect({ url: server.url, protocols: ['v2'], retry: { initialDelay: 10, jitter: 0, shouldRetry: () => true } }),
    );
    const log = new EventLog(conn);
    res.add(() => log.stop());

    await log.waitFor('Disconnected', { where: (e) => e.attempt === 1 });
    conn.close();
    await log.waitFor('Closed');

    const first = log.of('Disconnected')[0]!;
    expect(first).toMatchObject({ reason: 'error', permanent: false, attempt: 0 });
    expect(errorOf(first).subprotocolMismatch).toBe(true);
    expect(log.of('Reconnecting')[0]).toMatchObject({ attempt: 1, delay: 10 });
    expect(log.of('Closed')[0]!.reason).toBe('manual');
    expect(server.upgrades).toHaveLength(2);
  });
});

describe('a subprotocol mismatch on the testing transport', () => {
  it.each([
    ['accept(other) when the client asked for [v2]', ['v2'], 'other'],
    ['accept("") when the client asked for [v2]', ['v2'], ''],
    ['accept(v1) when the client asked for none', undefined, 'v1'],
  ])('%s → Disconnected{fatal, permanent}, Closed{fatal} (#9)', (_what, protocols, selected) => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { protocols }, { mode: 'manual' });
      h.at(5, () => h.server.accept(selected));
      scheduler.flush();
      expect(h.timeline).toEqual([
        [0, 'Connecting 0'],
        [5, 'Disconnected fatal 0 p'],
        [5, 'Closed fatal 0'],
      ]);
      expect((h.events[1] as DisconnectedEvent).error).toMatchObject({ subprotocolMismatch: true });
      expect(h.server.connections).toHaveLength(1);
    });
  });

  it.each([
    [['v2'], 'other', 'server selected subprotocol other, which was not requested'],
    ['v2', 'other', 'server selected subprotocol other, which was not requested'],
    [['v2'], '', 'server selected no subprotocol'],
    [undefined, 'v1', 'server selected subprotocol v1 but none was requested'],
    [[], 'v1', 'server selected subprotocol v1 but none was requested'],
  ])('asked for %j, accept(%j): the error says "%s"', (protocols, selected, message) => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { protocols }, { mode: 'manual' });
      h.at(5, () => h.server.accept(selected));
      scheduler.flush();
      expect(errorOf(h.events[1] as DisconnectedEvent).message).toBe(`error: ${message}`);
    });
  });

  it.each([
    [[], ''],
    ['v2', 'v2'],
  ])('asked for %j, accept(%j): no mismatch', (protocols, selected) => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { protocols }, { mode: 'manual' }, 50);
      h.at(5, () => h.server.accept(selected));
      scheduler.flush();
      expect(h.timeline[1]).toEqual([5, 'Connected']);
    });
  });

  it('control: accept(v2) when the client asked for [v1, v2] connects (#9)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { protocols: ['v1', 'v2'] }, { mode: 'manual' }, 50);
      h.at(5, () => h.server.accept('v2'));
      scheduler.flush();
      expect(h.timeline).toEqual([
        [0, 'Connecting 0'],
        [5, 'Connected'],
        [50, 'Disconnected manual 0 p'],
        [50, 'Closed manual 0'],
      ]);
    });
  });
});
