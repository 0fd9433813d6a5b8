/**
 * WebSocket close codes (RFC 6455 §7.4.1) that the library reasons about, by name.
 */
export const CloseCode = {
  /** Normal closure: the purpose of the link was fulfilled (also what `close()` sends). */
  Normal: 1000,
  /** The server is going away (restart, redeploy): reconnect. */
  GoingAway: 1001,
  /** The peer broke the protocol: retrying the same thing will fail the same way. */
  ProtocolError: 1002,
  /** The peer cannot accept this kind of data: a retry sends the same data. */
  UnsupportedData: 1003,
  /** A close frame without a code (reserved, never sent on the wire as a code). */
  NoStatus: 1005,
  /** No close frame arrived: the link dropped (reserved, never sent on the wire). */
  Abnormal: 1006,
  /** The message broke the server's policy (often: not authorised). */
  PolicyViolation: 1008,
  /** The server hit an unexpected condition: usually transient. */
  InternalError: 1011,
} as const;

/** Close codes that mean "do not retry": the server rejected us, not the network. */
const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.ProtocolError,
  CloseCode.UnsupportedData,
  CloseCode.PolicyViolation,
]);

/**
 * True when a close code says retrying would fail the same way: 1002 (protocol error),
 * 1003 (unsupported data) and 1008 (policy violation, typically an auth failure).
 * 1000 and 1001 are restarts and redeploys as far as a client can tell, so they reconnect.
 */
export function isFatalClose(code: number | undefined): boolean {
  return code !== undefined && FATAL_CLOSE_CODES.has(code);
}

/** HTTP statuses of a refused handshake that are fatal: the credentials are wrong. */
export function isFatalHandshakeStatus(status: number | undefined): boolean {
  return status === 401 || status === 403;
}
