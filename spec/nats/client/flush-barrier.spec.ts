import { Observable } from 'rxjs';
import { FlushBarrier } from '../../../lib/nats/flush-barrier';

function setup(): { barrier: FlushBarrier; pings: () => number; flush: () => { done: () => boolean; error: () => unknown; stop: () => void } } {
  let pings = 0;
  const barrier = new FlushBarrier(() => pings++);
  const flush = () => {
    let done = false;
    let error: unknown;
    const sub = new Observable<void>((subscriber) => barrier.add(subscriber)).subscribe({
      complete: () => (done = true),
      error: (e: unknown) => (error = e),
    });
    return { done: () => done, error: () => error, stop: () => sub.unsubscribe() };
  };
  return { barrier, pings: () => pings, flush };
}

describe('FlushBarrier', () => {
  it('settles flushes in order, one per PONG of the live link (#9 nats)', () => {
    const { barrier, pings, flush } = setup();
    barrier.linkLive();
    const a = flush();
    const b = flush();
    expect(pings()).toBe(2);
    barrier.pong();
    expect([a.done(), b.done()]).toEqual([true, false]);
    barrier.pong();
    expect(b.done()).toBe(true);
  });

  it('ignores a PONG before its link is live, and re-sends the PING of a flush whose link was lost (#9 nats)', () => {
    const { barrier, pings, flush } = setup();
    const offline = flush(); // buffered: belongs to the next link
    barrier.pong(); // a PONG of a link still in its handshake/restore: not this flush's
    expect(offline.done()).toBe(false);
    barrier.linkLive();
    barrier.linkLost(); // its PING may have died with the link
    expect(pings()).toBe(2);
    barrier.pong(); // a late PONG while down settles nothing
    expect(offline.done()).toBe(false);
    barrier.linkLive();
    barrier.pong();
    expect(offline.done()).toBe(true);
  });

  it('keeps an unsubscribed flush in line so its PONG is not taken for a later one (#9 nats)', () => {
    const { barrier, flush } = setup();
    barrier.linkLive();
    const early = flush();
    const later = flush();
    early.stop();
    barrier.pong(); // answers early's PING
    expect(later.done()).toBe(false);
    barrier.pong();
    expect(later.done()).toBe(true);
  });

  it('errors waiting flushes on close, and a flush whose PING cannot be sent (#9 nats)', () => {
    const { barrier, flush } = setup();
    const a = flush();
    barrier.close(new Error('closed'));
    expect(String(a.error())).toMatch(/closed/);
    const failing = new FlushBarrier(() => {
      throw new Error('buffer full');
    });
    let error: unknown;
    new Observable<void>((subscriber) => failing.add(subscriber)).subscribe({ error: (e: unknown) => (error = e) });
    expect(String(error)).toMatch(/buffer full/);
  });
});
