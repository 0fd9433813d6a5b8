import type { Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { ackedSender, connect, type AckedSender, type AckedSendOptions, type ConnectOptions, type Connection } from '../../lib';
import { TestServer } from '../../lib/testing';
import { summarize } from '../support/marbles';

/** What the client sends: an order with an id, or a plain note. */
export type Out = { op: 'order'; id: string; dup?: true } | { op: 'note'; text: string } | { op: 'sub'; topic: string };
/** What the server sends: an ack (or a nack) of an order, or data. */
export type In = { op: 'ack'; id: string; ok?: false } | { op: 'data'; n: number };

/** An order with id `id`. */
export function order(id: string): Out {
  return { op: 'order', id };
}

/** The ack of order `id`. */
export function ack(id: string): In {
  return { op: 'ack', id };
}

/** One connection with an acked sender on a TestServer, and what it saw. */
export interface AckedRig {
  readonly server: TestServer;
  readonly conn: Connection<In, Out>;
  readonly sender: AckedSender<In, Out>;
  /** Event summaries, each with the virtual time it was delivered. */
  readonly events: string[];
  /** What each server connection received (JSON-decoded frames), by connection index. */
  received(): unknown[][];
  /** Closes the connection at virtual time `time`. */
  closeAt(time: number): void;
  /** Records every notification of `ack$` as `time kind value`. */
  watch(ack$: Observable<In>): string[];
}

/** Builds the rig inside `scheduler.run()`: heartbeats off, no jitter, backoff 100, 200, …. */
export function ackedRig(
  scheduler: TestScheduler,
  options: Partial<AckedSendOptions<In, Out>> = {},
  connectOptions: Partial<ConnectOptions<In, Out>> = {},
): AckedRig {
  const server = new TestServer();
  const conn = connect<In, Out>({
    url: 'ws://test',
    WebSocket: server.WebSocket,
    heartbeat: false,
    retry: { jitter: 0, multiplier: 2, initialDelay: 100 },
    ...connectOptions,
  });
  const sender = ackedSender(conn, {
    id: (m) => (m.op === 'order' ? m.id : 'none'),
    ackOf: (m) => (m.op === 'ack' ? m.id : undefined),
    ...options,
  });
  const events: string[] = [];
  conn.events$.subscribe((e) => events.push(`${scheduler.now()} ${summarize(e)}`));
  return {
    server,
    conn,
    sender,
    events,
    received: () => server.connections.map((c) => c.received),
    closeAt: (time) => void scheduler.schedule(() => conn.close(), time),
    watch(ack$) {
      const seen: string[] = [];
      ack$.subscribe({
        next: (m) => seen.push(`${scheduler.now()} next ${JSON.stringify(m)}`),
        error: (e: unknown) => seen.push(`${scheduler.now()} error ${(e as Error).name}`),
        complete: () => seen.push(`${scheduler.now()} complete`),
      });
      return seen;
    },
  };
}
