import { connect, DisconnectError } from '../../lib';
import { tcpOf, WsTestServer } from '../support/ws-server';
import { EventLog, FAST_RETRY, Resources } from '../support/until';

/** A server-to-client close frame carrying 1005, a code that must never be sent on the wire. */
const INVALID_CLOSE_FRAME = Buffer.from([0x88, 0x02, 0x03, 0xed]);
/** A text frame with RSV1 set although no extension was negotiated. */
const RSV1_TEXT_FRAME = Buffer.from([0xc1, 0x02, 0x7b, 0x7d]);

describe('peers that break the WebSocket protocol', () => {
  const res = new Resources();
  afterEach(() => res.release());

  it.each([
    ['an invalid close code', INVALID_CLOSE_FRAME, /invalid status code 1005/],
    ['a frame with a reserved bit set', RSV1_TEXT_FRAME, /RSV1 must be clear/],
  ])('%s: no crash, Disconnected{error} with the cause, then a reconnect', async (_what, frame, message) => {
    const server = res.server(
      await WsTestServer.start({ onConnection: (c) => c.index === 0 && tcpOf(c.socket).write(frame) }),
    );
    const tracker = res.tracker();
    const conn = res.conn(connect({ url: server.url, retry: FAST_RETRY, WebSocket: tracker.WebSocket }));
    const log = new EventLog(conn);
    res.add(() => log.stop());

    await log.waitFor('SubscriptionsRestored');

    const lost = log.of('Disconnected')[0]!;
    expect(lost).toMatchObject({ reason: 'error', code: 1006, permanent: false, attempt: 0 });
    expect((lost.error as DisconnectError).cause).toBeInstanceOf(RangeError);
    expect(String((lost.error as DisconnectError).cause)).toMatch(message);
    expect(log.types).toEqual([
      'Connecting',
      'Connected',
      'Disconnected',
      'Reconnecting',
      'Connecting',
      'Reconnected',
      'SubscriptionsRestored',
    ]);
    await server.connection(1);
  });

  it('a malformed frame arriving after close() cannot crash the process', async () => {
    const server = res.server(await WsTestServer.start());
    const tracker = res.tracker();
    const conn = res.conn(connect({ url: server.url, retry: FAST_RETRY, WebSocket: tracker.WebSocket }));
    const log = new EventLog(conn);
    res.add(() => log.stop());
    await log.waitFor('Connected');
    const tcp = tcpOf((await server.connection(0)).socket);

    tcp.pause(); // the server does not read our close frame yet…
    conn.close();
    tcp.write(INVALID_CLOSE_FRAME); // …and sends garbage first,
    tcp.resume(); // then reads the close frame and answers it.

    // The client's ws emits 'error' with nobody but the library listening; the process lives on.
    await tracker.allClosed();
    expect(tracker.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/invalid status code 1005/) })]);
    expect(log.types).toEqual(['Connecting', 'Connected', 'Disconnected', 'Closed']);
  });

  /**
   * `close()` on a link whose peer has stopped reading (network gone, TCP half-open) would leave
   * the client socket CLOSING, with ws' 30 s close timer holding the process, long after `Closed`;
   * the library terminates it after a short grace period (CLOSE_GRACE_MS).
   * DESIGN.md: "After close() no timer, socket or listener is left".
   */
  it('close() with an unresponsive peer does not leave the socket open (ws would wait 30 s for its close frame)', async () => {
    const server = res.server(await WsTestServer.start());
    const tracker = res.tracker();
    const conn = res.conn(connect({ url: server.url, retry: FAST_RETRY, WebSocket: tracker.WebSocket }));
    const log = new EventLog(conn);
    res.add(() => log.stop());
    await log.waitFor('Connected');
    tcpOf((await server.connection(0)).socket).pause(); // the peer vanished without a FIN

    conn.close();

    expect(log.types).toEqual(['Connecting', 'Connected', 'Disconnected', 'Closed']);
    // Closed is out; the socket must follow within a short grace period, not ws' 30 s.
    await tracker.allClosed(2_500);
  });
});
