import { closeFrame, FrameCursor } from '../../bench/soak/frame-cursor';
import { reconcile, type StreamRecord } from '../../bench/soak/ledger';
import type { Arrival } from '../../bench/soak/soak-server';

/**
 * The soak (`npm run soak`, issue #16) is only as good as its bookkeeping: these check that its
 * ledger tells at-most-once loss on a dead link from a loss the library cannot explain, and
 * that its proxy finds frame boundaries, so an injected frame never lands inside another.
 */

function stream(accepted: number[], linkLosses: number, lossesBefore: (seq: number) => number = () => 0, unsent: number[] = []): StreamRecord {
  return {
    accepted: accepted.map((seq) => ({ seq, lossesBefore: lossesBefore(seq) })),
    refused: new Set(),
    unsent: new Set(unsent),
    linkLosses,
  };
}

const on = (link: number, ...seqs: number[]): Arrival[] => seqs.map((seq) => ({ seq, link }));

describe('soak ledger: reconcile(streams, arrivals)', () => {
  it('all delivered in order: nothing to report', () => {
    const figures = reconcile(new Map([[1, stream([0, 1, 2], 0)]]), new Map([[1, on(0, 0, 1, 2)]]));
    expect(figures).toMatchObject({ accepted: 3, delivered: 3, duplicated: 0, reordered: 0, lostOnDeadLink: 0, lostUnexplained: 0 });
  });

  it('the tail of a link that died is at-most-once loss; the next link carries on', () => {
    // 0–1 on link 0, 2–3 written to link 0 as it died, 4–5 on link 1.
    const figures = reconcile(
      new Map([[1, stream([0, 1, 2, 3, 4, 5], 1, (seq) => (seq >= 4 ? 1 : 0))]]),
      new Map([[1, [...on(0, 0, 1), ...on(1, 4, 5)]]]),
    );
    expect(figures).toMatchObject({ lostOnDeadLink: 2, lostUnexplained: 0 });
  });

  it('a gap in the middle of one link is unexplained, even if a link died later', () => {
    const figures = reconcile(new Map([[1, stream([0, 1, 2], 1)]]), new Map([[1, on(0, 0, 2)]]));
    expect(figures).toMatchObject({ lostOnDeadLink: 0, lostUnexplained: 1 });
  });

  it('a loss with no link lost after the send is unexplained', () => {
    const figures = reconcile(new Map([[1, stream([0, 1], 1, () => 1)]]), new Map([[1, on(0, 0)]]));
    expect(figures).toMatchObject({ lostUnexplained: 1 });
  });

  it('duplicates, reorders, phantoms and unsent-but-delivered are counted', () => {
    const figures = reconcile(
      new Map([[1, stream([0, 1, 2, 3], 0, () => 0, [3])]]),
      new Map([[1, [...on(0, 0, 2, 1, 1), ...on(1, 3, 9)]]]),
    );
    expect(figures).toMatchObject({ duplicated: 1, reordered: 1, phantom: 1, unsentButDelivered: 1, returnedUnsent: 1 });
  });
});

describe('soak proxy: FrameCursor', () => {
  const head = Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n');
  const text = (payload: string): Buffer => Buffer.concat([Buffer.from([0x81, payload.length]), Buffer.from(payload)]);

  it('finds the end of the HTTP head and of every frame, across chunk cuts', () => {
    const stream = Buffer.concat([head, text('hello'), text(''), Buffer.from([0x82, 126, 0x01, 0x00]), Buffer.alloc(256), closeFrame(1000)]);
    const ends = [head.length, head.length + 7, head.length + 9, head.length + 9 + 4 + 256, stream.length];
    for (const cut of [1, 3, 7, 64, stream.length]) {
      const cursor = new FrameCursor();
      const found: number[] = [];
      for (let at = 0; at < stream.length; at += cut) {
        for (const end of cursor.feed(stream.subarray(at, at + cut))) found.push(at + end);
      }
      expect(found).toEqual(ends);
      expect(cursor.atBoundary()).toBe(true);
    }
  });

  it('is not at a boundary inside the head or inside a frame', () => {
    const cursor = new FrameCursor();
    cursor.feed(head.subarray(0, 10));
    expect(cursor.atBoundary()).toBe(false);
    cursor.feed(head.subarray(10));
    expect(cursor.atBoundary()).toBe(true);
    cursor.feed(text('hello').subarray(0, 4));
    expect(cursor.atBoundary()).toBe(false);
  });
});
