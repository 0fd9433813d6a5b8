import type { Packet } from 'mqtt-packet';
import { Mosquitto } from './mosquitto';
import { RawMqttClient } from './raw-client';
import { within } from './test-support';

async function untilPacket(client: RawMqttClient, cmd: Packet['cmd']): Promise<Packet> {
  return within(
    (async () => {
      for (;;) {
        const found = client.packets.find((packet) => packet.cmd === cmd);
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })(),
    cmd,
  );
}

describe('the mosquitto launcher', () => {
  let broker: Mosquitto;
  const clients: RawMqttClient[] = [];
  const raw = (): RawMqttClient => {
    const client = new RawMqttClient(broker.url);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    broker = await Mosquitto.start();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) {
      client.close();
      await within(client.closed, 'a raw client to close');
    }
  });
  afterAll(async () => {
    await broker.dispose();
  });

  it('serves MQTT over WebSocket (subprotocol mqtt) on 127.0.0.1: CONNECT → CONNACK 0 (#9 mqtt)', async () => {
    const client = raw();
    await within(client.open(), 'the socket to open');
    expect(client.protocol).toBe('mqtt');
    client.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'raw-1', clean: true, keepalive: 60 });
    expect(await untilPacket(client, 'connack')).toMatchObject({ cmd: 'connack', returnCode: 0 });
    expect(broker.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
  });

  it('restarts on the same port: a new client is served again (#9 mqtt)', async () => {
    const port = broker.port;
    await broker.restart();
    expect(broker.port).toBe(port);
    const client = raw();
    await within(client.open(), 'the socket to open');
    client.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'raw-2', clean: true, keepalive: 60 });
    expect(await untilPacket(client, 'connack')).toMatchObject({ returnCode: 0 });
  });

  it('refuses every CONNECT with allow_anonymous false and no password file: CONNACK 5 (#9 mqtt)', async () => {
    const closed = await Mosquitto.start({ allowAnonymous: false });
    try {
      const client = new RawMqttClient(closed.url);
      clients.push(client);
      await within(client.open(), 'the socket to open');
      client.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'raw-anon', clean: true, keepalive: 60 });
      expect(await untilPacket(client, 'connack')).toMatchObject({ returnCode: 5 });
    } finally {
      await closed.dispose();
    }
  });
});
