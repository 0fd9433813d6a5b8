import { fork, type ChildProcess } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import type { Ack, CommandBody, ServerCommand, ServerNotice } from './control';

/** Where the server runs: a worker thread (default), or a child process (own fd limit, for `--scale`). */
export type ServerHost = 'thread' | 'process';

interface Endpoint {
  post(command: ServerCommand): void;
  onMessage(listener: (notice: ServerNotice) => void): void;
  onError(listener: (error: Error) => void): void;
  exited: Promise<void>;
}

/**
 * The bench's ws server on 127.0.0.1 (port 0), running in a worker thread or a child process:
 * the main thread is left to the client under test. Commands are acknowledged before their
 * effects, so a measurement can be armed before the traffic it counts starts.
 */
export class BenchServer {
  private nextId = 1;
  private readonly waiting = new Map<string, (notice: ServerNotice) => void>();
  private dropListener: ((total: number) => void) | undefined;

  private constructor(
    private readonly endpoint: Endpoint,
    /** `ws://127.0.0.1:<port>` */
    readonly url: string,
  ) {
    endpoint.onMessage((notice) => this.notice(notice));
  }

  /** Starts the server and resolves once it listens. */
  static start(host: ServerHost = 'thread', backlog = 511): Promise<BenchServer> {
    const script = require.resolve('./server-worker');
    const tsNode = require.resolve('ts-node/register/transpile-only');
    const endpoint = host === 'thread' ? threadEndpoint(script, tsNode, backlog) : processEndpoint(script, tsNode, backlog);
    return new Promise<BenchServer>((resolve, reject) => {
      let started = false;
      endpoint.onError((error) => {
        if (!started) return reject(error);
        process.stderr.write(`bench server crashed: ${error.stack ?? error.message}\n`);
        process.exit(1);
      });
      endpoint.onMessage((notice) => {
        if (started) return;
        started = true;
        if (notice.event !== 'listening') return reject(new Error(`unexpected ${notice.event}`));
        resolve(new BenchServer(endpoint, `ws://127.0.0.1:${notice.port}`));
      });
    });
  }

  /**
   * Has the server send `n` messages to every open client; resolves once it started, with
   * a promise of the moment the last one was written.
   */
  async blast(n: number, topics = 0, bytes = 0): Promise<{ written: Promise<void> }> {
    const { id, acked } = this.command({ cmd: 'blast', n, topics, bytes });
    const written = this.await('blasted', id).then(() => undefined);
    await acked;
    return { written };
  }

  /** Arms a counter of inbound frames; resolves once armed, with a promise of the `n`-th frame. */
  async expect(n: number): Promise<{ received: Promise<void> }> {
    const { id, acked } = this.command({ cmd: 'expect', n });
    const received = this.await('received', id).then(() => undefined);
    await acked;
    return { received };
  }

  /** While on, a frame containing `DROP_MARKER` gets its socket terminated. */
  async dropMode(on: boolean, onDropped?: (total: number) => void): Promise<void> {
    this.dropListener = onDropped;
    await this.command({ cmd: 'drop-mode', on }).acked;
  }

  /** Terminates every client; resolves with how many were open. */
  async reset(): Promise<number> {
    return (await this.command({ cmd: 'reset' }).acked).clients;
  }

  /**
   * The server stops listening and drops every socket, and listens again on the same port
   * `ms` later: resolves with the times (shared clock, ms) it went down and came back up.
   */
  async outage(ms: number): Promise<{ down: number; up: number; dropped: number }> {
    const { id, acked } = this.command({ cmd: 'outage', ms });
    const down = this.await('down', id) as Promise<Extract<ServerNotice, { event: 'down' }>>;
    const up = this.await('up', id) as Promise<Extract<ServerNotice, { event: 'up' }>>;
    await acked;
    const [d, u] = await Promise.all([down, up]);
    return { down: d.at, up: u.at, dropped: d.clients };
  }

  /** The TCP accept times (shared clock, ms) since the last outage ended; stops logging them. */
  async accepts(): Promise<readonly number[]> {
    const { id, acked } = this.command({ cmd: 'accepts' });
    const reply = this.await('accepts', id) as Promise<Extract<ServerNotice, { event: 'accepts' }>>;
    await acked;
    return (await reply).times;
  }

  /** Closes the server and ends the worker. */
  async stop(): Promise<void> {
    await this.command({ cmd: 'stop' }).acked;
    await this.endpoint.exited;
  }

  private command(body: CommandBody): { id: number; acked: Promise<Ack> } {
    const id = this.nextId++;
    const acked = this.await('ack', id) as Promise<Ack>;
    this.endpoint.post({ ...body, id } as ServerCommand);
    return { id, acked };
  }

  private await(event: ServerNotice['event'], id: number): Promise<ServerNotice> {
    return new Promise((resolve) => this.waiting.set(`${event}:${id}`, resolve));
  }

  private notice(notice: ServerNotice): void {
    if (notice.event === 'dropped') {
      this.dropListener?.(notice.total);
      return;
    }
    if (notice.event === 'listening') return;
    const key = `${notice.event}:${notice.id}`;
    const resolve = this.waiting.get(key);
    this.waiting.delete(key);
    resolve?.(notice);
  }
}

function threadEndpoint(script: string, tsNode: string, backlog: number): Endpoint {
  // The worker runs TypeScript like the main thread: through ts-node's require hook.
  const worker = new Worker(`require(${JSON.stringify(tsNode)}); require(${JSON.stringify(script)});`, {
    eval: true,
    workerData: { backlog },
  });
  return {
    post: (command) => worker.postMessage(command),
    onMessage: (listener) => void worker.on('message', listener),
    onError: (listener) => void worker.on('error', listener),
    exited: new Promise<void>((resolve) => worker.once('exit', () => resolve())),
  };
}

function processEndpoint(script: string, tsNode: string, backlog: number): Endpoint {
  const child: ChildProcess = fork(script, [String(backlog)], { execArgv: ['-r', tsNode], stdio: 'inherit' });
  return {
    post: (command) => void child.send(command),
    onMessage: (listener) => void child.on('message', (notice) => listener(notice as ServerNotice)),
    onError: (listener) => void child.on('error', listener),
    exited: new Promise<void>((resolve) => child.once('exit', () => resolve())),
  };
}
