import { firstValueFrom, toArray } from 'rxjs';
import { connect, ConnectionClosedError, DeserializeError } from '../../lib';
import { WsTestServer } from '../support/ws-server';
import { EventLog, FAST_RETRY, MessageLog, Resources, within } from '../support/until';

type In = { ok?: number; echo?: unknown };
type Out = { op: string; n?: number };

describe('inbound frames from a real ws server', () => {
  const res = new Resources();
  afterEach(() => res.release());

  it('malformed JSON and invalid UTF-8 emit InvalidMessage with the raw data; the stream goes on', async () => {
    const server = res.server(
      await WsTestServer.start({
        onMessage: ({ socket }, text) => {
          if (text !== '{"op":"go"}') return;
          socket.send('{not json');
          socket.send(Buffer.from([0xff, 0xfe, 0x7b])); // binary, not UTF-8
          socket.send('{"ok":1}');
        },
      }),
    );
    const tracker = res.tracker();
    const conn = res.conn(connect<In, Out>({ url: server.url, retry: FAST_RETRY, WebSocket: tracker.WebSocket }));
    const log = new EventLog(conn);
    const inbound = new MessageLog(conn);
    res.add(() => (log.stop(), inbound.stop()));

    conn.send({ op: 'go' }); // buffered, flushed once connected
    const ok = await inbound.waitFor((m) => m.ok === 1, '{"ok":1}');

    expect(ok).toEqual({ ok: 1 });
    const invalid = log.of('InvalidMessage');
    expect(invalid).toHaveLength(2);
    expect(invalid[0]!.data).toBe('{not json');
    expect(invalid[0]!.error).toBeInstanceOf(DeserializeError);
    expect((invalid[0]!.error as DeserializeError).cause).toBeInstanceOf(SyntaxError);
    expect(invalid[1]!.data).toBeInstanceOf(ArrayBuffer);
    expect(Array.from(new Uint8Array(invalid[1]!.data as ArrayBuffer))).toEqual([0xff, 0xfe, 0x7b]);
    expect(invalid[1]!.error).toBeInstanceOf(DeserializeError);
    // Only the valid message reached messages$, and the link never dropped.
    expect(inbound.messages).toEqual([{ ok: 1 }]);
    expect(log.types).toEqual(['Connecting', 'Connected', 'InvalidMessage', 'InvalidMessage']);
    expect(await firstValueFrom(conn.state$)).toBe('connected');

    // …and keeps going: another round trip after the garbage.
    conn.send({ op: 'go' });
    await inbound.waitFor(() => inbound.messages.length === 2, 'a second {"ok":1}');
    expect(log.of('InvalidMessage')).toHaveLength(4);
    expect(server.connections).toHaveLength(1);
  });
});

describe('close() against a real ws server', () => {
  const res = new Resources();
  afterEach(() => res.release());

  async function echoSetup() {
    const server = res.server(
      await WsTestServer.start({ onMessage: ({ socket }, text) => socket.send(JSON.stringify({ echo: JSON.parse(text) })) }),
    );
    const tracker = res.tracker();
    const conn = res.conn(connect<In, Out>({ url: server.url, retry: FAST_RETRY, WebSocket: tracker.WebSocket }));
    const log = new EventLog(conn);
    const inbound = new MessageLog(conn);
    res.add(() => (log.stop(), inbound.stop()));
    const states = firstValueFrom(conn.state$.pipe(toArray()));
    return { server, tracker, conn, log, inbound, states };
  }

  it('closes with 1000, completes events$, state$ and messages$, and leaves no socket open', async () => {
    const { server, tracker, conn, log, inbound, states } = await echoSetup();

    conn.send({ op: 'hello', n: 1 });
    expect(await inbound.waitFor((m) => m.echo !== undefined, 'the echo')).toEqual({ echo: { op: 'hello', n: 1 } });
    const serverSide = await server.connection(0);

    conn.close();

    expect(await within(serverSide.closed, 'the server to see the socket close')).toEqual({ code: 1000, reason: '' });
    expect(log.events.slice(-2)).toEqual([
      { type: 'Disconnected', reason: 'manual', code: 1000, permanent: true, attempt: 0, maxAttempts: Infinity },
      { type: 'Closed', reason: 'manual', unsent: [] },
    ]);
    expect(log.eventsCompleted).toBe(true);
    expect(inbound.completed).toBe(true);
    expect(inbound.error).toBeUndefined();
    expect(await states).toEqual(['connecting', 'connected', 'closed']);
    await tracker.allClosed();
    expect(tracker.sockets).toHaveLength(1);

    // Terminal and idempotent.
    expect(() => conn.send({ op: 'late' })).toThrow(ConnectionClosedError);
    expect(() => conn.close()).not.toThrow();
    expect(log.events).toHaveLength(4);
    expect(server.connections).toHaveLength(1);
  });

  it('close(code, reason) sends that application close code and reason', async () => {
    const { server, tracker, conn, log } = await echoSetup();
    await log.waitFor('Connected');
    const serverSide = await server.connection(0);

    conn.close(4001, 'bye');

    expect(await within(serverSide.closed, 'the server to see the socket close')).toEqual({ code: 4001, reason: 'bye' });
    expect(log.of('Disconnected')).toEqual([expect.objectContaining({ reason: 'manual', code: 4001, permanent: true })]);
    await tracker.allClosed();
  });

  it('close() during the opening handshake aborts the attempt and leaves no socket open', async () => {
    const { tracker, conn, log } = await echoSetup();
    await log.waitFor('Connecting');

    conn.close();

    expect(log.types).toEqual(['Connecting', 'Closed']);
    expect(log.of('Closed')[0]).toEqual({ type: 'Closed', reason: 'manual', unsent: [] });
    await tracker.allClosed();
  });
});
