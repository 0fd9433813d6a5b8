import { now } from './clock';
import type { Client, ClientOptions, Contender, WsConstructor } from './contenders';
import { isHello, type Hello } from './control';
import { within } from './measure';

export interface FleetOptions {
  readonly url: string;
  readonly delay: number;
  readonly fixed?: boolean;
  readonly WebSocket: WsConstructor;
  /** Clients opened at once; the next batch waits for this one's hellos. */
  readonly batch?: number;
  /** Every hello, with the client's index and the time it arrived (shared clock, ms). */
  readonly onHello?: (index: number, hello: Hello, at: number) => void;
  /** Every other message. */
  readonly onMessage?: (message: unknown) => void;
  /** Bound on the whole opening, ms. */
  readonly timeoutMs?: number;
}

/**
 * Opens `n` clients of `contender` (in batches, so the server's listen backlog is never the
 * limit) and resolves once every one of them has received its first hello.
 */
export async function openFleet(contender: Contender, n: number, options: FleetOptions): Promise<Client[]> {
  const clients: Client[] = [];
  const greeted = new Uint8Array(n);
  let waiting = 0;
  let batchDone: () => void = () => undefined;
  const batch = options.batch ?? 500;
  const open = (index: number): Client => {
    const clientOptions: ClientOptions = {
      url: options.url,
      delay: options.delay,
      fixed: options.fixed ?? false,
      WebSocket: options.WebSocket,
      onMessage: (message) => {
        if (!isHello(message)) return options.onMessage?.(message);
        options.onHello?.(index, message, now());
        if (greeted[index] === 0) {
          greeted[index] = 1;
          if (--waiting === 0) batchDone();
        }
      },
    };
    return contender.open(clientOptions);
  };
  const opening = async (): Promise<void> => {
    for (let start = 0; start < n; start += batch) {
      const end = Math.min(n, start + batch);
      const done = new Promise<void>((resolve) => (batchDone = resolve));
      waiting = end - start;
      for (let index = start; index < end; index++) clients.push(open(index));
      await done;
    }
  };
  try {
    await within(opening(), options.timeoutMs ?? 30_000, `${contender.name}: opening ${n} clients`);
  } catch (error) {
    for (const client of clients) client.close();
    throw error;
  }
  return clients;
}
