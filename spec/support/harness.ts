import type { SchedulerLike } from 'rxjs';
import { connect, type Connection, type ConnectionEvent, type ConnectOptions } from '../../lib';
import { TestServer, type TestServerOptions } from '../../lib/testing';
import { summarize } from './marbles';

/** A connection to a {@link TestServer}, with its events recorded against virtual time. */
export interface Harness<In, Out> {
  readonly server: TestServer;
  readonly conn: Connection<In, Out>;
  /** `[frame, summary]` of every event so far. */
  readonly timeline: Array<[number, string]>;
  /** Every event so far, whole. */
  readonly events: ConnectionEvent<Out>[];
  /** The states `state$` emitted so far. */
  readonly states: string[];
  /** Runs `action` at virtual time `frame`. */
  at(frame: number, action: () => void): void;
}

/**
 * Builds a connection on the TestScheduler's virtual time (call inside `run()`), with
 * deterministic retries (`jitter: 0`, and `multiplier: 2`, which the specs' timelines assume)
 * unless the options say otherwise, and closes it at `closeAt` so the scheduler's flush ends.
 */
export function harness<In = unknown, Out = unknown>(
  scheduler: SchedulerLike,
  options: Partial<ConnectOptions<In, Out>> = {},
  serverOptions: TestServerOptions = {},
  closeAt = 100_000,
): Harness<In, Out> {
  const server = new TestServer(serverOptions);
  // The timelines in the specs were written for ×2 (0.1's default; 1.5 since 0.2): keep them
  // readable (100, 200, 400…) unless a test gives its own multiplier.
  const retry = options.retry === false ? false : { jitter: 0, multiplier: 2, ...options.retry };
  const conn = connect<In, Out>({ url: 'ws://test', WebSocket: server.WebSocket, ...options, retry });
  const timeline: Array<[number, string]> = [];
  const events: ConnectionEvent<Out>[] = [];
  const states: string[] = [];
  conn.events$.subscribe((event) => {
    events.push(event);
    timeline.push([scheduler.now(), summarize(event)]);
  });
  conn.state$.subscribe((state) => states.push(state));
  const at = (frame: number, action: () => void): void => {
    scheduler.schedule(action, frame - scheduler.now());
  };
  at(closeAt, () => conn.close());
  return { server, conn, timeline, events, states, at };
}
