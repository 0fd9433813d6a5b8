import { firstValueFrom } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ClockMixUpError, connect, ofType } from '../../lib';
import { TestServer } from '../../lib/testing';

describe('a connection made on the real clock, closed inside TestScheduler.run() (#11)', () => {
  it('close() throws ClockMixUpError (instead of a real timer crashing the process later), and the connection closes for real right after run() (#11)', async () => {
    const server = new TestServer();
    const conn = connect({ url: 'ws://test', WebSocket: server.WebSocket, heartbeat: { interval: 20, timeout: 10 } });
    await firstValueFrom(conn.events$.pipe(ofType('Connected'))); // real timers run: the heartbeat's interval
    const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    let thrown: unknown;
    testScheduler.run(() => {
      try {
        conn.close();
      } catch (error) {
        thrown = error;
      }
    });
    expect(thrown).toBeInstanceOf(ClockMixUpError);
    expect((thrown as Error).message).toContain('TestBed.inject inside run()');
    expect(conn.state).toBe('connected'); // nothing was cancelled on virtual time
    await firstValueFrom(conn.events$.pipe(ofType('Closed'))); // closed on the real clock
    expect(conn.state).toBe('closed');
    expect(server.connections[0].closeCode).toBe(1000);
  });

  it('a connection made inside run() closes inside run() as usual (#11)', () => {
    const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    testScheduler.run(({ flush }) => {
      const server = new TestServer();
      const conn = connect({ url: 'ws://test', WebSocket: server.WebSocket });
      flush();
      expect(() => conn.close()).not.toThrow();
      expect(conn.state).toBe('closed');
    });
  });
});
