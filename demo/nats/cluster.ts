import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './free-ports';
import { NatsNode, type NatsNodePorts } from './nats-node';

/** How {@link NatsCluster.start} builds the cluster. */
export interface NatsClusterOptions {
  /**
   * Number of nodes, each routed to all the others.
   * @default 3
   */
  readonly size?: number;
  /**
   * `lame_duck_grace_period` in ms: how long a lame-duck node waits for its clients to leave
   * before it closes them (they are told at once, by an INFO with `ldm: true`).
   * @default 2000
   */
  readonly lameDuckGracePeriod?: number;
  /**
   * `lame_duck_duration` in ms; nats-server 2.9 accepts no less than 30 s. A lame-duck node
   * exits after the grace period plus `duration − grace` spread over its remaining clients
   * (at most 1 s between two), so with few clients it is gone soon after the grace period.
   * @default 30000
   */
  readonly lameDuckDuration?: number;
  /**
   * Bound in ms on each node's start (ws port accepting and every route up).
   * @default 15000
   */
  readonly startTimeout?: number;
  /**
   * Bound in ms on a lame-duck exit or a graceful stop before the node is SIGKILLed.
   * @default 40000
   */
  readonly exitTimeout?: number;
  /**
   * The nats-server executable (Debian installs it in /usr/sbin).
   * @default 'nats-server', else '/usr/sbin/nats-server' when not on the PATH
   */
  readonly executable?: string;
  /**
   * JetStream on every node (`-js`), each with a store directory of its own under the
   * cluster's temp directory (kept across restarts, removed by `stop()`).
   * @default false
   */
  readonly jetstream?: boolean;
}

/** The defaults of {@link NatsClusterOptions}. */
export const DEFAULT_NATS_CLUSTER_OPTIONS = {
  size: 3,
  lameDuckGracePeriod: 2_000,
  lameDuckDuration: 30_000,
  startTimeout: 15_000,
  exitTimeout: 40_000,
  jetstream: false,
} as const;

/**
 * A local nats-server cluster on 127.0.0.1 for tests and the demo: every node in a temp
 * directory of its own, on free ports that stay the same across restarts, with a WebSocket
 * listener (no TLS), HTTP monitoring and explicit routes to every other node.
 *
 * Nodes are numbered from 0. `stop()` leaves no process and no temp directory behind; a process
 * that exits without calling it still SIGKILLs its nodes (an `exit` hook).
 *
 * @example
 * const cluster = await NatsCluster.start();
 * const nc = natsConnect({ servers: cluster.wsUrls });
 * await cluster.kill(0);     // SIGKILL the node in use
 * await cluster.restart(0);  // back on the same ports, routes up
 * await cluster.stop();
 */
export class NatsCluster {
  private stopped = false;
  private readonly exitHook = (): void => {
    for (const node of this.nodes) node.killNow();
  };

  private constructor(
    /** The nodes, in order. */
    readonly nodes: readonly NatsNode[],
    private readonly dir: string,
    private readonly options: Required<Omit<NatsClusterOptions, 'executable' | 'size' | 'jetstream'>>,
  ) {
    process.once('exit', this.exitHook);
  }

  /** Starts every node and resolves once each accepts WebSocket clients and sees all its routes. */
  static async start(options: NatsClusterOptions = {}): Promise<NatsCluster> {
    const settings = { ...DEFAULT_NATS_CLUSTER_OPTIONS, ...options };
    const { size, lameDuckGracePeriod, lameDuckDuration, startTimeout, exitTimeout, jetstream } = settings;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a positive integer, got ${size}`);
    if (lameDuckDuration < 30_000) throw new RangeError(`lameDuckDuration: nats-server 2.9 needs at least 30000 ms, got ${lameDuckDuration}`);
    if (!(lameDuckGracePeriod >= 0 && lameDuckGracePeriod < lameDuckDuration)) {
      throw new RangeError(`lameDuckGracePeriod must be in [0, lameDuckDuration), got ${lameDuckGracePeriod}`);
    }
    const executable = options.executable ?? defaultExecutable();
    const dir = await mkdtemp(join(tmpdir(), 'nats-cluster-'));
    const flat = await freePorts(size * 4);
    const ports: NatsNodePorts[] = Array.from({ length: size }, (_, i) => ({
      client: flat[i * 4],
      websocket: flat[i * 4 + 1],
      cluster: flat[i * 4 + 2],
      http: flat[i * 4 + 3],
    }));
    const nodes = ports.map(
      (own, i) =>
        new NatsNode({
          name: `n${i}`,
          clusterName: 'rx-reconnect',
          ports: own,
          peerClusterPorts: ports.filter((_, j) => j !== i).map((peer) => peer.cluster),
          dir,
          lameDuckDuration,
          lameDuckGracePeriod,
          executable,
          jetstream,
        }),
    );
    const cluster = new NatsCluster(nodes, dir, { lameDuckGracePeriod, lameDuckDuration, startTimeout, exitTimeout });
    try {
      await Promise.all(nodes.map((node) => node.start(size - 1, startTimeout)));
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** Number of nodes. */
  get size(): number {
    return this.nodes.length;
  }

  /** The WebSocket URL of node `i` (`ws://127.0.0.1:<port>`), alive or not. */
  wsUrl(i: number): string {
    return this.node(i).wsUrl;
  }

  /** Every node's WebSocket URL, in node order. */
  get wsUrls(): string[] {
    return this.nodes.map((node) => node.wsUrl);
  }

  /** The index of the node whose WebSocket URL is `url`, or -1. */
  indexOf(url: string | undefined): number {
    return this.nodes.findIndex((node) => node.wsUrl === url);
  }

  /** Whether node `i` is running. */
  running(i: number): boolean {
    return this.node(i).running;
  }

  /** SIGKILLs node `i`; resolves once its process has exited. */
  kill(i: number): Promise<void> {
    return this.node(i).kill();
  }

  /**
   * Puts node `i` in lame-duck mode (SIGUSR2, as `nats-server --signal ldm=<pid>`); resolves once
   * its process has exited (after the grace period, see {@link NatsClusterOptions}).
   */
  lameDuck(i: number): Promise<void> {
    return this.node(i).lameDuck(this.options.exitTimeout);
  }

  /**
   * Restarts node `i` on the same ports (stopping it first, gracefully, if it runs); resolves
   * once it accepts WebSocket clients and sees all its routes.
   */
  async restart(i: number): Promise<void> {
    const node = this.node(i);
    if (this.stopped) throw new Error('the cluster is stopped');
    await node.stop(this.options.exitTimeout);
    await node.start(this.size - 1, this.options.startTimeout);
  }

  /** Stops every node (SIGKILL: tests have nothing to drain) and removes the temp directory. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(this.nodes.map((node) => node.kill()));
    process.removeListener('exit', this.exitHook);
    await rm(this.dir, { recursive: true, force: true });
  }

  private node(i: number): NatsNode {
    const node = this.nodes[i];
    if (!node) throw new RangeError(`no node ${i} (the cluster has ${this.nodes.length})`);
    return node;
  }
}

/** `nats-server` from the PATH, else Debian's /usr/sbin one (not on a normal user's PATH). */
function defaultExecutable(): string {
  const onPath = (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsExecutable(join(dir, 'nats-server')));
  return onPath ? 'nats-server' : '/usr/sbin/nats-server';
}

function existsExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
