import { LAME_DUCK_AVOID_MS, ServerPool } from '../../../lib/nats/server-pool';

const A = 'ws://127.0.0.1:1001';
const B = 'ws://127.0.0.1:1002';
const C = 'ws://127.0.0.1:1003';

describe('ServerPool', () => {
  let now = 0;
  const clock = (): number => now;
  beforeEach(() => (now = 0));

  it('sticks to the server that works and moves on after a failure, wrapping around (#9 nats)', () => {
    const pool = new ServerPool([A, B, C], clock);
    expect([pool.pick(), pool.pick()]).toEqual([A, A]);
    pool.failed();
    expect([pool.pick(), pool.pick()]).toEqual([B, B]);
    pool.failed();
    expect(pool.pick()).toBe(C);
    pool.failed();
    expect(pool.pick()).toBe(A);
  });

  it('adds discovered host:port entries once, with the scheme of the configured servers (#9 nats)', () => {
    const pool = new ServerPool(['ws://127.0.0.1:1001/'], clock);
    expect(pool.discover(['127.0.0.1:1001', '127.0.0.1:1002', '127.0.0.1:1002', '[::1]:1003'])).toEqual([
      'ws://127.0.0.1:1002',
      'ws://[::1]:1003',
    ]);
    expect(pool.servers).toEqual(['ws://127.0.0.1:1001/', 'ws://127.0.0.1:1002', 'ws://[::1]:1003']);
    expect(new ServerPool(['wss://h:443'], clock).discover(['h:443', 'k:443'])).toEqual(['wss://k:443']);
  });

  it('skips a lame server while another is known, for the lame-duck period only (#9 nats)', () => {
    const pool = new ServerPool([A, B], clock);
    expect(pool.pick()).toBe(A);
    pool.setLame(A, true);
    expect(pool.lame(A)).toBe(true);
    expect(pool.hasAlternativeTo(A)).toBe(true);
    expect(pool.pick()).toBe(B);
    pool.failed(); // B fails: A is lame, so B again
    expect(pool.pick()).toBe(B);
    now = LAME_DUCK_AVOID_MS;
    expect(pool.lame(A)).toBe(false);
    pool.failed();
    expect(pool.pick()).toBe(A);
  });

  it('uses a lame server when every server is lame (#9 nats)', () => {
    const pool = new ServerPool([A, B], clock);
    pool.setLame(A, true);
    pool.setLame(B, true);
    expect(pool.hasAlternativeTo(A)).toBe(false);
    expect(pool.pick()).toBe(A);
    pool.setLame(A, false); // it spoke again without ldm
    expect(pool.lame(A)).toBe(false);
  });

  it('ends a lame mark when another server lists that server in connect_urls again (#9 nats)', () => {
    const pool = new ServerPool([A, B], clock);
    pool.setLame(A, true);
    pool.listed(['127.0.0.1:1002']); // B's INFO without A: A is still in lame-duck mode
    expect(pool.lame(A)).toBe(true);
    pool.listed(['127.0.0.1:1001', '127.0.0.1:1002', '127.0.0.1:9999']); // A is back
    expect(pool.lame(A)).toBe(false);
    expect(pool.servers).toEqual([A, B]); // listing adds nothing
  });

  it('alternativeTo() names the next server that is not lame without moving; prefer() makes the next pick() return it once (#19)', () => {
    const pool = new ServerPool([A, B, C], clock);
    expect(pool.pick()).toBe(A);
    pool.setLame(A, true);
    pool.setLame(B, true);
    expect(pool.alternativeTo(A)).toBe(C);
    expect(pool.pick()).toBe(C); // alternativeTo() changed nothing: pick() skips the lame ones as before
    pool.setLame(B, false);
    expect(pool.alternativeTo(C)).toBe(B); // A is lame: after C comes A, then B
    pool.prefer(B);
    expect(pool.pick()).toBe(B);
    pool.failed();
    expect(pool.pick()).toBe(C); // the preference was for one pick; the cursor moved to B
    pool.prefer(A); // lame by now: ignored
    expect(pool.pick()).toBe(C);
    pool.setLame(C, true);
    expect(pool.alternativeTo(B)).toBeUndefined();
  });
});
