import { natsConnect, type NatsConnectOptions, type NatsConnection } from '../../../../lib/nats';
import { within } from '../../../support/until';
import { ClientWatch } from '../../../../demo/nats/client-watch';

/** Fast, deterministic retries for one client (20, 40, 80, 160, 200… ms). */
export const FAST_RETRY = { initialDelay: 20, maxDelay: 200, multiplier: 2, jitter: 0 } as const;

/** A client and the watch on its events. */
export interface WatchedClient {
  readonly nc: NatsConnection;
  readonly watch: ClientWatch;
}

/** The clients a test opened, all closed (and their `events$` completed) by {@link closeAll}. */
export class Clients {
  private opened: WatchedClient[] = [];
  private readonly cleanups: Array<() => void> = [];

  /**
   * A client with {@link FAST_RETRY}, the servers in the order given and an immediate move off a
   * lame-duck server unless `options` says otherwise, watched from its first event.
   */
  open(options: NatsConnectOptions): WatchedClient {
    const nc = natsConnect({ retry: FAST_RETRY, noRandomize: true, lameDuckSpread: 0, ...options });
    const client = { nc, watch: new ClientWatch(nc) };
    this.opened.push(client);
    return client;
  }

  /** Something else to undo before the clients close (collectors, timers). */
  add(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }

  /** Closes every client and waits (bounded) for each `events$` to complete. */
  async closeAll(ms = 5_000): Promise<void> {
    const opened = this.opened;
    this.opened = [];
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    for (const { nc } of opened) nc.close();
    await within(Promise.all(opened.map(({ watch }) => watch.completed)), `${opened.length} clients to close`, ms);
    for (const { watch } of opened) watch.stop();
  }
}
