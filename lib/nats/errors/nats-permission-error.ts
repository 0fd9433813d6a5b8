import { NatsError } from './nats-error';

/**
 * The server refused an operation for lack of permission (a `-ERR 'Permissions Violation …'`).
 * A refused subscription errors that subscription's Observable with it (the server never
 * delivers to it); a refused publish is reported on `errors$` (the publish itself was accepted
 * by the client and may have been one of several).
 *
 * @example
 * ```ts
 * nc.subscribe('admin.>').subscribe({ error: (e) => e instanceof NatsPermissionError && console.log(e.subject) });
 * ```
 */
export class NatsPermissionError extends NatsError {
  override readonly name = 'NatsPermissionError';

  constructor(
    /** What was refused. */
    readonly operation: 'subscribe' | 'publish',
    /** The subject the server named. */
    readonly subject: string,
    /** The queue group the server named, for a refused queue subscription. */
    readonly queue: string | undefined,
    /** The server's `-ERR` text. */
    serverMessage: string,
  ) {
    super(`permission denied to ${operation} ${JSON.stringify(subject)}${queue === undefined ? '' : ` in queue ${JSON.stringify(queue)}`}`, {
      serverMessage,
    });
  }
}

const VIOLATION = /^Permissions Violation for (Subscription|Publish) to "([^"]*)"(?: using queue "([^"]*)")?/i;

/** The permission error a server `-ERR` text describes, or `undefined` when it is about something else. */
export function permissionError(message: string): NatsPermissionError | undefined {
  const match = VIOLATION.exec(message);
  if (!match) return undefined;
  const operation = match[1].toLowerCase() === 'publish' ? 'publish' : 'subscribe';
  return new NatsPermissionError(operation, match[2], match[3], message);
}
