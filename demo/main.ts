/**
 * `npm run demo`: rx-reconnect against a real `ws` pub/sub server that dies and comes back.
 *
 * Script: stream two channels for ~2 s → kill the server for ~4 s (attempts fail, the circuit
 * breaker opens) and send 3 orders meanwhile (buffered) → restart the server on the same port
 * → Reconnected, SubscriptionsRestored{count: 2}, the orders reach the server, data resumes →
 * ~2 s more → close everything. Exits 0 when every check passed, and by itself (no open handle
 * left); a safety timer exits 1 after 20 s whatever happens.
 */
import { firstValueFrom, timeout } from 'rxjs';
import { connect, ofType, type ConnectionEvent, type ConnectionState } from '../lib';
import { EVENT_COLOUR, formatEvent } from './format-event';
import { topicChannel, TOPICS, type ClientMessage, type Tick } from './protocol';
import { PubSubServer } from './pubsub-server';
import { TickLog } from './tick-log';
import { Timeline } from './timeline';

const STREAM_MS = 2_000;
const OUTAGE_MS = 4_000;
const ORDERS_AT_MS = [1_000, 1_500, 2_000]; // into the outage
const RESTORE_WAIT_MS = 6_000;
const SAFETY_MS = 20_000;
const EXIT_GRACE_MS = 3_000;

const safety = setTimeout(() => {
  process.stderr.write(`demo: still running after ${SAFETY_MS / 1000} s, giving up\n`);
  process.exit(1);
}, SAFETY_MS);
safety.unref();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<boolean> {
  const timeline = new Timeline();
  const ticks = new TickLog(timeline);
  const bufferedOrders = new Set<number>();
  const ordersReceived: number[] = [];
  const server = new PubSubServer({
    log: (text) => timeline.line('[server]', text, 'blue'),
    order: (id, client) => {
      ordersReceived.push(id);
      const note = bufferedOrders.has(id) ? ' (was buffered)' : '';
      timeline.line('[server]', `received order ${id} from client #${client}${note}`, 'blue');
    },
  });

  const port = await server.start(0);
  const url = `ws://127.0.0.1:${port}`;
  timeline.line('demo', `pub/sub server listening on ${url}`, 'bold');

  const conn = connect<Tick, ClientMessage>({
    url,
    retry: { initialDelay: 200, maxDelay: 1_000 },
    circuitBreaker: { failureThreshold: 3, resetTimeout: 1_500 },
    heartbeat: { interval: 1_000, timeout: 500 },
  });

  const events: ConnectionEvent<ClientMessage>[] = [];
  let eventsCompleted = false;
  conn.events$.subscribe({
    next: (event) => {
      events.push(event);
      if (event.type === 'Connected' || event.type === 'Reconnected') ticks.linkUp();
      timeline.line('event', formatEvent(event), EVENT_COLOUR[event.type]);
    },
    complete: () => (eventsCompleted = true),
  });

  let state: ConnectionState | undefined;
  conn.state$.subscribe((next) => {
    timeline.line('state', state === undefined ? next : `${state} -> ${next}`, 'cyan');
    state = next;
  });

  let channelsCompleted = 0;
  for (const topic of TOPICS) {
    conn
      .channel(topicChannel(topic))
      .subscribe({
        next: (tick) => ticks.tick(topic, tick),
        error: (error: unknown) => timeline.line('demo', `channel ${topic} errored: ${String(error)}`, 'red'),
        complete: () => channelsCompleted++,
      });
  }

  await firstValueFrom(conn.events$.pipe(ofType('Connected')));
  await sleep(STREAM_MS);

  timeline.line('demo', `stopping the server for ${OUTAGE_MS / 1000} s (listener closed, clients terminated)`, 'bold');
  const stoppedAt = timeline.elapsed();
  await server.stop();

  for (const [index, at] of ORDERS_AT_MS.entries()) {
    await sleep(stoppedAt + at - timeline.elapsed());
    const id = index + 1;
    const offline = state !== 'connected';
    if (offline) bufferedOrders.add(id);
    conn.send({ op: 'order', id });
    timeline.line('demo', `conn.send(order ${id}) while state=${state}${offline ? ' -> buffered' : ''}`, 'bold');
  }

  await sleep(stoppedAt + OUTAGE_MS - timeline.elapsed());
  const restored = firstValueFrom(
    conn.events$.pipe(ofType('SubscriptionsRestored'), timeout({ first: RESTORE_WAIT_MS })),
  ).catch(() => undefined);
  await server.start(port);
  timeline.line('demo', `server restarted on the same port ${port}`, 'bold');
  if ((await restored) === undefined) {
    timeline.line('demo', `no SubscriptionsRestored within ${RESTORE_WAIT_MS / 1000} s of the restart`, 'red');
  }

  await sleep(STREAM_MS);
  timeline.line('demo', 'conn.close()', 'bold');
  conn.close();
  await server.stop();
  timeline.line('demo', 'server stopped', 'bold');

  return summarize(timeline, {
    events,
    eventsCompleted,
    state,
    channelsCompleted,
    ordersReceived,
    serverLog: server.received,
    ticks,
  });
}

interface Outcome {
  readonly events: readonly ConnectionEvent<ClientMessage>[];
  readonly eventsCompleted: boolean;
  readonly state: ConnectionState | undefined;
  readonly channelsCompleted: number;
  readonly ordersReceived: readonly number[];
  readonly serverLog: ReadonlyMap<number, readonly ClientMessage[]>;
  readonly ticks: TickLog;
}

/** Prints the event sequence and the checks; true when every check passed. */
function summarize(timeline: Timeline, outcome: Outcome): boolean {
  const { events, ticks } = outcome;
  const types = events.map((event) => event.type);
  timeline.plain();
  timeline.plain('Summary', 'bold');
  timeline.plain(`  event sequence (${types.length} events):`);
  for (const line of wrap(types, ' -> ', 96)) timeline.plain(`    ${line}`);
  timeline.plain(`  orders received by the server: ${outcome.ordersReceived.join(', ') || 'none'}`);
  timeline.plain(`  ticks delivered: ${TOPICS.map((topic) => `${topic} ${ticks.count(topic)}`).join(', ')}`);

  const reconnected = types.indexOf('Reconnected');
  const afterReconnect = reconnected >= 0 ? events[reconnected + 1] : undefined;
  const lastClient = Math.max(...outcome.serverLog.keys());
  const onLastLink = (outcome.serverLog.get(lastClient) ?? []).map(describe);
  const closed = events[events.length - 1];
  const checks: Array<[string, boolean]> = [
    ['CircuitBreakerOpen during the outage', types.includes('CircuitBreakerOpen')],
    ['Reconnected is followed by SubscriptionsRestored{count: 2}', afterReconnect?.type === 'SubscriptionsRestored' && afterReconnect.count === 2],
    [
      `the server got, on the new link: subscribe x2, then orders 1, 2, 3 (got: ${onLastLink.join(', ')})`,
      sameList(onLastLink.slice(0, 5), ['subscribe ticker:BTC', 'subscribe ticker:ETH', 'order 1', 'order 2', 'order 3']),
    ],
    ['each order reached the server exactly once, in order', sameList(outcome.ordersReceived.map(String), ['1', '2', '3'])],
    ['data resumed on both channels', TOPICS.every((topic) => ticks.hasResumed(topic))],
    ['ends with Closed{reason: manual, unsent: []}', closed?.type === 'Closed' && closed.reason === 'manual' && closed.unsent.length === 0],
    ['events$ completed, state$ ended closed, both channels completed', outcome.eventsCompleted && outcome.state === 'closed' && outcome.channelsCompleted === TOPICS.length],
  ];
  timeline.plain('  checks:');
  for (const [label, ok] of checks) timeline.plain(`    ${ok ? 'ok  ' : 'FAIL'} ${label}`, ok ? 'green' : 'red');
  return checks.every(([, ok]) => ok);
}

function describe(message: ClientMessage): string {
  return message.op === 'order' ? `order ${message.id}` : `${message.op} ${message.topic}`;
}

function sameList(actual: readonly string[], expected: readonly string[]): boolean {
  return actual.length === expected.length && actual.every((item, index) => item === expected[index]);
}

/** Joins `items` with `separator` into lines of at most `width` characters. */
function wrap(items: readonly string[], separator: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    const next = line === '' ? item : `${line}${separator}${item}`;
    if (next.length > width && line !== '') {
      lines.push(`${line}${separator.trimEnd()}`);
      line = item;
    } else line = next;
  }
  if (line !== '') lines.push(line);
  return lines;
}

main().then(
  (ok) => {
    process.exitCode = ok ? 0 : 1;
    // Everything is closed: the process should now exit by itself. If it does not, say what is left.
    setTimeout(() => {
      process.stderr.write(`demo: handles still open ${EXIT_GRACE_MS / 1000} s after close: ${process.getActiveResourcesInfo().join(', ')}\n`);
      process.exit(1);
    }, EXIT_GRACE_MS).unref();
  },
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
