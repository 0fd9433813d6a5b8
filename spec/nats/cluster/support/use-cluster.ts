import { NatsCluster, type NatsClusterOptions } from '../../../../demo/nats/cluster';
import { Clients } from './clients';

/** What a describe block gets from {@link useCluster}. */
export interface ClusterFixture {
  /** The running cluster (read it inside a test: it starts in `beforeAll`). */
  readonly cluster: NatsCluster;
  /** The clients a test opens; closed after each test. */
  readonly clients: Clients;
}

/**
 * A 3-node cluster for the enclosing describe block: started before its tests, stopped after
 * them (no process left), with the clients each test opened closed after it, within
 * `closeWithin` ms; `options` as {@link NatsCluster.start} takes them.
 */
export function useCluster(closeWithin?: number, options?: NatsClusterOptions): ClusterFixture {
  const clients = new Clients();
  let started: NatsCluster | undefined;
  beforeAll(async () => {
    started = await NatsCluster.start(options);
  });
  afterEach(() => clients.closeAll(closeWithin));
  afterAll(() => started?.stop());
  return {
    clients,
    get cluster(): NatsCluster {
      if (started === undefined) throw new Error('the cluster is not started: read it inside a test');
      return started;
    },
  };
}
