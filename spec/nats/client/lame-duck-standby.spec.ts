import { VirtualTimeScheduler } from 'rxjs';
import type { WebSocketConstructor, WebSocketLike } from '../../../lib';
import { linkSocketConstructor, StandbySlot, StandbySocket } from '../../../lib/nats/standby-socket';

/** The constructor the client gives the core, over a slot. */
const ctorOf = (slot: StandbySlot): WebSocketConstructor => linkSocketConstructor(FakeSocket as unknown as WebSocketConstructor, (url) => slot.take(url), () => true);

/** A socket the test drives: `open()`, `frame()`, `peerClose()`; records what was sent. */
class FakeSocket implements WebSocketLike {
  static made: FakeSocket[] = [];
  readyState = 0;
  binaryType = 'blob';
  onopen: ((event: never) => unknown) | null = null;
  onmessage: ((event: never) => unknown) | null = null;
  onclose: ((event: never) => unknown) | null = null;
  onerror: ((event: never) => unknown) | null = null;
  readonly sent: unknown[] = [];
  closedWith: number | undefined;
  constructor(readonly url: string) {
    FakeSocket.made.push(this);
  }
  send(data: unknown): void {
    this.sent.push(data);
  }
  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    (this.onopen as ((e: unknown) => void) | null)?.({});
  }
  frame(data: string): void {
    (this.onmessage as ((e: unknown) => void) | null)?.({ data });
  }
  peerClose(): void {
    this.readyState = 3;
    (this.onclose as ((e: unknown) => void) | null)?.({ code: 1001, reason: '' });
  }
}

const flushMicrotasks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('StandbySocket and StandbySlot (#19)', () => {
  beforeEach(() => (FakeSocket.made = []));

  it('keeps what the server sends until adopted, then reports open and replays it in order (#19)', async () => {
    const raw = new FakeSocket('ws://b');
    const standby = new StandbySocket('ws://b', raw);
    raw.open();
    raw.frame('INFO {}\r\n');
    raw.frame('PONG\r\n');
    await expect(standby.ready).resolves.toBe(true);
    expect(standby.readyState).toBe(0); // still "connecting" to whoever adopts it
    const seen: string[] = [];
    standby.onopen = (() => seen.push('open')) as WebSocketLike['onopen'];
    standby.onmessage = ((event: { data: string }) => seen.push(event.data)) as WebSocketLike['onmessage'];
    expect(standby.adopt()).toBe(standby);
    expect(seen).toEqual([]); // the core sets its handlers first
    await flushMicrotasks();
    raw.frame('MSG x 1 0\r\n\r\n');
    expect(seen).toEqual(['open', 'INFO {}\r\n', 'PONG\r\n', 'MSG x 1 0\r\n\r\n']);
    expect(standby.readyState).toBe(1);
    standby.send('SUB x 1\r\n');
    expect(raw.sent).toEqual(['SUB x 1\r\n']);
  });

  it('an inspector answers on the socket and decides when it is ready (#19)', async () => {
    const raw = new FakeSocket('ws://b');
    const standby = new StandbySocket('ws://b', raw, (data, send) => {
      if (String(data).startsWith('INFO')) send('CONNECT {}\r\nPING\r\n');
      return String(data).startsWith('PONG') ? true : undefined;
    });
    raw.open();
    raw.frame('INFO {}\r\n');
    expect(raw.sent).toEqual(['CONNECT {}\r\nPING\r\n']);
    raw.frame('PONG\r\n');
    await expect(standby.ready).resolves.toBe(true);
  });

  it('the slot hands its socket to the constructor once, for its URL only; other URLs get a new socket (#19)', async () => {
    const scheduler = new VirtualTimeScheduler();
    const slot = new StandbySlot(FakeSocket as unknown as WebSocketConstructor, undefined, scheduler, 1_000);
    const opening = slot.open('ws://b');
    await flushMicrotasks();
    const raw = FakeSocket.made[0];
    raw.open();
    raw.frame('INFO {}\r\n');
    const standby = await opening;
    expect(standby).toBeInstanceOf(StandbySocket);
    const Ctor = ctorOf(slot);
    const other = new Ctor('ws://c');
    expect(other).toBeInstanceOf(FakeSocket);
    expect(new Ctor('ws://b')).toBe(standby);
    expect(new Ctor('ws://b')).toBeInstanceOf(FakeSocket); // taken already: a fresh socket
    expect(raw.closedWith).toBeUndefined();
  });

  it('the slot closes a socket not taken within its timeout, and one that is not ready in time resolves undefined (#19)', async () => {
    const scheduler = new VirtualTimeScheduler();
    const slot = new StandbySlot(FakeSocket as unknown as WebSocketConstructor, undefined, scheduler, 1_000);
    const opening = slot.open('ws://b');
    await flushMicrotasks();
    FakeSocket.made[0].open();
    FakeSocket.made[0].frame('INFO {}\r\n');
    await opening;
    scheduler.flush(); // the timeout passes: not taken
    expect(FakeSocket.made[0].closedWith).toBe(1000);
    expect(new (ctorOf(slot))('ws://b')).toBeInstanceOf(FakeSocket);

    const silent = slot.open('ws://c');
    await flushMicrotasks();
    scheduler.flush();
    await expect(silent).resolves.toBeUndefined();
    expect(FakeSocket.made.find((s) => s.url === 'ws://c')!.closedWith).toBe(1000);
  });

  it('a standby closed by the server before adoption is not handed over; clear() closes the one held (#19)', async () => {
    const scheduler = new VirtualTimeScheduler();
    const slot = new StandbySlot(FakeSocket as unknown as WebSocketConstructor, undefined, scheduler, 1_000);
    const opening = slot.open('ws://b');
    await flushMicrotasks();
    FakeSocket.made[0].open();
    FakeSocket.made[0].frame('INFO {}\r\n');
    const standby = (await opening)!;
    FakeSocket.made[0].peerClose();
    expect(standby.available).toBe(false);
    expect(new (ctorOf(slot))('ws://b')).not.toBe(standby);

    const again = slot.open('ws://c');
    await flushMicrotasks();
    const raw = FakeSocket.made.find((s) => s.url === 'ws://c')!;
    raw.open();
    raw.frame('INFO {}\r\n');
    await again;
    slot.clear();
    expect(raw.closedWith).toBe(1000);
    await expect(slot.open('ws://d')).resolves.toBeUndefined(); // cleared: no more standbys
  });
});
