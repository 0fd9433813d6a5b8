import { connect, type DisconnectedEvent, type WebSocketConstructor } from '../../lib';
import { testScheduler } from '../support/marbles';

/**
 * A WebSocket constructor that throws (a malformed URL, a transport that refuses) fails the
 * attempt like any socket error: `Disconnected{reason: 'error'}` carrying what it threw, and the
 * connection retries. Whatever it throws, describing it cannot throw in turn.
 */

/** The first `Disconnected` of a connection whose WebSocket constructor throws `thrown`. */
function firstLoss(thrown: () => unknown): DisconnectedEvent {
  const scheduler = testScheduler();
  return scheduler.run(() => {
    const Throwing = function () {
      throw thrown();
    } as unknown as WebSocketConstructor;
    const conn = connect({ url: 'ws://test', WebSocket: Throwing, heartbeat: false, retry: { jitter: 0 } });
    let loss: DisconnectedEvent | undefined;
    conn.events$.subscribe((e) => {
      if (e.type === 'Disconnected') loss ??= e;
    });
    scheduler.schedule(() => conn.close(), 1_000);
    scheduler.flush();
    return loss!;
  });
}

describe('a WebSocket constructor that throws', () => {
  it('fails the attempt with what it threw (retried, not fatal)', () => {
    const bad = new Error('bad url');
    const loss = firstLoss(() => bad);
    expect(loss).toMatchObject({ reason: 'error', permanent: false, attempt: 0 });
    expect(loss.error).toMatchObject({ reason: 'error', cause: bad, message: 'error: bad url' });
  });

  it.each([
    ['a string', () => 'boom', 'error: boom'],
    ['an object with a string message', () => ({ message: 'from an object' }), 'error: from an object'],
    [
      'an Error whose message getter throws',
      () =>
        Object.defineProperty(new Error(), 'message', {
          get() {
            throw new Error('getter');
          },
        }),
      'error: unprintable error',
    ],
    [
      'an object that cannot be printed',
      () => ({
        toString() {
          throw new Error('toString');
        },
      }),
      'error: unprintable error',
    ],
  ])('%s: described in the error message, never thrown', (_what, thrown, message) => {
    expect((firstLoss(thrown).error as Error).message).toBe(message);
  });
});
