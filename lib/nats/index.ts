/**
 * A NATS client over nats-server's WebSocket listener, built only on rx-reconnect's public
 * API: {@link natsConnect}.
 *
 * @packageDocumentation
 * @module rx-reconnect/nats
 */
export { natsConnect } from './nats-connect';
export { DEFAULT_MAX_PAYLOAD } from './publish-op';
export { DEFAULT_LAME_DUCK_SPREAD } from './lame-duck';
export {
  DEFAULT_FLUSH_TIMEOUT,
  DEFAULT_REQUEST_TIMEOUT,
  type NatsConnectOptions,
  type NatsTransportOptionKey,
} from './nats-connect-options';
export type {
  NatsConnection,
  NatsFlushOptions,
  NatsPublishOptions,
  NatsRequestOptions,
  NatsStats,
  NatsSubscribeOptions,
} from './nats-connection';
export type { NatsMsg, NatsRespondOptions } from './msg';
export type { NatsHeadersInit } from './headers';
export {
  credsAuthenticator,
  jwtAuthenticator,
  nkeyAuthenticator,
  type NatsAuth,
  type NatsAuthenticator,
} from './authenticator';
export type { NatsClientOp, NatsConnectInfo, NatsHeaders, NatsInfo, NatsMsgOp, NatsServerOp } from './ops';
export {
  isNatsError,
  NatsArgumentError,
  NatsError,
  NatsFlushTimeoutError,
  NatsNoRespondersError,
  NatsPermissionError,
  NatsTimeoutError,
} from './errors';
export { natsCodec } from './codec';
export * from './jetstream';
