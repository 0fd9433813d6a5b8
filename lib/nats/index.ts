export { natsConnect } from './nats-connect';
export {
  DEFAULT_REQUEST_TIMEOUT,
  type NatsConnectOptions,
  type NatsTransportOptionKey,
} from './nats-connect-options';
export type {
  NatsConnection,
  NatsPublishOptions,
  NatsRequestOptions,
  NatsSubscribeOptions,
} from './nats-connection';
export type { NatsMsg } from './msg';
export type { NatsClientOp, NatsConnectInfo, NatsHeaders, NatsInfo, NatsMsgOp, NatsServerOp } from './ops';
export { isNatsError, NatsArgumentError, NatsError, NatsNoRespondersError, NatsTimeoutError } from './errors';
export { natsCodec } from './codec';
