/** How long a server that announced lame-duck mode is avoided, in ms (nats-server's default lame-duck duration). */
export const LAME_DUCK_AVOID_MS = 120_000;

/** @internal */
interface PoolEntry {
  readonly url: string;
  readonly key: string;
  /** When the server announced lame-duck mode (`scheduler.now()`), if it did. */
  lameSince?: number;
}

/**
 * The servers a NATS connection may use, in order: the configured ones, then those learnt from
 * `INFO.connect_urls`. The URL factory asks {@link pick} before every attempt: it sticks to the
 * server that works, moves on after a failure ({@link failed}), and skips servers in lame-duck
 * mode while another one is known. A lame mark ends when another server lists it in
 * `connect_urls` again ({@link listed}), or after {@link LAME_DUCK_AVOID_MS}.
 *
 * @internal
 */
export class ServerPool {
  private readonly entries: PoolEntry[] = [];
  private cursor = 0;
  private picked: PoolEntry | undefined;
  /** The server the next {@link pick} returns if it is not lame (a lame-duck handover's target). */
  private preferred: PoolEntry | undefined;
  private readonly scheme: string;

  constructor(
    servers: readonly string[],
    private readonly now: () => number,
  ) {
    this.scheme = new URL(servers[0]).protocol;
    for (const url of servers) this.add(url);
  }

  /** Every known server, in pool order. */
  get servers(): readonly string[] {
    return this.entries.map((entry) => entry.url);
  }

  /** The server for the next attempt: the one in use, or the next one that is not lame. */
  pick(): string {
    const preferred = this.preferred;
    this.preferred = undefined;
    if (preferred && this.entries.includes(preferred) && !this.isLame(preferred)) {
      this.picked = preferred;
      this.cursor = this.entries.indexOf(preferred);
      return preferred.url;
    }
    const count = this.entries.length;
    let chosen = this.entries[this.cursor % count];
    for (let step = 0; step < count; step++) {
      const entry = this.entries[(this.cursor + step) % count];
      if (!this.isLame(entry)) {
        chosen = entry;
        break;
      }
    }
    this.picked = chosen;
    this.cursor = this.entries.indexOf(chosen);
    return chosen.url;
  }

  /** The picked server failed (an attempt or a link): the next pick starts after it. */
  failed(): void {
    if (this.picked) this.cursor = (this.entries.indexOf(this.picked) + 1) % this.entries.length;
  }

  /**
   * Adds servers from `INFO.connect_urls` (`host:port`, given the scheme of the configured
   * servers). Returns the ones that were new.
   */
  discover(hostPorts: readonly string[]): string[] {
    const added: string[] = [];
    for (const hostPort of hostPorts) {
      const url = `${this.scheme}//${hostPort}`;
      if (this.add(url)) added.push(url);
    }
    return added;
  }

  /**
   * Another server's `INFO` (one not in lame-duck mode) lists these servers (`host:port`) as
   * members of the cluster: they are not lame (the cluster drops a node in lame-duck mode from
   * `connect_urls`, and lists it again once it is back). Servers not in the pool are not added.
   */
  listed(hostPorts: readonly string[]): void {
    const keys = new Set(hostPorts.map((hostPort) => keyOf(`${this.scheme}//${hostPort}`)));
    for (const entry of this.entries) if (keys.has(entry.key)) entry.lameSince = undefined;
  }

  /** `url` announced lame-duck mode (`lame: true`), or spoke without it (`lame: false`). */
  setLame(url: string, lame: boolean): void {
    const entry = this.find(url);
    if (entry) entry.lameSince = lame ? this.now() : undefined;
  }

  /**
   * The server a move away from `url` goes to: the first one after it in pool order that is not
   * lame, or undefined when there is none. Changes nothing.
   */
  alternativeTo(url: string): string | undefined {
    const key = keyOf(url);
    const count = this.entries.length;
    const from = this.entries.findIndex((entry) => entry.key === key);
    for (let step = 1; step <= count; step++) {
      const entry = this.entries[(from + step + count) % count];
      if (entry.key !== key && !this.isLame(entry)) return entry.url;
    }
    return undefined;
  }

  /** The next {@link pick} returns `url` (a known server), unless it is lame by then. */
  prefer(url: string): void {
    this.preferred = this.find(url);
  }

  /** Whether a server other than `url` is known and not lame. */
  hasAlternativeTo(url: string): boolean {
    const key = keyOf(url);
    return this.entries.some((entry) => entry.key !== key && !this.isLame(entry));
  }

  /** Whether `url` is in lame-duck mode. */
  lame(url: string): boolean {
    const entry = this.find(url);
    return entry !== undefined && this.isLame(entry);
  }

  private add(url: string): boolean {
    const key = keyOf(url);
    if (key === undefined || this.entries.some((entry) => entry.key === key)) return false;
    this.entries.push({ url, key });
    return true;
  }

  private find(url: string): PoolEntry | undefined {
    const key = keyOf(url);
    return this.entries.find((entry) => entry.key === key);
  }

  private isLame(entry: PoolEntry): boolean {
    return entry.lameSince !== undefined && this.now() - entry.lameSince < LAME_DUCK_AVOID_MS;
  }
}

/** `host:port` of a URL (the default port made explicit), the identity of a server. */
function keyOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    const port = parsed.port || (parsed.protocol === 'wss:' ? '443' : '80');
    return `${parsed.hostname.toLowerCase()}:${port}`;
  } catch {
    return undefined;
  }
}
