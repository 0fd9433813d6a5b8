import { firstValueFrom, take, throwError, timeout, toArray, type Observable } from 'rxjs';
import { natsConnect, type NatsConnectOptions, type NatsConnection } from '../../../lib/nats';
import { EventLog, FAST_RETRY, WAIT_MS } from '../../support/until';

export { FAST_RETRY, WAIT_MS };

/**
 * A client with fast retries, and its event log (recorded from the first `Connecting`). Unless
 * `options` says otherwise it uses the servers in the order given and leaves a lame-duck server
 * at once, so that tests know where it goes and when (the defaults have tests of their own).
 */
export function client(options: NatsConnectOptions): { nc: NatsConnection; log: EventLog } {
  const nc = natsConnect({ retry: FAST_RETRY, noRandomize: true, lameDuckSpread: 0, ...options });
  const log = new EventLog(nc as unknown as ConstructorParameters<typeof EventLog>[0]);
  return { nc, log };
}

/** The first `count` values of `source$`, or a rejection after `ms`. */
export function firstN<T>(source$: Observable<T>, count: number, ms = WAIT_MS): Promise<T[]> {
  return firstValueFrom(
    source$.pipe(
      take(count),
      toArray(),
      timeout({ first: ms, with: () => throwError(() => new Error(`fewer than ${count} values within ${ms} ms`)) }),
    ),
  );
}

/** `promise`, or a rejection after `ms`. */
export function within<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Resolves once `condition()` holds, polled every 10 ms; rejects after `ms`. */
export async function until(condition: () => boolean, what: string, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
