import type { SchedulerLike } from 'rxjs';
import { connect, type ConnectionEvent } from '../../lib';
import { TestServer, type PingableVirtualWebSocket, type TestServerOptions } from '../../lib/testing';
import { harness } from '../support/harness';
import { testScheduler } from '../support/marbles';
import { limitVirtualTime } from '../support/virtual-time-tripwire';

/**
 * A raw client socket on `server`, logging every handler call as `frame event`, and
 * `call()` to make a client call: any handler that fires while a call runs is a violation.
 */
function client(server: TestServer, scheduler: SchedulerLike) {
  const socket = new server.WebSocket('ws://test') as PingableVirtualWebSocket;
  const log: string[] = [];
  const violations: string[] = [];
  let inside: string | undefined;
  const record = (entry: string): void => {
    if (inside !== undefined) violations.push(`${entry} fired inside ${inside}()`);
    log.push(`${scheduler.now()} ${entry}`);
  };
  socket.onopen = () => record('open');
  socket.onmessage = (event: { data: unknown }) => record(`message ${String(event.data)}`);
  socket.onerror = (event: { message: string }) => record(`error ${event.message}`);
  socket.onclose = (event: { code: number }) => record(`close ${event.code}`);
  if (typeof socket.on === 'function') socket.on('pong', () => record('pong'));
  const call = (name: string, action: () => void): void => {
    inside = name;
    try {
      action();
    } finally {
      inside = undefined;
    }
  };
  return { socket, log, violations, call };
}

/** Runs `action` at virtual frame `frame`. */
function at(scheduler: SchedulerLike, frame: number, action: () => void): void {
  scheduler.schedule(action, frame - scheduler.now());
}

describe('TestServer delivers through its scheduler, never inside the call that caused it', () => {
  it('a server that replies and drops from messages$ reaches the client only after its send() has returned (#8 item 26)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const server = new TestServer({ pings: true });
      server.messages$.subscribe(({ connection, message }) => {
        connection.send(`echo ${String(message)}`);
        if (message === 'bye') connection.drop(1001, 'going away');
      });
      const c = client(server, scheduler);
      at(scheduler, 10, () => {
        c.call('send', () => c.socket.send('hi'));
        c.call('ping', () => c.socket.ping());
        c.call('send', () => c.socket.send('bye'));
        // The server has the frames at once; the client has seen nothing of its reaction yet.
        expect(server.last.received).toEqual(['hi', 'bye']);
        expect(c.log).toEqual(['0 open']);
      });
      scheduler.flush();
      expect(c.violations).toEqual([]);
      expect(c.log).toEqual(['0 open', '10 message echo hi', '10 pong', '10 message echo bye', '10 close 1001']);
    });
  });

  it('conn.send() returns before the server’s reply and drop reach messages$ and events$, in the same frame (#8 item 26)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<{ echo: string }, string>(scheduler, {}, {}, 1_000);
      h.server.messages$.subscribe(({ connection, message }) => {
        connection.send({ echo: message });
        connection.drop();
      });
      let inSend = false;
      const seen: string[] = [];
      h.conn.messages$.subscribe((message) => seen.push(`${scheduler.now()} echo ${message.echo}${inSend ? ' inside send()' : ''}`));
      h.conn.events$.subscribe((event) => {
        if (event.type === 'Disconnected') seen.push(`${scheduler.now()} Disconnected${inSend ? ' inside send()' : ''}`);
      });
      h.at(50, () => {
        inSend = true;
        h.conn.send('hi');
        inSend = false;
      });
      scheduler.flush();
      expect(seen).toEqual(['50 echo hi', '50 Disconnected', '1000 Disconnected']);
      expect(h.timeline.slice(0, 4)).toEqual([
        [0, 'Connecting 0'],
        [0, 'Connected'],
        [50, 'Disconnected error 0'],
        [50, 'Reconnecting 1 100'],
      ]);
    });
  });

  it('two sends then a drop arrive in that order, in the frame they were made, none inside the call (#8 item 26)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const server = new TestServer();
      const c = client(server, scheduler);
      at(scheduler, 20, () => {
        server.last.send('a');
        server.send({ b: 2 });
        server.drop(4000, 'done');
        expect(c.log).toEqual(['0 open']);
        // Closed for the server at once; the client still sees an open socket.
        expect(server.open).toEqual([]);
        expect(server.last.readyState).toBe(1);
        server.last.send('after the drop: never sent');
      });
      scheduler.flush();
      expect(c.log).toEqual(['0 open', '20 message a', '20 message {"b":2}', '20 close 4000']);
      expect(server.last.readyState).toBe(3);
    });
  });

  it('accept() and refuse() reach the client through the scheduler; the server sees them at once (#8 item 26)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const server = new TestServer({ mode: 'manual' });
      const first = client(server, scheduler);
      const second = client(server, scheduler);
      const third = client(server, scheduler);
      at(scheduler, 5, () => {
        server.accept('v1');
        server.refuse(404); // the oldest still pending: the second
        server.connections[2]!.accept();
        expect([first.log, second.log, third.log]).toEqual([[], [], []]);
        expect(server.connections.map((connection) => [connection.isOpen, connection.isPending, connection.readyState])).toEqual([
          [true, false, 0],
          [false, false, 0],
          [true, false, 0],
        ]);
        expect(() => server.accept()).toThrow('TestServer: no pending connection to accept');
        server.connections[2]!.send('hello');
      });
      scheduler.flush();
      expect(first.log).toEqual(['5 open']);
      expect(first.socket.protocol).toBe('v1');
      expect(second.log).toEqual(['5 error Unexpected server response: 404', '5 close 1006']);
      expect(third.log).toEqual(['5 open', '5 message hello']);
    });
  });

  it('a frame or close scheduled for a socket the client closed meanwhile is dropped silently (#8 item 26)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const server = new TestServer({ mode: 'manual' });
      const c = client(server, scheduler);
      at(scheduler, 5, () => server.accept());
      at(scheduler, 10, () => {
        server.last.send('late');
        c.call('close', () => c.socket.close(1000, 'bye'));
        server.last.drop(1011); // ignored: the client's close reached the server first
        expect(server.last.closeCode).toBe(1000);
        expect(server.last.isOpen).toBe(false);
      });
      scheduler.flush();
      expect(c.violations).toEqual([]);
      expect(c.log).toEqual(['5 open', '10 close 1000']);
    });
  });

  it('terminate() and close() fire onclose through the scheduler, once (#8 item 26)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const server = new TestServer({ pings: true });
      const terminated = client(server, scheduler);
      const closed = client(server, scheduler);
      at(scheduler, 10, () => {
        terminated.call('terminate', () => terminated.socket.terminate());
        expect(terminated.socket.readyState).toBe(2);
        terminated.call('close', () => terminated.socket.close(1000));
        closed.call('close', () => closed.socket.close(1000));
        closed.call('terminate', () => closed.socket.terminate());
        expect(server.open).toEqual([]);
      });
      scheduler.flush();
      expect([...terminated.violations, ...closed.violations]).toEqual([]);
      expect(terminated.log).toEqual(['0 open', '10 close 1006']);
      expect(closed.log).toEqual(['0 open', '10 close 1000']);
      expect(server.connections.map((connection) => connection.closeCode)).toEqual([1005, 1000]);
    });
  });
});

describe('TestServer stops a run whose connection was never closed', () => {
  /** A connection to a refusing server that nothing closes, as in a test that forgot `close()`. */
  function forgottenConnection(serverOptions: TestServerOptions): { server: TestServer; events: ConnectionEvent[] } {
    const server = new TestServer({ mode: 'refuse', ...serverOptions });
    const conn = connect({ url: 'ws://test', WebSocket: server.WebSocket });
    const events: ConnectionEvent[] = [];
    conn.events$.subscribe((event) => events.push(event));
    return { server, events };
  }

  it('a refused connection that is never closed makes run() throw, saying so, with no action left (#8 item 27)', () => {
    const scheduler = testScheduler();
    let server: TestServer | undefined;
    let events: ConnectionEvent[] = [];
    expect(() =>
      scheduler.run(() => {
        ({ server, events } = forgottenConnection({ maxConnections: 50 }));
      }),
    ).toThrow(
      new Error(
        'TestServer: more than 50 connections — the connection was never closed? ' +
          'Call conn.close() at the end of the test, or raise maxConnections',
      ),
    );
    expect(server!.connections).toHaveLength(51);
    expect(server!.last.isPending).toBe(true);
    expect(events.filter((event) => event.type === 'Connecting')).toHaveLength(51);
    expect(scheduler.actions).toEqual([]);
  });

  it('with the default maxConnections, the forgotten close() ends the run with that error (#8 item 27)', () => {
    const scheduler = testScheduler();
    // 10 001 connections take a few seconds of wall time, more on a loaded machine: the
    // tripwire's wall-clock bound must not be what ends this run (the test asserts the server's).
    limitVirtualTime(scheduler, { maxWallMs: 120_000 });
    let server: TestServer | undefined;
    expect(() =>
      scheduler.run(() => {
        ({ server } = forgottenConnection({}));
      }),
    ).toThrow('TestServer: more than 10000 connections — the connection was never closed?');
    expect(server!.maxConnections).toBe(10_000);
    expect(server!.connections).toHaveLength(10_001);
    expect(scheduler.actions).toEqual([]);
  }, 120_000);

  it('a connection closed after exactly maxConnections connections ends the run normally (#8 item 27)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { circuitBreaker: false }, {
        maxConnections: 5,
        mode: (connection) => {
          if (connection.index === 4) scheduler.schedule(() => h.conn.close());
          return 'refuse';
        },
      });
      scheduler.flush();
      expect(h.server.connections).toHaveLength(5);
      expect(h.events.at(-1)?.type).toBe('Closed');
    });
  });

  it('a link that stays up with a heartbeat and is never closed stops the run after maxVirtualTime (#8 item 27)', () => {
    for (const pings of [true, false]) {
      const scheduler = testScheduler();
      let server: TestServer | undefined;
      const heartbeat = pings ? { interval: 1_000 } : { interval: 1_000, message: 'ping', isPong: (m: unknown) => m === 'pong' };
      expect(() =>
        scheduler.run(() => {
          server = new TestServer({ pings, maxVirtualTime: 60_000 });
          if (!pings) server.messages$.subscribe(({ connection }) => connection.send('pong'));
          connect({ url: 'ws://test', WebSocket: server.WebSocket, heartbeat });
        }),
      ).toThrow(
        'TestServer: a client still active after 60000 ms — the connection was never closed? ' +
          'Call conn.close() at the end of the test, or raise maxVirtualTime',
      );
      expect(server!.connections).toHaveLength(1);
      expect(scheduler.now()).toBe(61_000);
      expect(scheduler.actions).toEqual([]);
    }
  });

  it('a test that closes its connection before maxVirtualTime is not affected by it (#8 item 27)', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, { heartbeat: { interval: 1_000 } }, { pings: true, maxVirtualTime: 60_000 }, 59_999);
      scheduler.flush();
      expect(h.server.connections[0]!.pings).toBe(59);
      expect(h.events.at(-1)?.type).toBe('Closed');
    });
  });
});
