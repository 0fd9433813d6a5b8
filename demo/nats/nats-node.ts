import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { accepts, getJson, pollUntil } from './probe';

/** The four 127.0.0.1 ports of one node; the same across restarts. */
export interface NatsNodePorts {
  /** NATS client protocol (TCP). */
  readonly client: number;
  /** WebSocket listener (`ws://`, no TLS): what rx-reconnect connects to. */
  readonly websocket: number;
  /** Cluster routes. */
  readonly cluster: number;
  /** HTTP monitoring (`/varz`, `/routez`, `/connz`). */
  readonly http: number;
}

/** How one node is configured. */
export interface NatsNodeOptions {
  /** `server_name`, also the log file's name. */
  readonly name: string;
  /** `cluster.name`, the same on every node. */
  readonly clusterName: string;
  readonly ports: NatsNodePorts;
  /** Cluster ports of the other nodes (explicit routes: retried for ever while a peer is down). */
  readonly peerClusterPorts: readonly number[];
  /** A directory of its own, for its config and log file. */
  readonly dir: string;
  /**
   * `lame_duck_duration` in ms: nats-server 2.9 rejects less than 30 s. Its clients are closed
   * over `duration − grace` (at most 1 s apart) once the grace period is over.
   */
  readonly lameDuckDuration: number;
  /** `lame_duck_grace_period` in ms: how long clients have to leave before being closed. */
  readonly lameDuckGracePeriod: number;
  /** The nats-server executable. */
  readonly executable: string;
  /** JetStream on, its store in `<dir>/<name>-js` (kept across restarts, removed with `dir`). */
  readonly jetstream?: boolean;
}

/** The part of `/routez` that readiness reads: one entry per route, with the peer's server id. */
interface Routez {
  readonly routes?: ReadonlyArray<{ readonly remote_id?: string }>;
}

/**
 * One nats-server process of a local cluster: its config file, its process, readiness, and the
 * ways it can end (SIGKILL, lame duck, graceful stop). Every wait is bounded.
 */
export class NatsNode {
  private child: ChildProcess | undefined;
  private exit: Promise<void> | undefined;

  constructor(readonly options: NatsNodeOptions) {}

  /** Whether its process is alive (started, not yet exited). */
  get running(): boolean {
    return this.child !== undefined;
  }

  /** The process id while running. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** `ws://127.0.0.1:<websocket port>`. */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.options.ports.websocket}`;
  }

  private get configPath(): string {
    return join(this.options.dir, `${this.options.name}.conf`);
  }

  private get logPath(): string {
    return join(this.options.dir, `${this.options.name}.log`);
  }

  private get outputPath(): string {
    return join(this.options.dir, `${this.options.name}.out`);
  }

  /** The config, in nats-server's own format. */
  config(): string {
    const { name, clusterName, ports, peerClusterPorts, lameDuckDuration, lameDuckGracePeriod } = this.options;
    const routes = peerClusterPorts.map((port) => `"nats-route://127.0.0.1:${port}"`).join(', ');
    return [
      `server_name: ${JSON.stringify(name)}`,
      `listen: "127.0.0.1:${ports.client}"`,
      `http: "127.0.0.1:${ports.http}"`,
      `log_file: ${JSON.stringify(this.logPath)}`,
      `lame_duck_duration: "${lameDuckDuration}ms"`,
      `lame_duck_grace_period: "${lameDuckGracePeriod}ms"`,
      `websocket { listen: "127.0.0.1:${ports.websocket}", no_tls: true }`,
      `cluster { name: ${JSON.stringify(clusterName)}, listen: "127.0.0.1:${ports.cluster}", routes: [${routes}] }`,
      ...(this.options.jetstream
        ? [`jetstream { store_dir: ${JSON.stringify(join(this.options.dir, `${name}-js`))}, max_memory_store: 268435456, max_file_store: 1073741824 }`]
        : []),
      '',
    ].join('\n');
  }

  /**
   * Starts the process and resolves once it is ready: its ws port accepts and `/routez` lists
   * `expectedRoutes` distinct peers. Fails (and kills the process) after `ms`, or at once with
   * the log's tail if the process exits first.
   */
  async start(expectedRoutes: number, ms: number): Promise<void> {
    if (this.child) throw new Error(`${this.options.name} is already running`);
    await writeFile(this.configPath, this.config());
    // Errors before logging starts (a bad config, a port in use) go to stderr: keep them in a file.
    const output = openSync(this.outputPath, 'a');
    let child: ChildProcess;
    try {
      child = spawn(this.options.executable, ['-c', this.configPath], { stdio: ['ignore', output, output] });
    } finally {
      closeSync(output);
    }
    this.child = child;
    let exited = false;
    this.exit = new Promise<void>((resolve) => {
      child.once('exit', () => {
        exited = true;
        if (this.child === child) this.child = undefined;
        resolve();
      });
      // A spawn failure (ENOENT) emits 'error' and then, maybe, no 'exit'.
      child.once('error', () => {
        exited = true;
        if (this.child === child) this.child = undefined;
        resolve();
      });
    });
    try {
      await pollUntil(
        async () => {
          if (exited) throw new Error('exited');
          return (
            (await accepts(this.options.ports.websocket)) &&
            (await this.routes().catch(() => 0)) >= expectedRoutes
          );
        },
        `${this.options.name} to accept ws and see ${expectedRoutes} routes`,
        ms,
      );
    } catch (error) {
      await this.kill();
      throw new Error(`${this.options.name} did not start: ${await this.logTail()}`, { cause: error });
    }
    if (exited) throw new Error(`${this.options.name} exited while starting: ${await this.logTail()}`);
  }

  /** Distinct peers in `/routez` (a duplicate route being resolved counts once). */
  async routes(): Promise<number> {
    const routez = await getJson<Routez>(this.options.ports.http, '/routez');
    return new Set((routez.routes ?? []).map((route) => route.remote_id)).size;
  }

  /** SIGKILL, resolved once the process has exited (at once if it is not running). */
  async kill(): Promise<void> {
    const { child, exit } = this;
    if (!child || !exit) return;
    child.kill('SIGKILL');
    await exit;
  }

  /**
   * Lame-duck mode (SIGUSR2, what `nats-server --signal ldm=<pid>` sends): the node stops
   * accepting clients, tells its clients (INFO `ldm: true`), waits its grace period, closes them
   * and exits. Resolves when the process has exited; SIGKILLs it and fails after `ms`.
   */
  async lameDuck(ms: number): Promise<void> {
    await this.signalAndWait('SIGUSR2', ms);
  }

  /** Graceful shutdown (SIGTERM: clients closed at once), SIGKILL after `ms`. */
  async stop(ms: number): Promise<void> {
    await this.signalAndWait('SIGTERM', ms);
  }

  /** SIGKILL without waiting: for a process 'exit' hook, where nothing can be awaited. */
  killNow(): void {
    this.child?.kill('SIGKILL');
  }

  private async signalAndWait(signal: NodeJS.Signals, ms: number): Promise<void> {
    const { child, exit } = this;
    if (!child || !exit) return;
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), ms)));
    const tooLate = await Promise.race([exit.then(() => false), late]);
    clearTimeout(timer);
    if (tooLate) {
      await this.kill();
      throw new Error(`${this.options.name} had not exited ${ms} ms after ${signal}`);
    }
  }

  /** The last lines of its log file and its own output (why it failed to start). */
  async logTail(lines = 5): Promise<string> {
    const read = (path: string): Promise<string> => readFile(path, 'utf8').catch(() => '');
    const text = `${await read(this.logPath)}${await read(this.outputPath)}`.trimEnd();
    return text === '' ? '(no output)' : text.split('\n').slice(-lines).join(' | ');
  }
}
