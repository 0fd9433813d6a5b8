/**
 * An error of the NATS client: a server `-ERR` (reported on `errors$`, with `serverMessage`),
 * a protocol violation in an inbound frame, or a publish the server would refuse (payload over
 * `INFO.max_payload`, a bad subject) — thrown before anything is sent.
 *
 * @example
 * ```ts
 * try { nc.publish('big', hugePayload); } catch (e) { if (isNatsError(e)) console.log(e.message); }
 * ```
 */
export class NatsError extends Error {
  override readonly name: string = 'NatsError';

  constructor(
    message: string,
    details: {
      /** The text of the server's `-ERR`, when the error is one. */
      serverMessage?: string;
      /** The underlying error, if any. */
      cause?: unknown;
    } = {},
  ) {
    super(message);
    this.serverMessage = details.serverMessage;
    this.cause = details.cause;
  }

  /** The text of the server's `-ERR` (quotes removed), when the error is one. */
  readonly serverMessage?: string;
  /** The underlying error, if any. */
  override readonly cause?: unknown;
}

/** True for a {@link NatsError} (or a subclass), also across bundles where `instanceof` may fail. */
export function isNatsError(error: unknown): error is NatsError {
  if (error instanceof NatsError) return true;
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name.startsWith('Nats') && name.endsWith('Error');
}
