import { generate, parser, type Packet } from 'mqtt-packet';
import { TestScheduler } from 'rxjs/testing';
import { AckTimeoutError, connect, ConnectionClosedError } from '../../lib';
import { TestServer } from '../../lib/testing';
import { mqttCodec } from './codec';
import { InflightPublishes } from './inflight';
import { PacketIds } from './packet-ids';

/** Every frame a server connection received, decoded, as `CMD id` (`dup` marked). */
function wire(frames: readonly unknown[]): string[] {
  const decode = parser({ protocolVersion: 4 });
  const packets: Packet[] = [];
  decode.on('packet', (packet: Packet) => packets.push(packet));
  for (const frame of frames) decode.parse(Buffer.from(frame as Uint8Array));
  return packets.map((p) => `${p.cmd.toUpperCase()} ${p.messageId ?? ''}${p.cmd === 'publish' && p.dup ? ' dup' : ''}`.trim());
}

/** Runs `body` on virtual time with a connection (MQTT codec, no handshake) to a TestServer. */
function rig(body: (t: { server: TestServer; inflight: InflightPublishes; at: (time: number, work: () => void) => void; done: string[] }) => void, options = {}): void {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  scheduler.run(() => {
    const server = new TestServer();
    const conn = connect<Packet, Packet>({
      url: 'ws://test',
      WebSocket: server.WebSocket,
      codec: mqttCodec,
      heartbeat: false,
      retry: { jitter: 0, multiplier: 2, initialDelay: 100 },
    });
    const inflight = new InflightPublishes(conn, new PacketIds(), { timeout: 10_000, ...options });
    const done: string[] = [];
    body({ server, inflight, at: (time, work) => void scheduler.schedule(work, time), done });
    scheduler.schedule(() => conn.close(), 20_000);
  });
}

const answer = (server: TestServer, index: number, packet: Packet): void => server.connections[index]!.send(generate(packet));

describe('InflightPublishes on the acked send (virtual time)', () => {
  it('QoS 1: PUBLISH until PUBACK, resent with DUP on the next link; QoS 2: PUBLISH until PUBREC, then PUBREL until PUBCOMP (#19 mqtt)', async () => {
    const seen: Record<string, string[]> = {};
    const outcomes: Promise<string>[] = [];
    let size = -1;
    rig(({ server, inflight, at }) => {
      at(10, () => {
        outcomes.push(inflight.add('t/a', 'one', false, 1).then(() => 'one acked'));
        outcomes.push(inflight.add('t/a', 'two', false, 2).then(() => 'two completed'));
      });
      at(20, () => answer(server, 0, { cmd: 'pubrec', messageId: 2 }));
      at(30, () => (seen['first link'] = wire(server.connections[0]!.received)));
      at(40, () => server.connections[0]!.drop());
      at(500, () => (seen['second link'] = wire(server.connections[1]!.received)));
      at(510, () => {
        answer(server, 1, { cmd: 'puback', messageId: 1 });
        answer(server, 1, { cmd: 'pubcomp', messageId: 2 });
      });
      at(520, () => (size = inflight.size));
    });
    expect(seen).toEqual({
      'first link': ['PUBLISH 1', 'PUBLISH 2', 'PUBREL 2'],
      // Resent after the (empty) restore: the PUBLISH not acked with DUP, the PUBREL not completed.
      'second link': ['PUBLISH 1 dup', 'PUBREL 2'],
    });
    expect(size).toBe(0);
    expect(await Promise.all(outcomes)).toEqual(['one acked', 'two completed']);
  });

  it('writes at most maxQos2 QoS 2 publishes until their PUBCOMP; the next waits, unwritten, for a place; QoS 1 never waits (#19 mqtt)', async () => {
    const seen: string[][] = [];
    const outcomes: Promise<unknown>[] = [];
    rig(
      ({ server, inflight, at }) => {
        at(10, () => {
          for (const payload of ['a', 'b', 'c']) outcomes.push(inflight.add('t/w', payload, false, 2));
          outcomes.push(inflight.add('t/w', 'q1', false, 1));
        });
        at(20, () => seen.push(wire(server.connections[0]!.received)));
        at(30, () => answer(server, 0, { cmd: 'pubrec', messageId: 1 }));
        at(40, () => seen.push(wire(server.connections[0]!.received)));
        at(50, () => answer(server, 0, { cmd: 'pubcomp', messageId: 1 }));
        at(60, () => seen.push(wire(server.connections[0]!.received)));
        at(70, () => {
          answer(server, 0, { cmd: 'puback', messageId: 4 });
          for (const messageId of [2, 3]) answer(server, 0, { cmd: 'pubrec', messageId });
        });
        at(80, () => {
          for (const messageId of [2, 3]) answer(server, 0, { cmd: 'pubcomp', messageId });
        });
      },
      { maxQos2: 2 },
    );
    expect(seen).toEqual([
      ['PUBLISH 1', 'PUBLISH 2', 'PUBLISH 4'],
      ['PUBLISH 1', 'PUBLISH 2', 'PUBLISH 4', 'PUBREL 1'], // PUBREC does not free the place
      ['PUBLISH 1', 'PUBLISH 2', 'PUBLISH 4', 'PUBREL 1', 'PUBLISH 3'], // PUBCOMP does
    ]);
    await expect(Promise.all(outcomes)).resolves.toHaveLength(4);
  });

  it('no PUBACK or PUBREC in time: AckTimeoutError, the id is free again; the end of the connection fails the rest (#19 mqtt)', async () => {
    const outcomes: Promise<unknown>[] = [];
    rig(
      ({ inflight, at }) => {
        at(10, () => outcomes.push(inflight.add('t/x', 'late', false, 1)));
        at(10, () => outcomes.push(inflight.add('t/x', 'late too', false, 2)));
        at(19_000, () => {
          outcomes.push(inflight.add('t/x', 'waiting', false, 2));
          outcomes.push(inflight.add('t/x', 'queued', false, 2)); // waits for a place, then fails too
        });
      },
      { timeout: 1_000, maxQos2: 1 },
    );
    const settled = await Promise.allSettled(outcomes);
    expect(settled.map((s) => (s.status === 'rejected' ? (s.reason as Error).constructor : 'fulfilled'))).toEqual([
      AckTimeoutError,
      AckTimeoutError,
      ConnectionClosedError,
      ConnectionClosedError,
    ]);
  });
});
