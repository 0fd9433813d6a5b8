import type { Subscription } from 'rxjs';
import { ConnectionClosedError, isDisconnectError, SubscriptionRejectedError } from '../../lib';
import { mqttConnect, type MqttClient, type MqttConnectOptions } from './client';
import { MqttConnectRefusedError } from './connect-refused-error';
import { Mosquitto } from './mosquitto';
import { RawMqttClient } from './raw-client';
import { FAST_RETRY, Timeline, until, within } from './test-support';

/** Subscriptions the broker refuses (SUBACK 0x80). */
const DENIED = ['forbidden/#'];

/** Every client and subscription a test makes, closed after it. */
const opened: { clients: MqttClient[]; timelines: Timeline[]; subscriptions: Subscription[] } = {
  clients: [],
  timelines: [],
  subscriptions: [],
};

function client(options: MqttConnectOptions): { mqtt: MqttClient; timeline: Timeline } {
  const mqtt = mqttConnect({ retry: FAST_RETRY, ...options });
  const timeline = new Timeline(mqtt);
  opened.clients.push(mqtt);
  opened.timelines.push(timeline);
  return { mqtt, timeline };
}

afterEach(async () => {
  for (const subscription of opened.subscriptions.splice(0)) subscription.unsubscribe();
  const timelines = opened.timelines.splice(0);
  for (const mqtt of opened.clients.splice(0)) mqtt.close();
  // Closed is delivered through the core's queue: wait for it before the next test starts.
  await Promise.all(timelines.map((timeline) => timeline.next('Closed')));
  for (const timeline of timelines) timeline.stop();
});

describe('mqttConnect() against mosquitto', () => {
  let broker: Mosquitto;

  beforeAll(async () => {
    broker = await Mosquitto.start({ denySubscribe: DENIED });
  });
  afterAll(async () => {
    await broker.dispose();
  });

  it('CONNECT/CONNACK, SUBSCRIBE/SUBACK, QoS 0 and 1 both ways, one UNSUBSCRIBE when the last subscriber leaves (#9 mqtt)', async () => {
    const { mqtt, timeline } = client({ url: broker.url, clientId: 'basic', keepalive: 60 });
    const first: string[] = [];
    const second: string[] = [];
    opened.subscriptions.push(
      mqtt.subscribe('t/basic', 1).subscribe((m) => first.push(`${m.payload.toString()}@${m.qos}`)),
      mqtt.subscribe('t/basic', 1).subscribe((m) => second.push(m.payload.toString())),
    );
    await timeline.next('Connected');
    // One SUBSCRIBE for two subscribers of one topic; its SUBACK confirms it.
    await until(() => timeline.entries.some((e) => 'packet' in e && e.packet.cmd === 'suback'), 'SUBACK');
    await mqtt.publish('t/basic', 'zero'); // QoS 0: settles when written
    await within(mqtt.publish('t/basic', 'one', { qos: 1 }), 'PUBACK of a QoS 1 publish');
    expect(mqtt.inflight).toBe(0);
    await until(() => first.length === 2 && second.length === 2, 'both messages on both subscribers');
    expect(first).toEqual(['zero@0', 'one@1']);
    expect(second).toEqual(['zero', 'one']);
    // The inbound QoS 1 message was acked with PUBACK.
    await until(() => broker.count(/^Received PUBACK from basic/) === 1, 'the broker to receive our PUBACK');
    expect(broker.count(/^Received SUBSCRIBE from basic/)).toBe(1);

    for (const subscription of opened.subscriptions.splice(0)) subscription.unsubscribe();
    await until(() => broker.count(/^Received UNSUBSCRIBE from basic/) === 1, 'UNSUBSCRIBE');
    expect(timeline.events('Disconnected')).toEqual([]);
  });

  it('a subscription the broker refuses (SUBACK 0x80) errors with SubscriptionRejectedError; others go on (#9 mqtt)', async () => {
    const { mqtt, timeline } = client({ url: broker.url, clientId: 'refused-sub', keepalive: 60 });
    let rejected: unknown;
    const allowed: string[] = [];
    opened.subscriptions.push(
      mqtt.subscribe('forbidden/x', 1).subscribe({ error: (error: unknown) => (rejected = error) }),
      mqtt.subscribe('t/allowed', 1).subscribe((m) => allowed.push(m.payload.toString())),
    );
    await timeline.next('Connected');
    await until(() => rejected !== undefined, 'the refused subscription to error');
    expect(rejected).toBeInstanceOf(SubscriptionRejectedError);
    expect((rejected as SubscriptionRejectedError).serverMessage).toMatchObject({ cmd: 'suback', granted: [0x80] });
    await within(mqtt.publish('t/allowed', 'still here', { qos: 1 }), 'PUBACK');
    await until(() => allowed.length === 1, 'the allowed subscription to deliver');
    expect(timeline.events('Disconnected')).toEqual([]);
  });

  it('a wildcard subscription receives through match what route cannot place (#9 mqtt)', async () => {
    const { mqtt, timeline } = client({ url: broker.url, clientId: 'wildcard', keepalive: 60 });
    const topics: string[] = [];
    opened.subscriptions.push(mqtt.subscribe('t/wild/+/temp', 1).subscribe((m) => topics.push(m.topic)));
    await timeline.next('Connected');
    await until(() => timeline.entries.some((e) => 'packet' in e && e.packet.cmd === 'suback'), 'SUBACK');
    for (const topic of ['t/wild/kitchen/temp', 't/wild/kitchen/humidity', 't/wild/hall/temp']) {
      await within(mqtt.publish(topic, 'x', { qos: 1 }), `PUBACK for ${topic}`);
    }
    await until(() => topics.length === 2, 'both matching messages');
    expect(topics).toEqual(['t/wild/kitchen/temp', 't/wild/hall/temp']);
  });

  it('a receive-only client is kept alive by PINGREQs for 30 s (keepalive 4 s), while a silent raw client is dropped (#9 mqtt)', async () => {
    const { mqtt, timeline } = client({ url: broker.url, clientId: 'quiet', keepalive: 4 });
    const received: unknown[] = [];
    opened.subscriptions.push(mqtt.subscribe('t/quiet', 1).subscribe((m) => received.push(m)));
    await timeline.next('Connected');
    await until(() => broker.count(/^Sending SUBACK to quiet$/) === 1, 'the SUBACK');
    const since = broker.log.length;

    // The control: the same keepalive, no PINGREQ. The broker must drop it within the 30 s.
    const raw = new RawMqttClient(broker.url);
    await within(raw.open(), 'the raw socket to open');
    raw.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'quiet-raw', clean: true, keepalive: 4 });
    const rawStart = Date.now();
    let rawDroppedAfter = -1;
    void raw.closed.then(() => (rawDroppedAfter = Date.now() - rawStart));

    await new Promise((resolve) => setTimeout(resolve, 30_000)); // the scenario's length, not a settling pause
    raw.close();

    const pings = broker.log.slice(since).filter((line) => /^Received PINGREQ from quiet$/.test(line)).length;
    console.log(`keepalive: ${pings} PINGREQs in 30 s; silent raw client dropped after ${rawDroppedAfter} ms`);
    expect(timeline.events('Disconnected')).toEqual([]);
    expect(pings).toBeGreaterThanOrEqual(6); // one per 4 s of silence: 7 in 30 s
    // Receive-only: PINGREQs were all the client wrote in those 30 s.
    expect(broker.log.slice(since).filter((line) => /^Received \w+ from quiet$/.test(line))).toHaveLength(pings);
    expect(received).toEqual([]);
    expect(rawDroppedAfter).toBeGreaterThanOrEqual(6_000); // 1.5 × keepalive
  }, 50_000);
});

describe('mqttConnect() across a broker restart', () => {
  let broker: Mosquitto;

  beforeAll(async () => {
    // Persistence: the subscriber's session (its subscriptions and the QoS 1 messages queued
    // for it) must survive the restart, or messages published while it is away are dropped.
    broker = await Mosquitto.start({ persistence: true });
  });
  afterAll(async () => {
    await broker.dispose();
  });

  it('restores subscriptions after their SUBACKs; QoS 1 publishes around the restart arrive at least once (#9 mqtt)', async () => {
    const TOTAL = 100;
    const RESTART_AT = 30;
    const sub = client({ url: broker.url, clientId: 'restart-sub', keepalive: 10 });
    const pub = client({ url: broker.url, clientId: 'restart-pub', keepalive: 10 });
    const received: string[] = [];
    for (const topic of ['t/restart/a', 't/restart/b']) {
      opened.subscriptions.push(sub.mqtt.subscribe(topic, 1).subscribe((m) => received.push(m.payload.toString())));
    }
    await Promise.all([sub.timeline.next('Connected'), pub.timeline.next('Connected')]);
    // Both subscriptions confirmed before counting starts: a warm-up message through each.
    await within(Promise.all([pub.mqtt.publish('t/restart/a', 'warm-a', { qos: 1 }), pub.mqtt.publish('t/restart/b', 'warm-b', { qos: 1 })]), 'warm-up PUBACKs');
    await until(() => received.includes('warm-a') && received.includes('warm-b'), 'warm-up messages');
    const subMark = sub.timeline.entries.length;

    let acked = 0;
    const failed: unknown[] = [];
    const publishes: Promise<void>[] = [];
    let restart: Promise<void> | undefined;
    for (let i = 0; i < TOTAL; i++) {
      if (i === RESTART_AT) restart = broker.restart();
      const topic = i % 2 === 0 ? 't/restart/a' : 't/restart/b';
      publishes.push(pub.mqtt.publish(topic, `m${i}`, { qos: 1 }).then(() => void acked++, (error: unknown) => void failed.push(error)));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await within(restart!, 'the broker restart');

    // The subscriber is back: Reconnected, SUBSCRIBEs with fresh packet ids, their SUBACKs, and
    // SubscriptionsRestored{count: 2} only once both are in.
    const restored = await sub.timeline.next('SubscriptionsRestored', subMark, 10_000);
    expect(restored.count).toBe(2);
    const restoredAt = sub.timeline.indexOf('SubscriptionsRestored', subMark);
    const reconnected = sub.timeline.indexOf('Reconnected', subMark);
    expect(reconnected).toBeGreaterThan(sub.timeline.indexOf('Disconnected', subMark));
    const subacks = (from: number, to: number): { at: number; id: number | undefined }[] =>
      sub.timeline.entries.flatMap((e, at) => (at >= from && at < to && 'packet' in e && e.packet.cmd === 'suback' ? [{ at, id: e.packet.messageId }] : []));
    const before = subacks(0, subMark).map((s) => s.id);
    await until(() => subacks(reconnected, Infinity).length >= 2, 'both SUBACKs on the new link');
    const after = subacks(reconnected, Infinity);
    expect(after).toHaveLength(2);
    expect(after.filter((s) => before.includes(s.id))).toEqual([]); // fresh ids, never a stale SUBACK
    expect(after[0]!.at).toBeLessThan(restoredAt);
    // The core delivers the event a message causes before that message reaches packets$ (as
    // Reconnected precedes its CONNACK): the SUBACK that completes the restore comes right after.
    expect(after[1]!.at).toBeLessThanOrEqual(restoredAt + 1);
    await pub.timeline.next('SubscriptionsRestored', 0, 10_000);

    await within(Promise.all(publishes), 'every QoS 1 publish to settle', 15_000);
    const expected = Array.from({ length: TOTAL }, (_, i) => `m${i}`);
    const arrived = (): Set<string> => new Set(received.filter((payload) => payload.startsWith('m')));
    await until(() => arrived().size === TOTAL, 'every message at the subscriber', 10_000).catch(() => undefined);
    const counted = received.filter((payload) => payload.startsWith('m'));
    const lost = expected.filter((payload) => !arrived().has(payload));
    const duplicated = counted.length - arrived().size;
    console.log(
      `restart: published ${TOTAL}, acked ${acked}, failed ${failed.length}, received ${counted.length} ` +
        `(${arrived().size} distinct), lost ${lost.length}, duplicated ${duplicated}, resent with DUP ${pub.mqtt.resent}; ` +
        `downtime sub ${sub.timeline.events('Reconnected')[0]?.downtime} ms, pub ${pub.timeline.events('Reconnected')[0]?.downtime} ms; ` +
        `subscriber ${sub.timeline.summary().replace(/(PUBLISH ?)+/g, 'PUBLISH… ')}`,
    );
    expect(failed).toEqual([]);
    expect(acked).toBe(TOTAL);
    expect(lost).toEqual([]);
    expect(sub.timeline.events('Disconnected').length).toBeGreaterThanOrEqual(1);
    expect(pub.timeline.events('Disconnected').length).toBeGreaterThanOrEqual(1);

    // Messages flow again on the restored link.
    await within(pub.mqtt.publish('t/restart/b', 'after', { qos: 0 }), 'a QoS 0 publish after the restart');
    await until(() => received.includes('after'), 'a message published after the restart');
  });
});

describe('mqttConnect() across a broker crash', () => {
  let broker: Mosquitto;

  beforeAll(async () => {
    broker = await Mosquitto.start();
  });
  afterAll(async () => {
    await broker.dispose();
  });

  it('QoS 1 publishes unacked when the broker is killed are resent with DUP and arrive at least once (#9 mqtt)', async () => {
    const TOTAL = 150;
    const KILL_AT = 40;
    // One client publishes and subscribes: its subscription is restored (SUBACK) before its
    // unacked publishes are resent, so a broker that lost every session still delivers them.
    const echo = client({ url: broker.url, clientId: 'echo', keepalive: 10 });
    const received: string[] = [];
    opened.subscriptions.push(echo.mqtt.subscribe('t/echo', 1).subscribe((m) => received.push(m.payload.toString())));
    await echo.timeline.next('Connected');
    await within(echo.mqtt.publish('t/echo', 'warm', { qos: 1 }), 'warm-up PUBACK');
    await until(() => received.includes('warm'), 'the warm-up message');
    const mark = echo.timeline.entries.length;

    let acked = 0;
    const failed: unknown[] = [];
    const publishes: Promise<void>[] = [];
    let crash: Promise<void> | undefined;
    for (let i = 0; i < TOTAL; i++) {
      if (i === KILL_AT) crash = broker.restart('SIGKILL');
      publishes.push(echo.mqtt.publish('t/echo', `m${i}`, { qos: 1 }).then(() => void acked++, (error: unknown) => void failed.push(error)));
      if (i % 5 === 4) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await within(crash!, 'the broker restart');
    expect((await echo.timeline.next('SubscriptionsRestored', mark, 10_000)).count).toBe(1);
    await within(Promise.all(publishes), 'every QoS 1 publish to settle', 15_000);
    const arrived = (): Set<string> => new Set(received.filter((payload) => payload.startsWith('m')));
    await until(() => arrived().size === TOTAL, 'every message back', 10_000).catch(() => undefined);
    const counted = received.filter((payload) => payload.startsWith('m'));
    const lost = Array.from({ length: TOTAL }, (_, i) => `m${i}`).filter((payload) => !arrived().has(payload));
    console.log(
      `crash: published ${TOTAL}, acked ${acked}, failed ${failed.length}, received ${counted.length} ` +
        `(${arrived().size} distinct), lost ${lost.length} ${lost.join(' ')}, duplicated ${counted.length - arrived().size}, ` +
        `resent with DUP ${echo.mqtt.resent}, downtime ${echo.timeline.events('Reconnected')[0]?.downtime} ms`,
    );
    expect(failed).toEqual([]);
    expect(acked).toBe(TOTAL);
    expect(echo.mqtt.resent).toBeGreaterThan(0);
    expect(broker.count(/^Received PUBLISH from echo \(d1, q1/)).toBeGreaterThan(0); // DUP on the wire
    expect(lost).toEqual([]);
  });
});

describe('mqttConnect() refused', () => {
  it('a CONNECT refused by the broker (CONNACK 5, no anonymous access) is fatal: Closed{fatal}, no retry (#9 mqtt)', async () => {
    const broker = await Mosquitto.start({ allowAnonymous: false });
    try {
      const { mqtt, timeline } = client({ url: broker.url, clientId: 'anonymous' });
      const pending = mqtt.publish('t/never', 'x', { qos: 1 });
      const closed = await timeline.next('Closed');
      expect(closed.reason).toBe('fatal');
      expect(isDisconnectError(closed.error)).toBe(true);
      const cause = (closed.error as { cause?: unknown }).cause;
      expect(cause).toBeInstanceOf(MqttConnectRefusedError);
      expect((cause as MqttConnectRefusedError).returnCode).toBe(5);
      expect(timeline.events('Reconnecting')).toEqual([]);
      expect(timeline.events('Connecting')).toHaveLength(1);
      await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
      await expect(mqtt.publish('t/never', 'y')).rejects.toBeInstanceOf(ConnectionClosedError);
    } finally {
      await broker.dispose();
    }
  });
});
