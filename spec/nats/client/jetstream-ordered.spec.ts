import type { Subscription } from 'rxjs';
import { jetstream, type JsMsg, type NatsConnection } from '../../../lib/nats';
import type { ServerSocket, WsTestServer } from '../../support/ws-server';
import { startFakeNats } from './fake-nats';
import { client, until } from './helpers';

/**
 * The ordered consumer against a scripted JetStream: gaps, heartbeats that report a missed
 * message or stop, flow control, a status, and a new link — each re-creates the consumer from
 * the last stream sequence delivered, on a fresh deliver subject (#19).
 */
interface Create {
  readonly reply: string;
  readonly config: { deliver_subject: string; opt_start_seq: number; deliver_policy: string; flow_control: boolean; idle_heartbeat: number };
}

/** Every `$JS.API.CONSUMER.CREATE` request a connection sent, in order. */
function creates(connection: ServerSocket): Create[] {
  const text = connection.received.join('');
  const found: Create[] = [];
  for (const match of text.matchAll(/PUB \$JS\.API\.CONSUMER\.CREATE\.S (\S+) (\d+)\r\n/g)) {
    const start = match.index! + match[0].length;
    const body = JSON.parse(text.slice(start, start + Number(match[2]))) as { config: Create['config'] };
    found.push({ reply: match[1], config: body.config });
  }
  return found;
}

/** The sid the connection subscribed `subject` with (a wildcard inbox matches its replies). */
function sidOf(connection: ServerSocket, subject: string): number {
  const text = connection.received.join('');
  let sid: number | undefined;
  for (const match of text.matchAll(/SUB (\S+) (\d+)\r\n/g)) {
    const subscribed = match[1];
    if (subscribed === subject || (subscribed.endsWith('.*') && subject.startsWith(subscribed.slice(0, -1)))) sid = Number(match[2]);
  }
  if (sid === undefined) throw new Error(`no SUB for ${subject}`);
  return sid;
}

function send(connection: ServerSocket, text: string): void {
  connection.socket.send(text);
}

/** Answers a creation with a consumer named `name`. */
function created(connection: ServerSocket, create: Create, name: string): void {
  const json = JSON.stringify({ stream_name: 'S', name, config: create.config, created: '', delivered: {}, ack_floor: {} });
  send(connection, `MSG ${create.reply} ${sidOf(connection, create.reply)} ${json.length}\r\n${json}\r\n`);
}

/** A stream message `s<sseq>` on the consumer's deliver subject. */
function deliver(connection: ServerSocket, create: Create, name: string, sseq: number, cseq: number): void {
  const payload = `s${sseq}`;
  const reply = `$JS.ACK.S.${name}.1.${sseq}.${cseq}.1700000000000000000.0`;
  send(connection, `MSG orders.x ${sidOf(connection, create.config.deliver_subject)} ${reply} ${payload.length}\r\n${payload}\r\n`);
}

/** An `HMSG` status on the deliver subject (`100 Idle Heartbeat`, `100 FlowControl Request`, `409 …`). */
function status(connection: ServerSocket, create: Create, line: string, headers: Record<string, string> = {}, reply?: string): void {
  let block = `NATS/1.0 ${line}\r\n`;
  for (const [name, value] of Object.entries(headers)) block += `${name}: ${value}\r\n`;
  block += '\r\n';
  const subject = create.config.deliver_subject;
  send(connection, `HMSG ${subject} ${sidOf(connection, subject)}${reply ? ` ${reply}` : ''} ${block.length} ${block.length}\r\n${block}\r\n`);
}

describe('ordered consumer against a scripted JetStream (#19)', () => {
  let server: WsTestServer;
  let nc: NatsConnection | undefined;
  let subscription: Subscription | undefined;
  const seen: number[] = [];

  beforeEach(async () => {
    server = await startFakeNats();
    seen.length = 0;
  });

  afterEach(async () => {
    subscription?.unsubscribe();
    nc?.close();
    await server.stop();
  });

  function start(idleHeartbeat = 5_000): void {
    const made = client({ servers: server.url });
    nc = made.nc;
    subscription = jetstream(nc, { timeout: 2_000 })
      .orderedConsumer('S', { idleHeartbeat })
      .subscribe((m: JsMsg) => seen.push(m.seq));
  }

  async function nthCreate(connection: ServerSocket, n: number): Promise<Create> {
    await until(() => creates(connection).length >= n, `consumer creation #${n}`);
    return creates(connection)[n - 1];
  }

  it('creates an ordered push consumer: by_start_sequence from 1, flow control, heartbeats', async () => {
    start(1_000);
    const connection = await server.connection(0);
    const first = await nthCreate(connection, 1);
    expect(first.config).toMatchObject({ deliver_policy: 'by_start_sequence', opt_start_seq: 1, flow_control: true, idle_heartbeat: 1e9, ack_policy: 'none', num_replicas: 1, mem_storage: true });
    created(connection, first, 'c1');
    deliver(connection, first, 'c1', 1, 1);
    deliver(connection, first, 'c1', 2, 2);
    await until(() => seen.length === 2, 'two messages');
    expect(seen).toEqual([1, 2]);
  });

  it('a consumer-sequence gap re-creates the consumer from the last stream sequence + 1, on a new subject', async () => {
    start();
    const connection = await server.connection(0);
    const first = await nthCreate(connection, 1);
    created(connection, first, 'c1');
    deliver(connection, first, 'c1', 1, 1);
    deliver(connection, first, 'c1', 2, 2);
    deliver(connection, first, 'c1', 4, 4); // cseq 3 never came
    const second = await nthCreate(connection, 2);
    expect(second.config.opt_start_seq).toBe(3);
    expect(second.config.deliver_subject).not.toBe(first.config.deliver_subject);
    await until(() => connection.received.join('').includes('$JS.API.CONSUMER.DELETE.S.c1'), 'the old consumer deleted');
    deliver(connection, first, 'c1', 5, 5); // the old consumer, on its old subject: not delivered
    created(connection, second, 'c2');
    deliver(connection, second, 'c2', 3, 1);
    deliver(connection, second, 'c2', 4, 2);
    await until(() => seen.length === 4, 'four messages');
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('a heartbeat reporting a later consumer sequence re-creates it; flow control is answered', async () => {
    start();
    const connection = await server.connection(0);
    const first = await nthCreate(connection, 1);
    created(connection, first, 'c1');
    deliver(connection, first, 'c1', 1, 1);
    status(connection, first, '100 FlowControl Request', {}, '$JS.FC.S.c1.xyz');
    await until(() => connection.received.join('').includes('PUB $JS.FC.S.c1.xyz 0\r\n'), 'the flow-control answer');
    status(connection, first, '100 Idle Heartbeat', { 'Nats-Last-Consumer': '1', 'Nats-Last-Stream': '1' });
    status(connection, first, '100 Idle Heartbeat', { 'Nats-Last-Consumer': '2', 'Nats-Last-Stream': '7' });
    const second = await nthCreate(connection, 2);
    expect(second.config.opt_start_seq).toBe(2);
    expect(creates(connection)).toHaveLength(2); // the heartbeat that matched re-created nothing
  });

  it('heartbeats that stop for twice idleHeartbeat re-create it; so does a 409 status', async () => {
    start(100);
    const connection = await server.connection(0);
    const first = await nthCreate(connection, 1);
    created(connection, first, 'c1');
    deliver(connection, first, 'c1', 1, 1);
    const second = await nthCreate(connection, 2); // nothing more came: 200 ms later
    expect(second.config.opt_start_seq).toBe(2);
    created(connection, second, 'c2');
    status(connection, second, '409 Consumer Deleted');
    const third = await nthCreate(connection, 3);
    expect(third.config.opt_start_seq).toBe(2);
  });

  it('a new link: the resume hook subscribes a fresh subject and the consumer resumes after the last delivered', async () => {
    start();
    const connection = await server.connection(0);
    const first = await nthCreate(connection, 1);
    created(connection, first, 'c1');
    for (let s = 1; s <= 3; s++) deliver(connection, first, 'c1', s, s);
    await until(() => seen.length === 3, 'three messages');
    const sid = sidOf(connection, first.config.deliver_subject);
    connection.socket.terminate();
    const next = await server.connection(1);
    const resumed = await nthCreate(next, 1);
    expect(resumed.config.opt_start_seq).toBe(4);
    expect(resumed.config.deliver_subject).not.toBe(first.config.deliver_subject);
    expect(sidOf(next, resumed.config.deliver_subject)).toBe(sid); // the same channel, restored
    created(next, resumed, 'c2');
    deliver(next, resumed, 'c2', 4, 1);
    await until(() => seen.length === 4, 'the fourth message');
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('a creation without an answer does not hold up the next: another starts after 1 s, the first to answer is kept', async () => {
    start();
    const connection = await server.connection(0);
    const first = await nthCreate(connection, 1); // never answered in time (an election)
    const second = await nthCreate(connection, 2);
    expect(second.config.deliver_subject).not.toBe(first.config.deliver_subject);
    expect(second.config.opt_start_seq).toBe(1);
    created(connection, second, 'c2');
    deliver(connection, second, 'c2', 1, 1);
    await until(() => seen.length === 1, 'the first message');
    created(connection, first, 'c1'); // late: that consumer is deleted, nothing of it delivered
    await until(() => connection.received.join('').includes('$JS.API.CONSUMER.DELETE.S.c1'), 'the late consumer deleted');
    deliver(connection, first, 'c1', 1, 1);
    deliver(connection, second, 'c2', 2, 2);
    await until(() => seen.length === 2, 'the second message');
    expect(seen).toEqual([1, 2]);
    expect(creates(connection)).toHaveLength(2);
  });

  it('refuses bad options with NatsArgumentError naming the field', async () => {
    const made = client({ servers: server.url });
    nc = made.nc;
    const js = jetstream(nc);
    const errors: unknown[] = [];
    js.orderedConsumer('S', { startSeq: 0 }).subscribe({ error: (e: unknown) => errors.push(e) });
    js.orderedConsumer('S', { idleHeartbeat: 10 }).subscribe({ error: (e: unknown) => errors.push(e) });
    js.orderedConsumer('a.b').subscribe({ error: (e: unknown) => errors.push(e) });
    expect(errors.map((e) => (e as { argument: string }).argument)).toEqual(['options.startSeq', 'options.idleHeartbeat', 'stream']);
  });
});
