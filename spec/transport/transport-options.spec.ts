import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { filter, firstValueFrom, merge, of, Subject, throwError, timeout } from 'rxjs';
import { WebSocketServer, type WebSocket } from 'ws';
import { ConfigError, connect, DisconnectError, type TransportOption } from '../../lib';
import { EventLog, MessageLog, Resources, within, WAIT_MS } from '../support/until';

/** The `transport` option as users write it. */
type Transport = TransportOption;

/** One upgrade request as the server saw it. */
interface Upgrade {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
}

/**
 * A `ws` server on 127.0.0.1 that records every upgrade request's headers and keeps its
 * sockets, so a test can read what the client sent and drop the link to force a new attempt.
 */
class HeaderServer {
  readonly upgrades: Upgrade[] = [];
  readonly sockets: WebSocket[] = [];
  private readonly changed$ = new Subject<void>();

  private constructor(private readonly wss: WebSocketServer) {
    wss.on('error', () => undefined);
    wss.on('connection', (socket, request) => {
      socket.on('error', () => undefined);
      this.upgrades.push({ path: request.url ?? '', headers: request.headers });
      this.sockets.push(socket);
      this.changed$.next();
    });
  }

  static async start(): Promise<HeaderServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    return new HeaderServer(wss);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}`;
  }

  /** Resolves with the `index`-th accepted socket, once it is there. */
  async socket(index: number, ms = WAIT_MS): Promise<WebSocket> {
    await firstValueFrom(
      merge(of(undefined), this.changed$).pipe(
        filter(() => this.sockets.length > index),
        timeout({ first: ms, with: () => throwError(() => new Error(`no server socket #${index} within ${ms} ms`)) }),
      ),
    );
    return this.sockets[index]!;
  }

  /** Terminates every client socket and stops listening. */
  close(): Promise<void> {
    for (const socket of this.wss.clients) socket.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}

describe('transport option: ws client options of every attempt (real ws server on 127.0.0.1)', () => {
  const res = new Resources();
  afterEach(() => res.release());

  it('static transport.headers reach the server’s upgrade request (#9)', async () => {
    const server = res.server(await HeaderServer.start());
    const conn = res.conn(
      connect({ url: server.url, transport: { headers: { 'x-api-key': 'k-123', authorization: 'Bearer static' } } }),
    );
    const log = new EventLog(conn);
    res.add(() => log.stop());

    await log.waitFor('Connected');

    expect(server.upgrades).toHaveLength(1);
    expect(server.upgrades[0]!.headers['x-api-key']).toBe('k-123');
    expect(server.upgrades[0]!.headers.authorization).toBe('Bearer static');
  });

  it('a factory is called before every attempt with that attempt’s number and URL, and its headers are sent (#9)', async () => {
    const server = res.server(await HeaderServer.start());
    const calls: Array<{ attempt: number; url: string }> = [];
    const conn = res.conn(
      connect({
        url: ({ attempt }) => `${server.url}/?a=${attempt}`,
        retry: { initialDelay: 10, jitter: 0 },
        transport: ({ attempt, url }) => {
          calls.push({ attempt, url });
          return { headers: { authorization: `Bearer token-${attempt}` } };
        },
      }),
    );
    const log = new EventLog(conn);
    res.add(() => log.stop());

    await log.waitFor('Connected');
    (await server.socket(0)).terminate(); // drop the link: the client must make attempt 1
    await log.waitFor('SubscriptionsRestored');

    const connecting = log.of('Connecting').map(({ attempt, url }) => ({ attempt, url }));
    expect(connecting).toEqual([
      { attempt: 0, url: `${server.url}/?a=0` },
      { attempt: 1, url: `${server.url}/?a=1` },
    ]);
    expect(calls).toEqual(connecting);
    expect(server.upgrades.map((u) => [u.path, u.headers.authorization])).toEqual([
      ['/?a=0', 'Bearer token-0'],
      ['/?a=1', 'Bearer token-1'],
    ]);
  });

  it('an async factory is awaited: the upgrade starts only once its promise resolved (#9)', async () => {
    const server = res.server(await HeaderServer.start());
    let resolvedAt: number | undefined;
    const conn = res.conn(
      connect({
        url: server.url,
        transport: () =>
          new Promise((resolve) => {
            setTimeout(() => {
              resolvedAt = server.upgrades.length;
              resolve({ headers: { authorization: 'Bearer late' } });
            }, 50);
          }),
      }),
    );
    const log = new EventLog(conn);
    res.add(() => log.stop());

    await log.waitFor('Connected');

    expect(resolvedAt).toBe(0); // no upgrade had reached the server when the promise resolved
    expect(server.upgrades.map((u) => u.headers.authorization)).toEqual(['Bearer late']);
  });

  it.each([
    ['throws', (): never => { throw new Error('token service down'); }],
    ['rejects', (): Promise<never> => Promise.reject(new Error('token service down'))],
  ])('a factory that %s on attempt 0 is a failed attempt that is retried (#9)', async (_how, fail) => {
    const server = res.server(await HeaderServer.start());
    const conn = res.conn(
      connect({
        url: server.url,
        retry: { initialDelay: 10, jitter: 0 },
        transport: ({ attempt }) => (attempt === 0 ? fail() : { headers: { authorization: 'Bearer fresh' } }),
      }),
    );
    const log = new EventLog(conn);
    res.add(() => log.stop());

    await log.waitFor('Connected');

    expect(log.types).toEqual(['Connecting', 'Disconnected', 'Reconnecting', 'Connecting', 'Connected']);
    const lost = log.of('Disconnected')[0]!;
    expect(lost).toMatchObject({ reason: 'error', attempt: 0, permanent: false });
    expect(lost.error).toBeInstanceOf(DisconnectError);
    expect((lost.error as DisconnectError).cause).toEqual(new Error('token service down'));
    expect(log.of('Reconnecting')[0]).toMatchObject({ attempt: 1, delay: 10 });
    expect(server.upgrades.map((u) => u.headers.authorization)).toEqual(['Bearer fresh']);
  });

  it.each([
    ['a string', 'transport', (): unknown => 'headers'],
    ['null', 'transport', (): unknown => null],
    ['a promise of an array', 'transport', (): unknown => Promise.resolve([])],
    ['a non-string header', 'transport.headers.x-n', (): unknown => ({ headers: { 'x-n': 1 } })],
    ['a negative maxPayload', 'transport.maxPayload', (): unknown => ({ maxPayload: -1 })],
  ])('a factory returning %s ends the connection: Closed{fatal} carrying a ConfigError naming %s, no upgrade (#9)', async (_what, field, factory) => {
    const server = res.server(await HeaderServer.start());
    const conn = res.conn(
      connect({ url: server.url, retry: { initialDelay: 10, jitter: 0 }, transport: factory as Transport }),
    );
    const log = new EventLog(conn);
    const inbound = new MessageLog(conn);
    res.add(() => (log.stop(), inbound.stop()));

    const closed = await log.waitFor('Closed');

    expect(log.types).toEqual(['Connecting', 'Disconnected', 'Closed']);
    expect(log.of('Disconnected')[0]).toMatchObject({ reason: 'fatal', permanent: true, attempt: 0 });
    expect(closed.reason).toBe('fatal');
    expect(closed.error).toBeInstanceOf(ConfigError);
    expect(closed.error).toMatchObject({ field });
    expect(server.upgrades).toHaveLength(0);
  });

  it('maxPayload: 1000 lets a 500-byte message through and fails the link on a 2000-byte one (#9)', async () => {
    const server = res.server(await HeaderServer.start());
    const conn = res.conn(
      connect<string, string>({ url: server.url, retry: { initialDelay: 10, jitter: 0 }, transport: { maxPayload: 1000 } }),
    );
    const log = new EventLog(conn);
    const inbound = new MessageLog(conn);
    res.add(() => (log.stop(), inbound.stop()));
    await log.waitFor('Connected');
    const socket = await server.socket(0);
    const serverSawClose = new Promise<number>((resolve) => socket.once('close', (code: number) => resolve(code)));

    socket.send(JSON.stringify('s'.repeat(498))); // 500 bytes
    await inbound.waitFor((m) => m.length === 498, 'the 500-byte message');
    socket.send(JSON.stringify('b'.repeat(1998))); // 2000 bytes
    const lost = await log.waitFor('Disconnected');

    expect(inbound.messages.map((m) => m.length)).toEqual([498]);
    expect(lost).toMatchObject({ permanent: false, attempt: 0 });
    // What Disconnected says: the transport failed the link ("Max payload size exceeded").
    expect(lost.error).toBeInstanceOf(DisconnectError);
    const error = lost.error as DisconnectError;
    expect(String((error.cause as Error | undefined)?.message)).toMatch(/max payload size exceeded/i);
    expect({ reason: lost.reason, code: lost.code }).toEqual({ reason: 'error', code: 1006 });
    // The peer is told why with a 1009 close frame.
    expect(await within(serverSawClose, 'the server socket to close')).toBe(1009);
    // Not fatal: the client reconnects.
    await log.waitFor('SubscriptionsRestored');
  });

  it('perMessageDeflate: false leaves sec-websocket-extensions out of the upgrade request; by default it is offered (#9)', async () => {
    const server = res.server(await HeaderServer.start());
    const plain = res.conn(connect({ url: server.url, transport: { perMessageDeflate: false } }));
    const plainLog = new EventLog(plain);
    res.add(() => plainLog.stop());
    await plainLog.waitFor('Connected');
    const byDefault = res.conn(connect({ url: server.url }));
    const defaultLog = new EventLog(byDefault);
    res.add(() => defaultLog.stop());
    await defaultLog.waitFor('Connected');

    expect(server.upgrades).toHaveLength(2);
    expect(server.upgrades[0]!.headers).not.toHaveProperty('sec-websocket-extensions');
    expect(server.upgrades[1]!.headers['sec-websocket-extensions']).toMatch(/permessage-deflate/);
  });
});

describe('transport option: validation at connect()', () => {
  it.each([
    ['a string', 'transport', 'ws-options'],
    ['an array', 'transport', []],
    ['null', 'transport', null],
    ['headers as an array', 'transport.headers', { headers: [] }],
    ['a non-string header value', 'transport.headers.x', { headers: { x: 1 } }],
    ['an undefined header value', 'transport.headers.x-token', { headers: { 'x-token': undefined } }],
    ['a negative maxPayload', 'transport.maxPayload', { maxPayload: -1 }],
    ['a fractional maxPayload', 'transport.maxPayload', { maxPayload: 1.5 }],
    ['a string maxPayload', 'transport.maxPayload', { maxPayload: '1000' }],
  ])('%s throws ConfigError naming %s synchronously (#9)', (_what, field, transport) => {
    let thrown: unknown;
    try {
      connect({ url: 'ws://127.0.0.1:9', transport: transport as Transport }).close();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(thrown).toMatchObject({ field });
    expect((thrown as Error).message).toContain(field);
  });

  it('valid static options and a factory are accepted (#9)', () => {
    const valid: Transport[] = [{}, { headers: {}, maxPayload: 0, perMessageDeflate: false, origin: 'http://x' }, () => ({})];
    for (const transport of valid) {
      expect(() => connect({ url: 'ws://127.0.0.1:9', transport, retry: false }).close()).not.toThrow();
    }
  });
});
