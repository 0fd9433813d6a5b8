import type { IPublishPacket, Packet, QoS } from 'mqtt-packet';
import { SubscriptionFanout } from './fanout';
import { InboundQos2 } from './inbound';
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

describe('InboundQos2', () => {
  it('delivers a packet id once until its PUBREL; a session-less CONNACK forgets every id (#19 mqtt)', () => {
    const inbound = new InboundQos2();
    expect(inbound.receive(7)).toBe(true);
    expect(inbound.receive(7)).toBe(false); // the broker's DUP retransmission
    inbound.release(7);
    expect(inbound.receive(7)).toBe(true); // a new message reusing the id
    inbound.reset();
    expect(inbound.size).toBe(0);
    expect(inbound.receive(7)).toBe(true);
  });
});

describe('SubscriptionFanout', () => {
  const publish = (topic: string, payload: string, qos: QoS, retain = false): IPublishPacket => ({
    cmd: 'publish',
    topic,
    payload: Buffer.from(payload),
    qos,
    dup: false,
    retain,
    ...(qos > 0 ? { messageId: 1 } : {}),
  });
  const listen = (fanout: SubscriptionFanout, filters: string[]): Record<string, string[]> => {
    const got: Record<string, string[]> = {};
    for (const filter of filters) {
      const list: string[] = (got[filter] = []);
      fanout.listen(filter, (p) => list.push(`${p.payload.toString()}@${p.qos}`));
    }
    return got;
  };

  it("'one': a PUBLISH reaches every confirmed matching filter once; unconfirmed or unsubscribed ones get nothing (#19 mqtt)", () => {
    const fanout = new SubscriptionFanout('one');
    const got = listen(fanout, ['a/b', 'a/+', 'a/#', 'x/#', 'a/c']);
    fanout.subscribed('a/b', 0);
    fanout.subscribed('a/+', 1);
    fanout.subscribed('a/#', 2);
    fanout.subscribed('x/#', 1);
    fanout.deliver(publish('a/b', 'm', 0));
    fanout.unsubscribing('a/+', 9);
    fanout.deliver(publish('a/b', 'n', 1));
    expect(got).toEqual({ 'a/b': ['m@0', 'n@1'], 'a/+': ['m@0'], 'a/#': ['m@0', 'n@1'], 'x/#': [], 'a/c': [] });
  });

  it("'per-subscription': the copies of one message are shared out by QoS, one per filter, messages in turn (#19 mqtt)", () => {
    const fanout = new SubscriptionFanout('per-subscription');
    const got = listen(fanout, ['a/b', 'a/+', 'a/#']);
    fanout.subscribed('a/b', 0);
    fanout.subscribed('a/+', 1);
    fanout.subscribed('a/#', 2);
    // A QoS 2 publish: copies at 0, 1, 2, in any order.
    for (const qos of [2, 0, 1] as const) fanout.deliver(publish('a/b', 'two', qos));
    // A QoS 1 publish: copies at 0 (a/b), 1 (a/+) and 1 (a/#, granted 2).
    for (const qos of [1, 1, 0] as const) fanout.deliver(publish('a/b', 'one', qos));
    // Two messages whose copies interleave (QoS 0 copies overtaking queued QoS 1 ones).
    for (const [payload, qos] of [['p', 0], ['q', 0], ['p', 1], ['q', 1], ['p', 1], ['q', 1]] as const) {
      fanout.deliver(publish('a/b', payload, qos));
    }
    expect(got).toEqual({
      'a/b': ['two@0', 'one@0', 'p@0', 'q@0'],
      'a/+': ['two@1', 'one@1', 'p@1', 'q@1'],
      'a/#': ['two@2', 'one@1', 'p@1', 'q@1'],
    });
  });

  it("'per-subscription': a filter being unsubscribed takes its copy (dropped) until its UNSUBACK (#19 mqtt)", () => {
    const fanout = new SubscriptionFanout('per-subscription');
    const got = listen(fanout, ['a/b', 'a/+']);
    fanout.subscribed('a/b', 1);
    fanout.subscribed('a/+', 1);
    fanout.unsubscribing('a/+', 5);
    fanout.deliver(publish('a/b', 'm', 1));
    fanout.deliver(publish('a/b', 'm', 1)); // the copy the broker still sends for a/+
    fanout.unsubscribed(5);
    fanout.deliver(publish('a/b', 'n', 1));
    expect(got).toEqual({ 'a/b': ['m@1', 'n@1'], 'a/+': [] });
  });

  it('a retained PUBLISH goes only to the filter whose SUBACK came last, when it matches (#19 mqtt)', () => {
    for (const mode of ['one', 'per-subscription'] as const) {
      const fanout = new SubscriptionFanout(mode);
      const got = listen(fanout, ['a/b', 'a/+']);
      fanout.subscribed('a/b', 1);
      fanout.deliver(publish('a/b', 'kept', 1, true));
      fanout.subscribed('a/+', 1);
      fanout.deliver(publish('a/b', 'kept', 1, true));
      expect(got).toEqual({ 'a/b': ['kept@1'], 'a/+': ['kept@1'] });
    }
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
