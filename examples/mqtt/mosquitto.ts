import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian's `mosquitto` package puts the broker (spec/support/ensure-servers.sh installs it). */
export const MOSQUITTO_BIN = '/usr/sbin/mosquitto';

/** How long the broker may take to say it is running, or to exit, before the test fails. */
const BROKER_WAIT_MS = 5_000;

/** Options of {@link Mosquitto.start}. */
export interface MosquittoOptions {
  /**
   * Whether clients may connect without a username; `false` without a password file refuses
   * every CONNECT (CONNACK return code 5).
   * @default true
   */
  allowAnonymous?: boolean;
  /**
   * Keep sessions (subscriptions, queued QoS 1 messages) in a file across a restart; the file
   * is written when the broker stops on SIGTERM.
   * @default false
   */
  persistence?: boolean;
  /**
   * Topic patterns whose subscriptions the broker refuses (SUBACK 0x80), through mosquitto's
   * dynamic-security plugin (its ACL file never refuses a SUBSCRIBE: it filters at delivery).
   * @default none: every subscription granted
   */
  denySubscribe?: readonly string[];
  /**
   * mosquitto's `allow_duplicate_messages`: `true` sends a PUBLISH that matches several of a
   * client's subscriptions once per subscription; unset, mosquitto 2.0.11 sends one copy.
   * @default unset
   */
  allowDuplicateMessages?: boolean;
}

/**
 * A private mosquitto for one test file: a temp directory with its config, a WebSocket listener
 * (subprotocol `mqtt`) on a free port of 127.0.0.1, and its log kept in memory.
 *
 * mosquitto 2.0.11 refuses to start with a WebSocket listener alone ("Unable to start any
 * listening sockets"), so a plain MQTT listener is opened beside it; and libwebsockets binds
 * `::` unless `socket_domain ipv4` is set, so it is.
 */
export class Mosquitto {
  /** Every log line the broker wrote (`log_type all`: each packet received and sent). */
  readonly log: string[] = [];
  private process: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  private constructor(
    /** The WebSocket listener's port. */
    readonly port: number,
    private readonly dir: string,
    private readonly config: string,
  ) {}

  /** The broker's WebSocket URL. */
  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Writes a config in a fresh temp directory and starts the broker; resolves once it is running. */
  static async start(options: MosquittoOptions = {}): Promise<Mosquitto> {
    const dir = mkdtempSync(join(tmpdir(), 'rx-reconnect-mosquitto-'));
    // Started as root, mosquitto drops to the `mosquitto` user, which must write its database here.
    chmodSync(dir, 0o777);
    const [port, plainPort] = [await freePort(), await freePort()];
    const lines = [
      `listener ${plainPort} 127.0.0.1`,
      `listener ${port} 127.0.0.1`,
      'protocol websockets',
      'socket_domain ipv4',
      `allow_anonymous ${options.allowAnonymous ?? true}`,
      `persistence ${options.persistence ?? false}`,
      `persistence_location ${dir}/`,
      'log_dest stderr',
      'log_type all',
      'log_timestamp false',
    ];
    if (options.allowDuplicateMessages !== undefined) lines.push(`allow_duplicate_messages ${options.allowDuplicateMessages}`);
    if (options.denySubscribe?.length) {
      const file = join(dir, 'dynamic-security.json');
      writeFileSync(file, JSON.stringify(dynamicSecurity(options.denySubscribe)));
      chmodSync(file, 0o666); // the plugin rewrites it
      lines.push(`plugin ${dynamicSecurityPlugin()}`, `plugin_opt_config_file ${file}`);
    }
    const config = join(dir, 'mosquitto.conf');
    writeFileSync(config, lines.join('\n') + '\n');
    const broker = new Mosquitto(port, dir, config);
    try {
      await broker.run();
    } catch (error) {
      await broker.dispose();
      throw error;
    }
    return broker;
  }

  /** How many log lines match `pattern` so far. */
  count(pattern: RegExp): number {
    return this.log.filter((line) => pattern.test(line)).length;
  }

  /** Stops the broker (SIGTERM: it saves its database and closes its clients) and awaits its exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.process?.kill(signal);
    await bounded(this.exited, `mosquitto to exit on ${signal}`);
  }

  /**
   * Stops the broker and starts it again on the same port, with the same config and database.
   * `SIGKILL` is a crash: nothing saved, sockets reset.
   */
  async restart(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.stop(signal);
    await this.run();
  }

  /** Kills the broker if it runs and removes its directory. Idempotent. */
  async dispose(): Promise<void> {
    if (this.process) await this.stop('SIGKILL').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async run(): Promise<void> {
    const child = spawn(MOSQUITTO_BIN, ['-c', this.config], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.process = child;
    let pending = '';
    let onLine: (line: string) => void = () => undefined;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        this.log.push(line);
        onLine(line);
      }
    });
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        if (this.process === child) this.process = undefined;
        resolve();
      });
    });
    const running = new Promise<void>((resolve, reject) => {
      onLine = (line) => {
        if (/ running$/.test(line)) resolve();
        if (/^Error:/.test(line)) reject(new Error(`mosquitto: ${line}`));
      };
      void this.exited.then(() => reject(new Error(`mosquitto exited: ${this.log.join(' | ')}`)));
      child.once('error', reject);
    });
    await bounded(running, 'mosquitto to start');
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `promise`, or a rejection naming `what` after {@link BROKER_WAIT_MS} (the timer is cleared). */
function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), BROKER_WAIT_MS);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** The dynamic-security plugin of Debian's package (its directory is the architecture's). */
function dynamicSecurityPlugin(): string {
  const name = 'mosquitto_dynamic_security.so';
  const found = readdirSync('/usr/lib')
    .map((entry) => join('/usr/lib', entry, name))
    .find((path) => existsSync(path));
  if (!found) throw new Error(`${name} not found under /usr/lib/*/ (is the mosquitto package installed?)`);
  return found;
}

/** A dynamic-security config: anonymous clients may do anything but subscribe to `denied`. */
function dynamicSecurity(denied: readonly string[]): object {
  return {
    defaultACLAccess: { publishClientSend: true, publishClientReceive: true, subscribe: true, unsubscribe: true },
    clients: [],
    groups: [{ groupname: 'anonymous', roles: [{ rolename: 'restricted' }], clients: [] }],
    anonymousGroup: 'anonymous',
    roles: [
      {
        rolename: 'restricted',
        acls: denied.map((topic) => ({ acltype: 'subscribePattern', topic, priority: 0, allow: false })),
      },
    ],
  };
}
