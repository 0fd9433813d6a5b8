/** What a `subscribe`/`unsubscribe` function is told. */
export interface ChannelContext<In> {
  /** True when re-subscribing after a reconnect; false for the first subscription. */
  readonly restoring: boolean;
  /** The last message this channel delivered, so a protocol with offsets can resume. */
  readonly last?: In;
}

/** A message, or a function making one from the channel's context. */
export type ChannelMessage<In, Out> = Out | ((context: ChannelContext<In>) => Out);

/** A server-side subscription that is replayed after every reconnect. */
export interface ChannelSpec<In, Out> {
  /**
   * Identity for sharing: channels with the same key share one server subscription, defined
   * by the first spec subscribed (`subscribe`, `unsubscribe`, `ack`); each `channel()`
   * Observable still filters with its own `match`.
   * @default the serialized `subscribe` message (required when `subscribe` is a function)
   */
  key?: string;
  /** Sent when the first subscriber arrives, and again on every new link. */
  subscribe: ChannelMessage<In, Out>;
  /**
   * Sent when the last subscriber leaves, if a link is up.
   * @default none
   */
  unsubscribe?: ChannelMessage<In, Out>;
  /**
   * Which inbound messages belong to this channel. Optional when the connection has `route`;
   * with `route`, it is consulted only for messages `route` does not place. A `match` that
   * throws errors this channel (its subscribers) with what it threw.
   * @default none
   */
  match?: (message: In) => boolean;
  /**
   * Recognises the server's confirmation: `true` confirms, an `Error` rejects (the channel
   * errors with `SubscriptionRejectedError`), anything else is not the answer.
   * @default none (the subscription counts as confirmed once sent)
   */
  ack?: (message: In) => boolean | Error;
  /**
   * Ms to wait for `ack` before the channel errors with `SubscriptionRejectedError`.
   * @default 10000
   */
  ackTimeout?: number;
}

/** Default ms a channel waits for its `ack`. */
export const DEFAULT_ACK_TIMEOUT = 10_000;

