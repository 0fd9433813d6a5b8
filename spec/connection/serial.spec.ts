import { queueScheduler } from 'rxjs';
import { Serial } from '../../lib/connection/serial';
import { harness } from '../support/harness';
import { testScheduler } from '../support/marbles';

/**
 * Why the connection's deliveries run on a queue of its own ({@link Serial}) rather than on
 * rxjs's `queueScheduler` (#18 asked for the latter "unless a failing test shows why it cannot
 * serve"). `queueScheduler` is one queue for the whole process: inside any action of it (the
 * user's own `observeOn(queueScheduler)`, `of(x, queueScheduler)`, a `repeat`/`expand` on it),
 * every `schedule()` waits for that action to end. So events caused by a call made there would
 * arrive after the call returned, out of step with `state`; and an action that throws makes it
 * drop every action queued behind it.
 */
describe('Serial: the connection’s own delivery queue (#18)', () => {
  it('a call made inside the user’s own queueScheduler work delivers its events before it returns', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const h = harness(scheduler, {}, {}, 1_000);
      const seen: Array<[string, string]> = [];
      h.at(100, () =>
        queueScheduler.schedule(() => {
          h.conn.close();
          // What a user reads right after close(): the event was delivered, the state folded.
          seen.push([h.timeline[h.timeline.length - 1]![1], h.conn.state]);
        }),
      );
      scheduler.flush();
      expect(seen).toEqual([['Closed manual 0', 'closed']]);
    });
  });

  it('(what queueScheduler would do) a delivery scheduled on it inside user work waits until that work ends', () => {
    const order: string[] = [];
    queueScheduler.schedule(() => {
      queueScheduler.schedule(() => order.push('delivered'));
      order.push('call returned');
    });
    expect(order).toEqual(['call returned', 'delivered']);
  });

  it('(what queueScheduler would do) an action that throws drops every action queued behind it', () => {
    const order: string[] = [];
    expect(() =>
      queueScheduler.schedule(() => {
        queueScheduler.schedule(() => {
          throw new Error('a bug in one delivery');
        });
        queueScheduler.schedule(() => order.push('second delivery'));
      }),
    ).toThrow('a bug in one delivery');
    expect(order).toEqual([]);
  });

  it('Serial runs every queued delivery even when one throws, then reports the error', () => {
    const serial = new Serial();
    const order: string[] = [];
    expect(() =>
      serial.run(() => {
        serial.deliver(() => {
          throw new Error('a bug in one delivery');
        });
        serial.deliver(() => order.push('second delivery'));
      }),
    ).toThrow('a bug in one delivery');
    expect(order).toEqual(['second delivery']);
  });

  it('work runs at once, also from inside a delivery; what it delivers waits for the delivery in progress', () => {
    const serial = new Serial();
    const order: string[] = [];
    serial.run(() => {
      serial.deliver(() => {
        order.push('delivery 1 starts');
        serial.run(() => {
          order.push('nested work runs at once');
          serial.deliver(() => order.push('delivery 3'));
        });
        order.push('delivery 1 ends');
      });
      serial.deliver(() => order.push('delivery 2'));
      order.push('outer work ends');
    });
    expect(order).toEqual(['outer work ends', 'delivery 1 starts', 'nested work runs at once', 'delivery 1 ends', 'delivery 2', 'delivery 3']);
  });
});
