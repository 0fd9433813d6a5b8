import type { NatsCluster } from '../../../../demo/nats/cluster';
import { getJson } from '../../../../demo/nats/probe';

interface Connz {
  readonly connections?: ReadonlyArray<{ readonly name?: string; readonly subscriptions_list?: readonly string[] }>;
}

/**
 * Where the cluster sees each named client connection and its subscriptions (from every running
 * node's `/connz?subs=1`): name → { node, subjects }. A name seen on two nodes keeps both.
 */
export async function connectionsByName(cluster: NatsCluster): Promise<Map<string, Array<{ node: number; subjects: string[] }>>> {
  const found = new Map<string, Array<{ node: number; subjects: string[] }>>();
  for (const [node, nats] of cluster.nodes.entries()) {
    if (!nats.running) continue;
    const connz = await getJson<Connz>(nats.options.ports.http, '/connz?subs=1&limit=100000', 3_000);
    for (const conn of connz.connections ?? []) {
      if (!conn.name) continue;
      const list = found.get(conn.name) ?? [];
      list.push({ node, subjects: [...(conn.subscriptions_list ?? [])] });
      found.set(conn.name, list);
    }
  }
  return found;
}
