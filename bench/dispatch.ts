import { performance } from 'node:perf_hooks';
import { openLib } from './clients';
import type { RunResult } from './inbound';
import { MemoryProbe, since, within } from './measure';
import type { BenchServer } from './server';

/** A message on one of many topics, as the server sends it with `topics > 0`. */
interface TopicMessage {
  readonly topic: string;
  readonly seq: number;
}

type Subscription = { op: 'subscribe' | 'unsubscribe'; topic: string };

/** How inbound messages find their channel. */
export type Dispatch = 'route' | 'match';

/**
 * (d) `channels` channels open; the server sends `n` messages spread evenly over their
 * topics; time until every message was delivered to its channel. With `route`, dispatch is
 * one map lookup per message; with `match` only, every channel's predicate is tried.
 */
export async function dispatch(server: BenchServer, mode: Dispatch, channels: number, n: number): Promise<RunResult> {
  let delivered = 0;
  let allIn!: () => void;
  const done = new Promise<void>((resolve) => (allIn = resolve));
  const onMessage = (): void => {
    if (++delivered === n) allIn();
  };
  const { received: subscribed } = await server.expect(channels);
  const conn = await openLib<TopicMessage, Subscription>(
    server.url,
    mode === 'route' ? { route: (m) => m.topic } : {},
    (c) => {
      for (let i = 0; i < channels; i++) {
        const topic = `t:${i}`;
        c.channel({
          key: topic,
          subscribe: { op: 'subscribe', topic },
          unsubscribe: { op: 'unsubscribe', topic },
          ...(mode === 'match' ? { match: (m: TopicMessage) => m.topic === topic } : {}),
        }).subscribe(onMessage);
      }
    },
  );
  await within(subscribed, 10_000, `${mode}: ${channels} subscriptions`);
  const memory = new MemoryProbe();
  const start = performance.now();
  await server.blast(n, channels);
  await within(done, 20_000, `${mode} dispatch`);
  const ms = since(start);
  const cost = memory.stop();
  conn.close();
  await server.reset();
  return { ms, perSecond: (n / ms) * 1000, ...cost };
}
