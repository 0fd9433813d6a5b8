import { connect, type Connection, type Serializer, type WebSocketConstructor, type WebSocketLike } from '../../lib';
import { TestServer } from '../../lib/testing';
import { summarize, testScheduler } from '../support/marbles';

/**
 * A buffered send whose flush write fails must stay buffered for the next link, or end in
 * `Closed.unsent`: never dropped silently (issue #18, "Tests first"). The flush takes each
 * entry out of the buffer before writing it; when the write fails, the entry must go back.
 */

const text: Serializer<string, string> = { serialize: (m) => m, deserialize: (d) => String(d) };

/** The server's transport, with a hook run before each `send()` on a socket (by socket index). */
function hookedTransport(
  server: TestServer,
  beforeSend: (socket: number, data: unknown) => void,
): { WebSocket: WebSocketConstructor; sockets: WebSocketLike[] } {
  const Base = server.WebSocket;
  const sockets: WebSocketLike[] = [];
  const Hooked = function (this: unknown, url: string, protocols?: string | string[]): WebSocketLike {
    const socket = new Base(url, protocols);
    const index = sockets.push(socket) - 1;
    const send = socket.send.bind(socket);
    socket.send = (data) => {
      beforeSend(index, data);
      send(data);
    };
    return socket;
  } as unknown as WebSocketConstructor;
  return { WebSocket: Hooked, sockets };
}

/** What a run saw: events, `buffered` at each event, and the frames each server connection received. */
interface Outcome {
  readonly timeline: string[];
  readonly last: unknown;
  readonly bufferedAt: Array<[string, number]>;
  readonly received: unknown[][];
}

/**
 * Connect, lose the link at 10, buffer `a` and `b` at 20: the retry at 120 opens socket 1,
 * which flushes them right after its `SubscriptionsRestored`. `beforeSend` sees every frame
 * the client writes; `onRestored` runs in an `events$` handler of each `SubscriptionsRestored`.
 */
function outageWithTwoBuffered(
  beforeSend: (socket: number, data: unknown) => void,
  onRestored: (sockets: WebSocketLike[], conn: Connection<string, string>) => void = () => undefined,
): Outcome {
  const scheduler = testScheduler();
  return scheduler.run(() => {
    const server = new TestServer();
    const transport = hookedTransport(server, beforeSend);
    const conn = connect<string, string>({
      url: 'ws://test',
      WebSocket: transport.WebSocket,
      serializer: text,
      heartbeat: false,
      retry: { jitter: 0, multiplier: 2 },
    });
    const timeline: string[] = [];
    const bufferedAt: Array<[string, number]> = [];
    let last: unknown;
    conn.events$.subscribe((e) => {
      timeline.push(summarize(e));
      bufferedAt.push([e.type, conn.buffered]);
      last = e;
      if (e.type === 'SubscriptionsRestored') onRestored(transport.sockets, conn);
    });
    scheduler.schedule(() => server.drop(), 10);
    scheduler.schedule(() => {
      conn.send('a');
      conn.send('b');
    }, 20);
    scheduler.schedule(() => conn.close(), 5_000);
    scheduler.flush();
    return { timeline, last, bufferedAt, received: server.connections.map((c) => c.received) };
  });
}

describe('a buffered send whose flush write fails is kept, never dropped (#18)', () => {
  const refuse = (which: string) => {
    let refused = 0;
    const hook = (socket: number, data: unknown): void => {
      if (socket === 1 && data === which && refused++ === 0) throw new Error('the transport refused the frame');
    };
    return { hook, refused: () => refused };
  };

  it('the transport refuses the first flushed frame: the link is lost and both messages go out, in order, on the next link', () => {
    const refusal = refuse('a');
    const run = outageWithTwoBuffered(refusal.hook);
    expect(refusal.refused()).toBe(1);
    expect(run.timeline).toEqual([
      'Connecting 0',
      'Connected',
      'Disconnected error 0',
      'Reconnecting 1 100',
      'Connecting 1',
      'Reconnected 1',
      'SubscriptionsRestored 0',
      'Disconnected error 0', // the refused write lost the link
      'Reconnecting 2 200',
      'Connecting 2',
      'Reconnected 2',
      'SubscriptionsRestored 0',
      'Disconnected manual 0 p',
      'Closed manual 0',
    ]);
    expect(run.bufferedAt.filter(([type]) => type === 'Disconnected' || type === 'Reconnected')).toEqual([
      ['Disconnected', 0],
      ['Reconnected', 2],
      ['Disconnected', 2], // both still buffered after the refused write
      ['Reconnected', 2],
      ['Disconnected', 0],
    ]);
    expect(run.received[1]).toEqual([]);
    expect(run.received[2]).toEqual(['a', 'b']);
  });

  it('the transport refuses the second flushed frame: the first is written once, the second goes out on the next link', () => {
    const refusal = refuse('b');
    const run = outageWithTwoBuffered(refusal.hook);
    expect(refusal.refused()).toBe(1);
    expect(run.received[1]).toEqual(['a']);
    expect(run.received[2]).toEqual(['b']);
    expect(run.last).toMatchObject({ type: 'Closed', reason: 'manual', unsent: [] });
  });

  it('the transport refuses a flushed frame after stopRetry(): the connection ends with both messages in Closed.unsent, oldest first', () => {
    const refusal = refuse('a');
    const run = outageWithTwoBuffered(refusal.hook, (_sockets, conn) => conn.stopRetry());
    expect(refusal.refused()).toBe(1);
    expect(run.received.flat()).toEqual([]);
    expect(run.last).toMatchObject({ type: 'Closed', reason: 'stopped', unsent: ['a', 'b'] });
  });

  it('the socket is already closing when the buffer flushes: both messages stay buffered and go out on the next link', () => {
    let closing = 0;
    const run = outageWithTwoBuffered(
      () => undefined,
      (sockets) => {
        // The socket starts closing between the all-clear and the flush that follows it.
        if (closing++ === 0) sockets[1]!.close(1000);
      },
    );
    expect(run.received[1]).toEqual([]);
    expect(run.received[2]).toEqual(['a', 'b']);
    expect(run.bufferedAt.filter(([type]) => type === 'Disconnected')).toEqual([
      ['Disconnected', 0],
      ['Disconnected', 2],
      ['Disconnected', 0],
    ]);
    expect(run.last).toMatchObject({ type: 'Closed', reason: 'manual', unsent: [] });
  });

  it('the socket is already closing when the buffer flushes, after stopRetry(): both messages end in Closed.unsent', () => {
    const run = outageWithTwoBuffered(
      () => undefined,
      (sockets, conn) => {
        conn.stopRetry();
        sockets[1]!.close(1000);
      },
    );
    expect(run.received.flat()).toEqual([]);
    expect(run.last).toMatchObject({ type: 'Closed', reason: 'stopped', unsent: ['a', 'b'] });
  });
});
