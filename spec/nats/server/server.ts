import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The Debian package's binary (spec/support/ensure-servers.sh installs it when missing). */
export const NATS_SERVER_BIN = '/usr/sbin/nats-server';
/** How long a server may take to accept on its WebSocket port. */
const READY_MS = 5_000;
const EXIT_MS = 3_000;
/** Starts tried on fresh ports before giving up (see {@link NatsTestServer.start}). */
const START_ATTEMPTS = 3;

/** A free TCP port on 127.0.0.1 (listen on 0, read the port, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Extra settings of a test server. */
export interface NatsServerSettings {
  /** `authorization { token }`. */
  token?: string;
  /** `ping_interval`, e.g. `"1s"`. */
  pingInterval?: string;
  /** `ping_max`. */
  pingMax?: number;
  /** `max_payload` in bytes. */
  maxPayload?: number;
  /** Raw config lines appended as they are (users with permissions, nkey users…). */
  extra?: readonly string[];
}

/**
 * One nats-server 2.9 on 127.0.0.1 for a spec: a client port and a WebSocket listener (no TLS)
 * on free ports, a config file in a temp directory. `kill()` and `start()` again reuse the ports.
 */
export class NatsTestServer {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** What the process wrote, for failure messages. */
  output = '';

  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly wsPort: number,
  ) {}

  /** `ws://127.0.0.1:<wsPort>`. */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.wsPort}`;
  }

  /** Writes the config and starts the server; resolves once its WebSocket port accepts. */
  static async start(settings: NatsServerSettings = {}): Promise<NatsTestServer> {
    // Free ports are found by listening on port 0 and closing: another suite running in parallel
    // may take one before nats-server binds it. Such a start fails at once; try fresh ports.
    for (let attempt = 1; ; attempt++) {
      const server = new NatsTestServer(mkdtempSync(join(tmpdir(), 'nats-client-spec-')), await freePort(), await freePort());
      const lines = [
        `listen: 127.0.0.1:${server.port}`,
        `websocket { listen: "127.0.0.1:${server.wsPort}", no_tls: true }`,
        settings.token === undefined ? '' : `authorization { token: ${JSON.stringify(settings.token)} }`,
        settings.pingInterval === undefined ? '' : `ping_interval: ${JSON.stringify(settings.pingInterval)}`,
        settings.pingMax === undefined ? '' : `ping_max: ${settings.pingMax}`,
        settings.maxPayload === undefined ? '' : `max_payload: ${settings.maxPayload}`,
        ...(settings.extra ?? []),
      ];
      writeFileSync(join(server.dir, 'nats.conf'), lines.filter(Boolean).join('\n') + '\n');
      try {
        await server.start();
        return server;
      } catch (error) {
        await server.stop();
        if (attempt >= START_ATTEMPTS || !/exited at start/.test(String(error))) throw error;
      }
    }
  }

  /** Starts the process (again, on the same ports) and waits for the WebSocket port. */
  async start(): Promise<void> {
    if (this.child) throw new Error('nats-server already running');
    const child = spawn(NATS_SERVER_BIN, ['-c', join(this.dir, 'nats.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const collect = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-4_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exited.then(() => {
      if (this.child === child) this.child = undefined;
    });
    const deadline = Date.now() + READY_MS;
    while (!(await accepts(this.wsPort))) {
      if (this.child !== child) throw new Error(`nats-server exited at start: ${this.output}`);
      if (Date.now() > deadline) throw new Error(`nats-server not ready within ${READY_MS} ms: ${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** SIGSTOP: the process stays, its sockets stay open, and it answers nothing until {@link resume}. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /** SIGCONT after {@link pause}. */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** SIGKILL, resolved once the process has exited. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGCONT'); // a paused process would not exit on SIGKILL until resumed on some systems
    child.kill('SIGKILL');
    await bounded(this.exited, EXIT_MS, 'nats-server exit');
  }

  /** Kills the process and removes the temp directory (afterAll). */
  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Whether a TCP connection to 127.0.0.1:`port` is accepted. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
