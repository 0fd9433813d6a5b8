/** A first message sent on every link (authentication), before channels are replayed. */
export interface HandshakeOptions<In, Out> {
  /** Makes the message; may be async (token refresh). Called once per link. */
  message: () => Out | Promise<Out>;
  /**
   * Recognises the server's answer: `true` accepts, an `Error` rejects (fatal by default),
   * anything else is not the answer. Without it the link is open once the message is sent.
   * @default none
   */
  ack?: (message: In) => boolean | Error;
  /**
   * Ms to wait for the message and its ack; a handshake that times out is a failed attempt.
   * @default 10000
   */
  timeout?: number;
}

