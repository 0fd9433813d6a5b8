/**
 * What is known when a WebSocket upgrade fails before the socket opens: the HTTP response of a
 * refused upgrade (Node `ws` only), and ws's words for the failures the retry policy tells apart.
 * Reached only through node-socket.ts: browser builds leave it out.
 */
import type { DisconnectDetails } from '../errors/disconnect-error';
import { retryAfterMs } from './retry-after';

/** The part of Node's `http.IncomingMessage` read from a refused upgrade. */
export interface UpgradeResponse {
  readonly statusCode?: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** ws reports a refused upgrade as "Unexpected server response: 401". */
const UNEXPECTED_RESPONSE = /Unexpected server response: (\d{3})/;
/** ws's words for an upgrade whose subprotocol does not match the request. */
const SUBPROTOCOL_MISMATCH = /^Server sent (no subprotocol|an invalid subprotocol|a subprotocol but none was requested)/;

/** The server refused the WebSocket upgrade with an HTTP response (Node `ws` only). */
export class UpgradeRefusedError extends Error {
  override readonly name = 'UpgradeRefusedError';

  constructor(
    /** The HTTP status. */
    readonly status: number,
    /** The response headers, names in lower case, repeated headers joined with `, `. */
    readonly headers: Readonly<Record<string, string>>,
  ) {
    super(`Unexpected server response: ${status}`);
  }
}

/** What a socket's last error tells about a failed upgrade, as the fields of a `DisconnectError`. */
export type UpgradeFailureDetails = Pick<DisconnectDetails, 'status' | 'headers' | 'retryAfter' | 'subprotocolMismatch'>;

/**
 * The details of a failed upgrade in `error`, the last error a socket reported: its HTTP status
 * and subprotocol mismatch while `opening` (the link was not up yet), the refused response's
 * headers and `Retry-After`. Fields that `error` does not tell are undefined.
 */
export function upgradeFailureDetails(error: unknown, opening: boolean): UpgradeFailureDetails {
  const headers = error instanceof UpgradeRefusedError ? error.headers : undefined;
  return {
    status: opening ? handshakeStatus(error) : undefined,
    headers,
    // An HTTP date is wall-clock time, whatever clock the scheduler keeps.
    retryAfter: retryAfterMs(headers?.['retry-after'], Date.now()),
    subprotocolMismatch: opening && isSubprotocolMismatch(error) ? true : undefined,
  };
}

/** The HTTP status of a refused handshake, where the transport reveals it. */
export function handshakeStatus(error: unknown): number | undefined {
  if (error instanceof UpgradeRefusedError) return error.status;
  const message = messageOf(error);
  const match = typeof message === 'string' ? UNEXPECTED_RESPONSE.exec(message) : null;
  return match ? Number(match[1]) : undefined;
}

/** True when the transport failed the upgrade because the server's subprotocol does not match. */
export function isSubprotocolMismatch(error: unknown): boolean {
  const message = messageOf(error);
  return typeof message === 'string' && SUBPROTOCOL_MISMATCH.test(message);
}

function messageOf(error: unknown): unknown {
  try {
    return error instanceof Error ? error.message : (error as { message?: unknown } | null)?.message;
  } catch {
    return undefined;
  }
}

/** Response headers as one string per name, in lower case (repeated headers joined with `, `). */
export function flattenHeaders(headers: UpgradeResponse['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
