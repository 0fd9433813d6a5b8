import type { Packet } from 'mqtt-packet';
import { InflightPublishes } from './inflight';
import { PacketIds } from './packet-ids';
import { subscriptionSpec } from './subscription';
import { topicMatches } from './topic-filter';

describe('PacketIds', () => {
  it('gives 1…65535 then wraps, skipping ids held until their PUBACK (#9 mqtt)', () => {
    const ids = new PacketIds();
    expect(ids.hold()).toBe(1);
    expect(ids.next()).toBe(2);
    for (let i = 3; i < 0xffff; i++) ids.next();
    expect(ids.next()).toBe(0xffff);
    expect(ids.next()).toBe(2); // 1 is held
    ids.release(1);
    for (let i = 3; i <= 0xffff; i++) ids.next();
    expect(ids.next()).toBe(1);
  });

  it('throws when every id is held (#9 mqtt)', () => {
    const ids = new PacketIds();
    for (let i = 0; i < 0xffff; i++) ids.hold();
    expect(() => ids.next()).toThrow(RangeError);
  });
});

describe('InflightPublishes', () => {
  const setup = (): { written: Packet[]; up: { value: boolean }; inflight: InflightPublishes } => {
    const written: Packet[] = [];
    const up = { value: true };
    const inflight = new InflightPublishes((packet) => up.value && written.push(packet) > 0, new PacketIds());
    return { written, up, inflight };
  };

  it('writes only while resumed, resends unacked ones with DUP in order, settles at PUBACK (#9 mqtt)', async () => {
    const { written, up, inflight } = setup();
    const first = inflight.add('t/a', 'one', false); // offline: kept, not written
    expect(written).toEqual([]);
    inflight.resume();
    expect(written).toEqual([expect.objectContaining({ messageId: 1, dup: false, payload: 'one' })]);
    const second = inflight.add('t/a', 'two', false); // online: written at once
    expect(written).toHaveLength(2);
    inflight.pause();
    up.value = false;
    const third = inflight.add('t/a', 'three', false); // offline again
    up.value = true;
    inflight.resume();
    expect(written.slice(2).map((p) => [p.messageId, (p as { dup: boolean }).dup])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
    expect(inflight.resent).toBe(2);
    expect(inflight.ack(2)).toBe(true);
    expect(inflight.ack(2)).toBe(false); // a late duplicate PUBACK
    await second;
    expect(inflight.size).toBe(2);
    const error = new Error('closed');
    inflight.abort(error);
    await expect(first).rejects.toBe(error);
    await expect(third).rejects.toBe(error);
    expect(inflight.size).toBe(0);
  });

  it('a failed write (no link) leaves the publish for the next resume, unmarked as written (#9 mqtt)', () => {
    const { written, up, inflight } = setup();
    inflight.resume();
    up.value = false;
    void inflight.add('t/a', 'x', false).catch(() => undefined);
    up.value = true;
    void inflight.add('t/a', 'y', false).catch(() => undefined); // paused by the failed write: kept
    expect(written).toEqual([]);
    inflight.resume();
    expect(written.map((p) => (p as { dup: boolean }).dup)).toEqual([false, false]);
    inflight.abort(new Error('done'));
  });
});

describe('subscriptionSpec', () => {
  it('writes a fresh packet id per SUBSCRIBE; only the SUBACK with that id acks; 0x80 is an Error (#9 mqtt)', () => {
    const spec = subscriptionSpec('t/x', 1, new PacketIds());
    const subscribe = spec.subscribe as (context: { restoring: boolean }) => Packet;
    const first = subscribe({ restoring: false });
    const second = subscribe({ restoring: true });
    expect(first).toMatchObject({ cmd: 'subscribe', subscriptions: [{ topic: 't/x', qos: 1 }] });
    expect(second.messageId).not.toBe(first.messageId);
    const suback = (messageId: number | undefined, granted: number): Packet => ({ cmd: 'suback', messageId, granted: [granted] });
    expect(spec.ack!(suback(first.messageId, 1))).toBe(false); // stale: from the previous SUBSCRIBE
    expect(spec.ack!(suback(second.messageId, 1))).toBe(true);
    expect(spec.ack!(suback(second.messageId, 0x80))).toBeInstanceOf(Error);
    expect((spec.unsubscribe as (c: { restoring: boolean }) => Packet)({ restoring: false })).toMatchObject({
      cmd: 'unsubscribe',
      unsubscriptions: ['t/x'],
    });
  });
});

describe('topicMatches', () => {
  it.each([
    ['a/b', 'a/b', true],
    ['a/+', 'a/b', true],
    ['a/+', 'a/b/c', false],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['+/b', 'a/b', true],
    ['#', '$SYS/x', false],
    ['+/x', '$SYS/x', false],
    ['a/b', 'a/c', false],
  ])('%s matches %s: %s (#9 mqtt)', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});
