/**
 * The one place where user-supplied code is called. A throw never escapes into a socket or
 * timer handler: it comes back as a {@link Thrown}, and the caller applies the outcome the
 * contract names for that function (DESIGN.md, "User code never escapes"):
 *
 * | user code | a throw means |
 * |---|---|
 * | `deserialize`, `route`, `isPong` | `InvalidMessage`; the step skips the message (`isPong`: not a pong) |
 * | `match`, `ack`, channel `subscribe`/`unsubscribe`, serializing a channel's messages | that channel errors and is released |
 * | `shouldRetry`, `retry.delay` | no retry: `Closed{reason: 'fatal', error}` |
 * | `url` factory | a failed attempt (retried) |
 * | `handshake.message`, `handshake.ack`, `heartbeat.message` | a failed attempt (retried) |
 */
export class Thrown {
  constructor(
    /** What the user's function threw. */
    readonly error: unknown,
  ) {}
}

/**
 * Calls `fn(arg)` with `self` as `this` (the object the user's function came with: a
 * serializer, a channel spec); a throw comes back as a {@link Thrown}. Allocates only when it throws.
 */
export function guarded<A, R>(fn: (arg: A) => R, arg: A, self?: unknown): R | Thrown {
  try {
    return fn.call(self, arg);
  } catch (error) {
    return new Thrown(error);
  }
}

/** True when a guarded call threw. */
export function threw(result: unknown): result is Thrown {
  return result instanceof Thrown;
}
