/**
 * `npm run demo -- --nats`: rx-reconnect/nats across a real 3-node nats-server cluster.
 *
 * Script: start the cluster (n0, n1, n2 on 127.0.0.1) → a publisher on n0 and a subscriber on n1,
 * one message every 100 ms → SIGKILL n0, the publisher's node: it fails over, what it published
 * meanwhile was buffered and goes out on the new node → n0 restarted on the same ports →
 * lame-duck n1, now the node of both clients: they move before it stops → the counts → everything
 * closed. Run by `demo/nats/run.ts`.
 */
import { natsConnect, type NatsConnection } from '../../lib/nats';
import { EVENT_COLOUR, formatEvent } from '../format-event';
import { Timeline } from '../timeline';
import { ClientWatch } from './client-watch';
import { NatsCluster } from './cluster';
import { pollUntil } from './probe';

const PUBLISH_EVERY_MS = 100;
const STREAM_MS = 1_500;
const WAIT_MS = 5_000;
const SUBJECT = 'demo.ticks';
/** Messages published at once when the publisher notices the kill (buffered until it is back). */
const BURST = 5;
const RETRY = { initialDelay: 50, maxDelay: 1_000, jitter: 0.5 } as const;
/** How long after its SUB is restored a subscription may take to reach the other nodes. */
const ROUTE_MARGIN_MS = 50;

/** A demo client: the connection, the watch on its events, its timeline tag. */
interface DemoClient {
  readonly tag: string;
  readonly nc: NatsConnection;
  readonly watch: ClientWatch;
}

/**
 * Runs the NATS cluster demo, printing its timeline on stdout. Resolves when every check passed
 * and everything is closed (no process, socket or timer left); rejects, after cleaning up, with
 * the failed checks or the first error.
 */
export async function runNatsDemo(): Promise<void> {
  const timeline = new Timeline();
  timeline.line('demo', 'starting a 3-node nats-server cluster on 127.0.0.1', 'bold');
  const cluster = await NatsCluster.start();
  const node = (url: string | undefined): string => (url === undefined ? 'none' : `n${cluster.indexOf(url)}`);
  for (const [i, url] of cluster.wsUrls.entries()) timeline.line('[nats]', `n${i} ready: ${url}, routes to the other two`, 'blue');

  const clients: DemoClient[] = [];
  const open = (tag: string, servers: string[]): DemoClient => {
    // Moves off a lame-duck node spread over 1 s: within the demo cluster's 2 s grace period.
    const nc = natsConnect({ servers, name: `demo-${tag}`, retry: RETRY, lameDuckSpread: 1_000 });
    const watch = new ClientWatch(nc);
    nc.events$.subscribe((event) => {
      const text = formatEvent(event).replace(/url=(\S+)/, (_, url: string) => `url=${url} (${node(url)})`);
      timeline.line(tag, text, EVENT_COLOUR[event.type]);
    });
    const client = { tag, nc, watch };
    clients.push(client);
    return client;
  };

  let publisherTimer: NodeJS.Timeout | undefined;
  try {
    const pub = open('pub', cluster.wsUrls);
    const sub = open('sub', [cluster.wsUrl(1), cluster.wsUrl(2), cluster.wsUrl(0)]);
    await Promise.all([pub.watch.waitFor('Connected', { ms: WAIT_MS }), sub.watch.waitFor('Connected', { ms: WAIT_MS })]);

    const received: number[] = [];
    let subscriptionError: unknown;
    sub.nc.subscribe(SUBJECT).subscribe({
      next: (msg) => received.push(Number(msg.string())),
      error: (error: unknown) => (subscriptionError = error),
    });
    // The SUB reaches the publisher's node over a route: wait for interest (probe messages, seq 0).
    await pollUntil(() => (pub.nc.publish(SUBJECT, '0'), received.includes(0)), `${SUBJECT} routed to n0`, WAIT_MS, 50);
    timeline.line('demo', `sub subscribed to ${SUBJECT} on ${node(sub.nc.currentServer)}; pub publishes every ${PUBLISH_EVERY_MS} ms on ${node(pub.nc.currentServer)}`, 'bold');

    const published: number[] = [];
    const publishedAt: number[] = [];
    const buffered: number[] = [];
    const publish = (): void => {
      const seq = published.length + 1;
      if (pub.watch.state !== 'connected') buffered.push(seq);
      pub.nc.publish(SUBJECT, String(seq));
      published.push(seq);
      publishedAt.push(Date.now());
    };
    publisherTimer = setInterval(publish, PUBLISH_EVERY_MS);
    await sleep(STREAM_MS);

    // 1. SIGKILL the publisher's node.
    const killed = cluster.indexOf(pub.nc.currentServer);
    timeline.line('demo', `SIGKILL n${killed}, the publisher's node`, 'bold');
    const killedAt = Date.now();
    await cluster.kill(killed);
    timeline.line('[nats]', `n${killed} is dead`, 'blue');
    const noticed = await pub.watch.waitFor('Disconnected', { since: killedAt, ms: WAIT_MS });
    for (let i = 0; i < BURST; i++) publish();
    timeline.line('demo', `pub publishes ${BURST} messages while ${pub.watch.state}: buffered`, 'bold');
    const failover = await pub.watch.waitFor('Reconnected', { since: killedAt, ms: WAIT_MS });
    // Buffered during this failover (a later move may buffer a few more: not these).
    const failoverBuffered = buffered.filter((seq) => publishedAt[seq - 1] <= failover.at);
    timeline.line('demo', `pub failed over to ${node(failover.event.url)} ${failover.at - killedAt} ms after the kill; ${failoverBuffered.length} publishes were buffered meanwhile`, 'bold');
    await sleep(STREAM_MS);
    await cluster.restart(killed);
    timeline.line('[nats]', `n${killed} restarted on the same ports, routes up`, 'blue');

    // 2. Lame duck on the node both clients now use.
    const lame = cluster.indexOf(sub.nc.currentServer);
    const users = clients.filter((c) => c.nc.currentServer === cluster.wsUrl(lame)).map((c) => c.tag);
    timeline.line('demo', `lame-duck n${lame} (SIGUSR2), used by: ${users.join(', ')}`, 'bold');
    const ldmAt = Date.now();
    const exited = cluster.lameDuck(lame).then(() => Date.now());
    const moves = await Promise.all(
      clients
        .filter((c) => users.includes(c.tag))
        .map(async (c) => ({ tag: c.tag, ...(await c.watch.waitFor('Reconnected', { since: ldmAt, ms: WAIT_MS })) })),
    );
    for (const move of moves) timeline.line('demo', `${move.tag} left n${lame} for ${node(move.event.url)} ${move.at - ldmAt} ms after the signal`, 'bold');
    const exitedAt = await exited;
    timeline.line('[nats]', `n${lame} exited ${exitedAt - ldmAt} ms after the signal`, 'blue');
    await sleep(STREAM_MS);

    clearInterval(publisherTimer);
    const last = published.length;
    await pollUntil(() => received.includes(last), `message ${last} at the subscriber`, WAIT_MS).catch(() => undefined);

    const delivered = received.filter((seq) => seq > 0);
    const distinct = new Set(delivered);
    const lost = published.filter((seq) => !distinct.has(seq));
    const restoredAfterMove = sub.watch.of('SubscriptionsRestored').filter((s) => s.at >= ldmAt);
    // Core NATS delivers at most once: what was in flight to the killed node, and what was
    // published while the subscriber itself was between nodes, may be lost. Nothing else may.
    const subLeft = sub.watch.of('Disconnected').find((d) => d.at >= ldmAt)?.at ?? Infinity;
    const subBack = (restoredAfterMove[0]?.at ?? Infinity) + ROUTE_MARGIN_MS;
    const excused = (seq: number): string | undefined => {
      const at = publishedAt[seq - 1];
      if (at >= killedAt && at <= noticed.at) return 'in flight to the killed node';
      if (at >= subLeft && at <= subBack) return 'published while the subscriber was between nodes';
      return undefined;
    };
    const checks: Array<[string, boolean]> = [
      [`pub failed over off n${killed} after the kill`, cluster.indexOf(failover.event.url) !== killed],
      [
        `the ${failoverBuffered.length} publishes buffered during the failover were delivered once, in order`,
        failoverBuffered.length >= BURST &&
          failoverBuffered.every((seq) => delivered.filter((s) => s === seq).length === 1) &&
          isSorted(delivered.filter((seq) => failoverBuffered.includes(seq))),
      ],
      [`every client on n${lame} moved before it exited`, moves.length > 0 && moves.every((move) => move.at < exitedAt && cluster.indexOf(move.event.url) !== lame)],
      ['sub restored its subscription after its move (SubscriptionsRestored count=1)', !users.includes('sub') || restoredAfterMove.some((s) => s.event.count === 1)],
      ['no message delivered twice, all in order', distinct.size === delivered.length && isSorted(delivered)],
      [`nothing lost but at-most-once cases (got ${distinct.size} of ${published.length})`, lost.every((seq) => excused(seq) !== undefined)],
      ['the subscription never errored', subscriptionError === undefined],
    ];
    timeline.plain();
    timeline.plain('Summary', 'bold');
    timeline.plain(`  published ${published.length}, received ${delivered.length}, lost ${lost.length}, duplicated ${delivered.length - distinct.size}`);
    for (const seq of lost) timeline.plain(`    lost #${seq}: ${excused(seq) ?? 'UNEXPLAINED'}`, excused(seq) ? 'yellow' : 'red');
    timeline.plain(`  failover after SIGKILL: ${failover.at - killedAt} ms; lame-duck moves: ${moves.map((m) => `${m.tag} ${m.at - ldmAt} ms`).join(', ')}; n${lame} exited after ${exitedAt - ldmAt} ms`);
    timeline.plain('  checks:');
    for (const [label, ok] of checks) timeline.plain(`    ${ok ? 'ok  ' : 'FAIL'} ${label}`, ok ? 'green' : 'red');
    const failed = checks.filter(([, ok]) => !ok).map(([label]) => label);
    if (failed.length > 0) throw new Error(`NATS demo checks failed: ${failed.join('; ')}`);
  } finally {
    clearInterval(publisherTimer);
    for (const client of clients) client.nc.close();
    for (const client of clients) client.watch.stop();
    await cluster.stop();
    timeline.line('demo', 'clients closed, cluster stopped', 'bold');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isSorted(values: readonly number[]): boolean {
  return values.every((value, i) => i === 0 || values[i - 1] < value);
}
