/**
 * A channel's subscription was refused by the server (its `ack` returned an `Error`) or was
 * not confirmed in time. The channel errors with it; `serverMessage` is the server's reply.
 */
export class SubscriptionRejectedError extends Error {
  override readonly name = 'SubscriptionRejectedError';

  constructor(
    /** The channel's key. */
    readonly key: string,
    /** The server message that rejected it (absent on an ack timeout). */
    readonly serverMessage: unknown,
    /** The rejection, as returned by `ack`, or a timeout description. */
    override readonly cause?: unknown,
  ) {
    super(`Subscription ${key} rejected${cause instanceof Error ? `: ${cause.message}` : ''}`);
  }
}
