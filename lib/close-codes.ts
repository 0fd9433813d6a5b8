// The codes the library itself uses, as constants of their own: a bundler inlines them, and
// leaves the CloseCode table out of an app that never imports it.
/** @internal {@link CloseCode.Normal} */
export const NORMAL_CLOSURE = 1000;
/** @internal {@link CloseCode.ProtocolError} */
export const PROTOCOL_ERROR = 1002;
/** @internal {@link CloseCode.UnsupportedData} */
export const UNSUPPORTED_DATA = 1003;
/** @internal {@link CloseCode.NoStatus} */
export const NO_STATUS = 1005;
/** @internal {@link CloseCode.Abnormal} */
export const ABNORMAL_CLOSURE = 1006;
/** @internal {@link CloseCode.PolicyViolation} */
export const POLICY_VIOLATION = 1008;

/**
 * WebSocket close codes (RFC 6455 §7.4.1) that the library reasons about, by name.
 */
export const CloseCode = {
  /** Normal closure: the purpose of the link was fulfilled (also what `close()` sends). */
  Normal: NORMAL_CLOSURE,
  /** The server is going away (restart, redeploy): reconnect. */
  GoingAway: 1001,
  /** The peer broke the protocol: retrying the same thing will fail the same way. */
  ProtocolError: PROTOCOL_ERROR,
  /** The peer cannot accept this kind of data: a retry sends the same data. */
  UnsupportedData: UNSUPPORTED_DATA,
  /** A close frame without a code (reserved, never sent on the wire as a code). */
  NoStatus: NO_STATUS,
  /** No close frame arrived: the link dropped (reserved, never sent on the wire). */
  Abnormal: ABNORMAL_CLOSURE,
  /** The message broke the server's policy (often: not authorised). */
  PolicyViolation: POLICY_VIOLATION,
  /** The server hit an unexpected condition: usually transient. */
  InternalError: 1011,
} as const;

/** Close codes that mean "do not retry": the server rejected us, not the network. */
const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([PROTOCOL_ERROR, UNSUPPORTED_DATA, POLICY_VIOLATION]);

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
