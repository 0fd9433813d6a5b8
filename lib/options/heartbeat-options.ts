/** Stale link detection. */
export interface HeartbeatOptions<In = unknown, Out = unknown> {
  /**
   * Ms between probes; greater than 0.
   * @default 30000
   */
  interval?: number;
  /**
   * Ms to wait for any inbound frame (a pong or anything else) after a probe before the
   * link is declared stale; greater than 0.
   * @default 10000
   */
  timeout?: number;
  /**
   * An application-level ping (or a function making one), for browsers and servers that
   * need one. Without it the socket's own `ping()` is used where it exists (Node's `ws`);
   * where it does not, the link is stale after `interval + timeout` ms of silence.
   * @default none
   */
  message?: Out | (() => Out);
  /**
   * Recognises the reply to `message`; such replies are swallowed (not on `messages$`).
   * @default none
   */
  isPong?: (message: In) => boolean;
  /**
   * Also probe whenever nothing has been *written* for `interval` ms, besides the inbound
   * check: a keepalive for protocols whose server drops a client that stays silent (MQTT's
   * keepalive; give `message: PINGREQ` and `interval` at most the keepalive). The probe's
   * deadline applies as for any probe.
   * @default false
   */
  outbound?: boolean;
}
