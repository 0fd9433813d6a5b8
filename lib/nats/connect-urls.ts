/** `host:port` as nats-server writes `INFO.connect_urls` entries: a DNS name or IPv4, or `[IPv6]`, and a port 1–65535. */
const HOST_PORT = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;

/** The entries of `INFO.connect_urls` this client can use, and those it skipped. */
export interface ConnectUrls {
  /** Well-formed `host:port` entries, in the server's order. */
  readonly valid: string[];
  /** Everything else the server sent in the list (or the field itself when it is not a list). */
  readonly malformed: unknown[];
}

/**
 * Splits the `connect_urls` of a server's `INFO` into usable `host:port` entries and malformed
 * ones. Server data is never configuration: a malformed entry is skipped (and reported by the
 * client), never turned into a URL that could end the connection at the next failover.
 *
 * @example
 * ```ts
 * splitConnectUrls(['10.0.0.2:4222', 'x:1#frag', 42]); // { valid: ['10.0.0.2:4222'], malformed: ['x:1#frag', 42] }
 * ```
 */
export function splitConnectUrls(value: unknown): ConnectUrls {
  if (value === undefined) return { valid: [], malformed: [] };
  if (!Array.isArray(value)) return { valid: [], malformed: [value] };
  const valid: string[] = [];
  const malformed: unknown[] = [];
  for (const entry of value as unknown[]) (isHostPort(entry) ? valid : malformed).push(entry);
  return { valid, malformed };
}

/** Whether `entry` is `host:port` with a port in 1–65535 that makes a valid URL. */
export function isHostPort(entry: unknown): entry is string {
  if (typeof entry !== 'string') return false;
  const match = HOST_PORT.exec(entry);
  if (!match) return false;
  const port = Number(match[1]);
  if (!(port >= 1 && port <= 65_535)) return false;
  try {
    new URL(`ws://${entry}`);
    return true;
  } catch {
    return false;
  }
}
