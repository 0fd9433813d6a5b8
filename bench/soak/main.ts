/**
 * Soak: 50 links (by default) through a fault proxy on 127.0.0.1 for 10 minutes (by default),
 * with hostile user code and re-entrant calls from handlers, then a ledger of every
 * sequence-numbered send. Not part of CI.
 *
 *   npm run soak -- --minutes 2 --seed 7 --links 50 [--no-hostile-values]
 *
 * Exit code 0 when every figure that must be zero is zero: duplicated, reordered and
 * unexplained lost sends, sends handed back and delivered, phantom deliveries, inbound
 * reorders per link, crashes (uncaught exceptions, unhandled rejections, errors RxJS reported
 * that no hostile code threw) and resources left after `close()`. At-most-once loss on dead
 * links (a send written to a link that then died) is counted apart and allowed.
 */
import { config } from 'rxjs';
import { connect, type Connection, type ConnectionEvent } from '../../lib';
import { seededRandom } from '../storm-model';
import { FaultProxy } from './fault-proxy';
import { HostileError, hostileCodec, hostileSerializer, hostileUrl, strikes, thenableThatThrows, type Hostility } from './hostile';
import { reconcile, type StreamRecord } from './ledger';
import { SoakServer, type ClientFrame, type ServerFrame } from './soak-server';

interface Args {
  readonly minutes: number;
  readonly seed: number;
  readonly links: number;
  readonly hostileValues: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const value = (name: string, fallback: number): number => {
    const at = argv.indexOf(`--${name}`);
    if (at === -1) return fallback;
    const parsed = Number(argv[at + 1]);
    if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`--${name} takes a positive number, got ${argv[at + 1]}`);
    return parsed;
  };
  return {
    minutes: value('minutes', 10),
    seed: value('seed', 1),
    links: Math.round(value('links', 50)),
    hostileValues: !argv.includes('--no-hostile-values'),
  };
}

const SEND_TICK_MS = 25;
const SEND_ODDS = 0.4;
const HOSTILE_ODDS = 0.01;
/** Longest wait for the links to settle once faults and sends stop. */
const DRAIN_CAP_MS = 40_000;

/** Everything counted during the run. */
const counts = {
  connections: 0,
  events: {} as Record<string, number>,
  closed: {} as Record<string, number>,
  disconnected: {} as Record<string, number>,
  refusedSends: 0,
  reentrantCalls: 0,
  reentrantThrows: 0,
  hostileReported: 0,
  inboundTicks: 0,
  inboundReordered: 0,
  inboundDuplicated: 0,
  channelErrors: 0,
};
const crashes: string[] = [];

class Slot {
  conn: Connection<ServerFrame, ClientFrame> | undefined;
  private stream!: StreamRecord;
  private streamId = 0;
  private seq = 0;
  private upNow = false;
  private restartTimer: NodeJS.Timeout | undefined;
  /** Last tick number per server link, to check inbound order per link. */
  private lastTick = new Map<number, number>();

  constructor(
    private readonly index: number,
    private readonly run: Run,
  ) {}

  start(): void {
    this.restartTimer = undefined;
    if (this.run.finishing) return;
    this.streamId = this.run.nextStream++;
    this.stream = { accepted: [], refused: new Set(), unsent: new Set(), linkLosses: 0 };
    this.run.streams.set(this.streamId, this.stream);
    this.seq = 0;
    this.upNow = false;
    const { hostility } = this.run;
    const streamId = this.streamId;
    const codec = this.index % 4 === 0;
    const conn = connect<ServerFrame, ClientFrame>({
      url: hostileUrl(this.run.url, hostility) as string,
      retry: { initialDelay: 50, maxDelay: 2_000, stableAfter: 2_000 },
      circuitBreaker: this.index % 3 === 0 ? { failureThreshold: 6, resetTimeout: 3_000 } : false,
      heartbeat: { interval: 1_000, timeout: 1_000 },
      connectTimeout: 3_000,
      buffer: { maxMessages: 2_000 },
      handshake: {
        message: () => (hostility.values && strikes(hostility, 0.5) ? (thenableThatThrows() as never) : { t: 'hello', s: streamId }),
        ack: (m) => m.t === 'welcome',
        timeout: 3_000,
      },
      // A transport options factory: usually plain options, now and then a thenable whose `then` getter throws.
      transport: () => (hostility.values && strikes(hostility, 0.5) ? (thenableThatThrows() as never) : { headers: { 'x-stream': String(streamId) } }),
      route: (m) => {
        if (strikes(hostility)) throw new HostileError('hostile route');
        return m.t === 'tick' ? m.k : undefined;
      },
      ...(codec ? { codec: hostileCodec(hostility) } : { serializer: hostileSerializer(hostility) }),
    });
    this.conn = conn;
    counts.connections++;
    conn.events$.subscribe({ next: (event) => this.onEvent(conn, event), error: () => undefined });
    // A subscriber that throws now and then: RxJS reports it (config.onUnhandledError).
    conn.events$.subscribe({
      next: () => {
        if (strikes(hostility)) throw new HostileError('hostile events$ subscriber');
      },
      error: () => undefined,
    });
    conn.messages$.subscribe({ next: (m) => this.onMessage(conn, m), error: () => undefined });
    for (const key of ['a', 'b']) this.subscribeChannel(conn, key);
  }

  /** One sequence-numbered send, if the link is not closed. */
  send(): void {
    const conn = this.conn;
    if (conn === undefined) return;
    const seq = this.seq++;
    try {
      conn.send({ t: 'm', s: this.streamId, q: seq });
      this.stream.accepted.push({ seq, lossesBefore: this.stream.linkLosses });
    } catch {
      this.stream.refused.add(seq);
      counts.refusedSends++;
    }
  }

  /** Up, restored and flushed: nothing of this slot is in flight. */
  settled(): boolean {
    if (this.conn === undefined) return this.restartTimer === undefined; // closed, and not starting again
    return this.conn.state === 'connected' && this.conn.buffered === 0;
  }

  close(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.conn?.close();
  }

  private subscribeChannel(conn: Connection<ServerFrame, ClientFrame>, key: string): void {
    const { hostility } = this.run;
    conn
      .channel({
        key,
        subscribe: () => {
          if (strikes(hostility, 0.5)) throw new HostileError('hostile subscribe builder');
          return { t: 'sub', k: key };
        },
        unsubscribe: { t: 'unsub', k: key },
        match: (m) => {
          if (strikes(hostility, 0.2)) throw new HostileError('hostile match');
          return m.t === 'tick' && m.k === key;
        },
        ack: (m) => {
          if (strikes(hostility, 0.5)) throw new HostileError('hostile ack');
          return m.t === 'ack' && m.k === key;
        },
        ackTimeout: 3_000,
      })
      .subscribe({
        error: () => {
          counts.channelErrors++;
          // A failed channel is gone: subscribe again a little later, while this connection lives.
          this.run.later(300, () => {
            if (this.conn === conn && conn.state !== 'closed') this.subscribeChannel(conn, key);
          });
        },
      });
  }

  private onEvent(conn: Connection<ServerFrame, ClientFrame>, event: ConnectionEvent<ClientFrame>): void {
    counts.events[event.type] = (counts.events[event.type] ?? 0) + 1;
    switch (event.type) {
      case 'Connected':
      case 'Reconnected':
        this.upNow = true;
        break;
      case 'Disconnected':
        counts.disconnected[event.reason] = (counts.disconnected[event.reason] ?? 0) + 1;
        // Losses while winding down count (a faulty link may die then); the final close() does not.
        if (this.upNow && !this.run.closing) this.stream.linkLosses++;
        this.upNow = false;
        break;
      case 'Closed':
        counts.closed[event.reason] = (counts.closed[event.reason] ?? 0) + 1;
        for (const message of event.unsent) if (message.t === 'm') this.stream.unsent.add(message.q);
        if (this.conn === conn) this.conn = undefined;
        if (!this.run.finishing) this.restartTimer = this.run.later(100, () => this.start());
        return;
    }
    if (this.run.finishing) return;
    const { hostility } = this.run;
    // Re-entrant calls from inside the handler, now and then.
    this.reentrant(() => {
      if (event.type === 'Disconnected' && event.permanent && hostility.random() < 0.5) conn.retry();
      else if (event.type === 'Reconnecting' && strikes(hostility, 5)) conn.retry();
      else if (event.type === 'CircuitBreakerOpen' && strikes(hostility, 10)) conn.retry();
      else if ((event.type === 'SubscriptionsRestored' || event.type === 'Connected') && strikes(hostility)) conn.reconnect();
      else if (event.type === 'SubscriptionsRestored' && strikes(hostility, 0.5)) conn.stopRetry();
      else if (event.type === 'Connecting' && strikes(hostility, 0.2)) conn.close();
      else return false;
      return true;
    });
  }

  private onMessage(conn: Connection<ServerFrame, ClientFrame>, message: ServerFrame): void {
    if (message.t === 'tick') {
      counts.inboundTicks++;
      const last = this.lastTick.get(message.c);
      if (last !== undefined && message.n === last) counts.inboundDuplicated++;
      else if (last !== undefined && message.n < last) counts.inboundReordered++;
      this.lastTick.set(message.c, Math.max(last ?? -1, message.n));
    }
    if (this.run.finishing) return;
    const { hostility } = this.run;
    this.reentrant(() => {
      if (strikes(hostility, 0.05)) conn.close();
      else if (strikes(hostility, 0.1)) conn.reconnect();
      else return false;
      return true;
    });
  }

  private reentrant(call: () => boolean): void {
    try {
      if (call()) counts.reentrantCalls++;
    } catch {
      counts.reentrantThrows++; // retry()/reconnect() after Closed throw ConnectionClosedError, as documented
    }
  }
}

class Run {
  readonly streams = new Map<number, StreamRecord>();
  nextStream = 0;
  finishing = false;
  /** The final close() has begun. */
  closing = false;
  readonly hostility: Hostility;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly url: string,
    args: Args,
    random: () => number,
  ) {
    this.hostility = { odds: () => (this.finishing ? 0 : HOSTILE_ODDS), values: args.hostileValues, random };
  }

  later(ms: number, action: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

/** Resource kinds (`process.getActiveResourcesInfo()`) beyond those in `baseline`. */
function leftover(baseline: readonly string[]): string[] {
  const left = [...process.getActiveResourcesInfo()];
  for (const kind of baseline) {
    const at = left.indexOf(kind);
    if (at !== -1) left.splice(at, 1);
  }
  return left;
}

async function until(condition: () => boolean, capMs: number): Promise<boolean> {
  const deadline = Date.now() + capMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const baseline = process.getActiveResourcesInfo();
  process.on('uncaughtException', (error) => void crashes.push(`uncaughtException: ${String(error?.stack ?? error)}`));
  process.on('unhandledRejection', (reason) => void crashes.push(`unhandledRejection: ${String((reason as Error)?.stack ?? reason)}`));
  config.onUnhandledError = (error) => {
    if (error instanceof HostileError) counts.hostileReported++;
    else crashes.push(`RxJS unhandled error: ${String((error as Error)?.stack ?? error)}`);
  };

  const random = seededRandom(args.seed);
  const server = await SoakServer.start();
  const proxy = await FaultProxy.start(server.port, seededRandom(args.seed + 1));
  const run = new Run(`ws://127.0.0.1:${proxy.port}`, args, random);
  const slots = Array.from({ length: args.links }, (_, i) => new Slot(i, run));
  const started = Date.now();
  console.log(`soak: ${args.links} links, ${args.minutes} min, seed ${args.seed}, hostile values ${args.hostileValues ? 'on' : 'off'}`);
  for (const slot of slots) slot.start();
  const sender = setInterval(() => {
    for (const slot of slots) if (random() < SEND_ODDS) slot.send();
  }, SEND_TICK_MS);
  const progress = setInterval(() => {
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    console.log(`  ${minutes} min: ${server.received} sends received, ${server.links} links, ${crashes.length} crashes`);
  }, 30_000);

  await new Promise((resolve) => setTimeout(resolve, args.minutes * 60_000));

  // Wind down: no new faults, no hostility, no sends; let every link settle, then close.
  clearInterval(sender);
  clearInterval(progress);
  run.finishing = true;
  proxy.faulty = false;
  let stable = 0;
  let lastReceived = -1;
  const drained = await until(() => {
    stable = server.received === lastReceived ? stable + 1 : 0;
    lastReceived = server.received;
    return proxy.faultyOpen === 0 && slots.every((slot) => slot.settled()) && stable >= 10;
  }, DRAIN_CAP_MS);
  run.closing = true;
  for (const slot of slots) slot.close();
  run.clearTimers();
  await until(() => slots.every((slot) => slot.conn === undefined), 5_000);
  await proxy.close();
  await server.close();
  const settled = await until(() => leftover(baseline).length === 0, 5_000);
  const left = settled ? [] : leftover(baseline);

  const ledger = reconcile(run.streams, server.arrivals);
  const faults = Object.entries(proxy.counts).filter(([fault]) => fault !== 'pass').reduce((sum, [, n]) => sum + n, 0);
  const mustBeZero = {
    'sends duplicated': ledger.duplicated,
    'sends reordered': ledger.reordered,
    'sends lost, unexplained': ledger.lostUnexplained,
    'sends returned unsent and delivered': ledger.unsentButDelivered,
    'phantom deliveries': ledger.phantom,
    'inbound reordered (per link)': counts.inboundReordered,
    'inbound duplicated (per link)': counts.inboundDuplicated,
    crashes: crashes.length,
    'resources left after close()': left.length,
  };
  console.log('\n== soak report ==');
  console.log(`duration            ${args.minutes} min (+ drain ${drained ? 'settled' : `capped at ${DRAIN_CAP_MS} ms`})`);
  console.log(`links               ${args.links} slots, ${counts.connections} connections, ${server.links} server links`);
  console.log(`faults              ${faults} (${Object.entries(proxy.counts).map(([f, n]) => `${f} ${n}`).join(', ')})`);
  console.log(`sends               ${ledger.accepted} accepted, ${ledger.delivered} delivered, ${ledger.returnedUnsent} returned in unsent, ${counts.refusedSends} refused by send()`);
  console.log(`at-most-once loss   ${ledger.lostOnDeadLink} (written to a link that then died)`);
  console.log(`inbound ticks       ${counts.inboundTicks}`);
  console.log(`hostility           ${counts.hostileReported} throwing subscribers reported by RxJS, ${counts.channelErrors} channel errors, ${counts.reentrantCalls} re-entrant calls (${counts.reentrantThrows} threw as documented)`);
  console.log(`events              ${JSON.stringify(counts.events)}`);
  console.log(`disconnected        ${JSON.stringify(counts.disconnected)}`);
  console.log(`closed              ${JSON.stringify(counts.closed)}`);
  for (const [what, n] of Object.entries(mustBeZero)) console.log(`${what.padEnd(38)} ${n}${n === 0 ? '' : '   <-- must be 0'}`);
  for (const loss of ledger.unexplained) console.log(`unexplained loss: ${JSON.stringify(loss)}`);
  // Crashes grouped by their message and the first frame in lib/, with one whole stack each.
  const groups = new Map<string, { count: number; stack: string }>();
  for (const crash of crashes) {
    const lines = crash.split('\n');
    const where = lines.find((line) => line.includes('/lib/'))?.trim() ?? '(no lib/ frame)';
    const key = `${lines[0]} ${where}`;
    const group = groups.get(key) ?? { count: 0, stack: crash };
    group.count++;
    groups.set(key, group);
  }
  for (const [key, { count, stack }] of groups) console.log(`\n${count} × ${key}\n${stack}`);
  if (left.length > 0) console.log(`resources left: ${left.join(', ')}`);
  const failed = Object.values(mustBeZero).some((n) => n !== 0);
  process.exitCode = failed ? 1 : 0;
  // Resources are checked above; exit now rather than wait on anything a failure left behind.
  setImmediate(() => process.exit());
}

void main();
