import WebSocket from 'ws';
import type { NatsConnection } from '../../../lib/nats';
import { client, within } from '../client/helpers';
import { NatsTestServer } from './server';

const WATCH_MS = 4_000;

describe('natsConnect() against nats-server: server PINGs', () => {
  let server: NatsTestServer;
  let nc: NatsConnection | undefined;
  let raw: WebSocket | undefined;

  beforeAll(async () => {
    server = await NatsTestServer.start({ pingInterval: '1s', pingMax: 1 });
  });
  afterEach(() => {
    nc?.close();
    raw?.terminate();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers the server PINGs: the same link is up after 4 s, while a silent client is dropped (#9 nats)', async () => {
    // control: a raw client that never answers PING is closed as stale (~2 s with these settings)
    raw = new WebSocket(server.wsUrl);
    const rawText: string[] = [];
    const rawClosed = new Promise<void>((resolve) => raw!.once('close', () => resolve()));
    raw.on('error', () => undefined); // nats-server closes stale clients with code 1006, which ws reports as an error
    raw.on('message', (data: Buffer) => rawText.push(data.toString()));
    raw.once('open', () => raw!.send('CONNECT {"verbose":false}\r\n'));

    const made = client({ servers: server.wsUrl });
    nc = made.nc;
    await made.log.waitFor('Connected');
    const started = Date.now();
    await within(rawClosed, 'the silent client to be dropped', WATCH_MS);
    expect(rawText.join('')).toMatch(/PING/);
    expect(rawText.join('')).toMatch(/Stale Connection/);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, WATCH_MS - (Date.now() - started))));

    expect(made.log.types).toEqual(['Connecting', 'Connected']);
    expect(nc.currentServer).toBe(server.wsUrl);
  }, 10_000);
});
