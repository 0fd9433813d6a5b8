import { firstValueFrom } from 'rxjs';
import type { NatsCluster } from '../../../../demo/nats/cluster';
import { getJson, pollUntil } from '../../../../demo/nats/probe';
import type { JetStreamManager, StreamInfo } from '../../../../lib/nats';

interface Jsz {
  readonly meta_cluster?: { readonly leader?: string; readonly cluster_size?: number };
}

/** Resolves once every running node knows the JetStream meta leader (bounded by `ms`). */
export async function untilMetaLeader(cluster: NatsCluster, ms = 20_000): Promise<string> {
  let leader = '';
  await pollUntil(
    async () => {
      const leaders = new Set<string>();
      for (const node of cluster.nodes) {
        if (!node.running) continue;
        const jsz = await getJson<Jsz>(node.options.ports.http, '/jsz', 1_000).catch(() => undefined);
        const seen = jsz?.meta_cluster?.leader;
        if (!seen) return false;
        leaders.add(seen);
      }
      if (leaders.size !== 1) return false;
      leader = [...leaders][0];
      return true;
    },
    'a JetStream meta leader known to every node',
    ms,
    100,
  );
  return leader;
}

/** The index of the node named `name` (`n0`, `n1`…), or -1. */
export function nodeNamed(cluster: NatsCluster, name: string | undefined): number {
  return cluster.nodes.findIndex((node) => node.options.name === name);
}

/**
 * Stream info once the stream has a leader and every replica is current (bounded by `ms`):
 * after a restart, the node is back in the stream's quorum before the next fault.
 */
export async function untilStreamCurrent(jsm: JetStreamManager, stream: string, replicas: number, ms = 30_000): Promise<StreamInfo> {
  let info: StreamInfo | undefined;
  await pollUntil(
    async () => {
      info = await firstValueFrom(jsm.streams.info(stream)).catch(() => undefined);
      const peers = info?.cluster?.replicas ?? [];
      return (
        info?.cluster?.leader !== undefined &&
        peers.length === replicas - 1 &&
        peers.every((peer) => peer.current && !peer.offline)
      );
    },
    `stream ${stream} with a leader and ${replicas - 1} current replicas`,
    ms,
    100,
  );
  return info!;
}
