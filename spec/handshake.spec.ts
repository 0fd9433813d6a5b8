import { firstValueFrom, toArray, takeWhile } from 'rxjs';
import { connect } from '../lib';
import { TestServer } from '../lib/testing';
import { harness } from './support/harness';
import { testScheduler } from './support/marbles';

type Msg = { op?: string; type?: string; token?: string };

describe('handshake', () => {
  it('the link opens (Connected) only once the ack arrives; it is sent first on every link', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(
        scheduler,
        { handshake: { message: () => ({ op: 'auth' }), ack: (m) => m.type === 'welcome' } },
        {},
        1_000,
      );
      h.server.messages$.subscribe(({ connection, message }) => {
        if ((message as Msg).op === 'auth') h.at(scheduler.now() + 20, () => connection.send({ type: 'welcome' }));
      });
      h.conn.send({ op: 'hello' });
      h.at(100, () => h.server.drop());
      scheduler.flush();
      expect(h.timeline.slice(0, 7)).toEqual([
        [0, 'Connecting 0'],
        [20, 'Connected'],
        [100, 'Disconnected error 0'],
        [100, 'Reconnecting 1 100'],
        [200, 'Connecting 1'],
        [220, 'Reconnected 1'],
        [220, 'SubscriptionsRestored 0'],
      ]);
      expect(h.server.connections[0]!.received).toEqual([{ op: 'auth' }, { op: 'hello' }]);
      expect(h.server.connections[1]!.received).toEqual([{ op: 'auth' }]);
    });
  });

  it('a rejected handshake (ack returns an Error) is fatal', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness<Msg, Msg>(
        scheduler,
        { handshake: { message: () => ({ op: 'auth' }), ack: (m) => (m.type === 'denied' ? new Error('bad token') : m.type === 'welcome') } },
        {},
      );
      h.server.messages$.subscribe(({ connection }) => connection.send({ type: 'denied' }));
      scheduler.flush();
      expect(h.timeline).toEqual([
        [0, 'Connecting 0'],
        [0, 'Disconnected fatal 0 p'],
        [0, 'Closed fatal 0'],
      ]);
      expect(h.events[1]).toMatchObject({ error: expect.objectContaining({ reason: 'fatal', cause: new Error('bad token') }) });
    });
  });

  it('a handshake that times out, or whose message throws, is a failed attempt and is retried', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      let calls = 0;
      const h = harness<Msg, Msg>(
        scheduler,
        {
          handshake: {
            message: () => {
              calls++;
              if (calls === 2) throw new Error('token refresh failed');
              return { op: 'auth' };
            },
            ack: (m) => m.type === 'welcome',
            timeout: 500,
          },
        },
        {},
        2_000,
      );
      h.server.messages$.subscribe(({ connection }) => {
        if (calls >= 3) connection.send({ type: 'welcome' });
      });
      scheduler.flush();
      expect(h.timeline.slice(0, 8)).toEqual([
        [0, 'Connecting 0'],
        [500, 'Disconnected timeout 0'],
        [500, 'Reconnecting 1 100'],
        [600, 'Connecting 1'],
        [600, 'Disconnected error 1'],
        [600, 'Reconnecting 2 200'],
        [800, 'Connecting 2'],
        [800, 'Connected'],
      ]);
    });
  });

  it('an ack that throws is a failed attempt (retried), not a crash', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      let throwing = true;
      const h = harness<Msg, Msg>(
        scheduler,
        {
          handshake: {
            message: () => ({ op: 'auth' }),
            ack: (m) => {
              if (throwing) throw new Error('ack broke');
              return m.type === 'welcome';
            },
          },
        },
        {},
        1_000,
      );
      h.server.messages$.subscribe(({ connection }) => connection.send({ type: 'welcome' }));
      h.at(50, () => (throwing = false));
      scheduler.flush();
      expect(h.timeline.slice(0, 5)).toEqual([
        [0, 'Connecting 0'],
        [0, 'Disconnected error 0'],
        [0, 'Reconnecting 1 100'],
        [100, 'Connecting 1'],
        [100, 'Connected'],
      ]);
    });
  });

  it('an async handshake message (token refresh) is awaited before anything else is sent', async () => {
    const server = new TestServer();
    server.messages$.subscribe(({ connection, message }) => {
      if ((message as Msg).op === 'auth') connection.send({ type: 'welcome' });
    });
    const conn = connect<Msg, Msg>({
      url: 'ws://test',
      WebSocket: server.WebSocket,
      handshake: {
        message: async () => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return { op: 'auth', token: 'fresh' };
        },
        ack: (m) => m.type === 'welcome',
      },
    });
    conn.send({ op: 'queued' });
    const types = firstValueFrom(
      conn.events$.pipe(
        takeWhile((e) => e.type !== 'Connected', true),
        toArray(),
      ),
    );
    expect((await types).map((e) => e.type)).toEqual(['Connecting', 'Connected']);
    conn.close();
    expect(server.received).toEqual([{ op: 'auth', token: 'fresh' }, { op: 'queued' }]);
  });
});
