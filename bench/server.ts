import { Worker } from 'node:worker_threads';
import type { Ack, CommandBody, ServerCommand, ServerNotice } from './control';

/**
 * The bench's ws server on 127.0.0.1 (port 0), running in a worker thread: the main thread
 * is left to the client under test. Commands are acknowledged before their effects, so a
 * measurement can be armed before the traffic it counts starts.
 */
export class BenchServer {
  private nextId = 1;
  private readonly waiting = new Map<string, (notice: ServerNotice) => void>();
  private dropListener: ((total: number) => void) | undefined;

  private constructor(
    private readonly worker: Worker,
    /** `ws://127.0.0.1:<port>` */
    readonly url: string,
  ) {
    worker.on('message', (notice: ServerNotice) => this.notice(notice));
  }

  /** Starts the worker and resolves once it listens. */
  static start(): Promise<BenchServer> {
    const script = require.resolve('./server-worker');
    const tsNode = require.resolve('ts-node/register/transpile-only');
    // The worker runs TypeScript like the main thread: through ts-node's require hook.
    const worker = new Worker(`require(${JSON.stringify(tsNode)}); require(${JSON.stringify(script)});`, { eval: true });
    return new Promise<BenchServer>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (notice: ServerNotice) => {
        if (notice.event !== 'listening') return reject(new Error(`unexpected ${notice.event}`));
        worker.off('error', reject);
        worker.on('error', (error) => {
          process.stderr.write(`bench server crashed: ${error.stack ?? error.message}\n`);
          process.exit(1);
        });
        resolve(new BenchServer(worker, `ws://127.0.0.1:${notice.port}`));
      });
    });
  }

  /**
   * Has the server send `n` messages to every open client; resolves once it started, with
   * a promise of the moment the last one was written.
   */
  async blast(n: number, topics = 0): Promise<{ written: Promise<void> }> {
    const { id, acked } = this.command({ cmd: 'blast', n, topics });
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

  /** Closes the server and ends the worker. */
  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    await this.command({ cmd: 'stop' }).acked;
    await exited;
  }

  private command(body: CommandBody): { id: number; acked: Promise<Ack> } {
    const id = this.nextId++;
    const acked = this.await('ack', id) as Promise<Ack>;
    this.worker.postMessage({ ...body, id } as ServerCommand);
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
