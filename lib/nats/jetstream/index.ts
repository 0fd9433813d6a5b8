export { jetstream, type JetStreamClient } from './jetstream';
export { jetstreamManager, type ConsumerApi, type JetStreamManager, type StreamApi } from './manager';
export { DEFAULT_API_PREFIX, type JetStreamOptions } from './api';
export { DEFAULT_IDLE_HEARTBEAT, type JsMsg, type OrderedConsumerOptions } from './ordered-consumer';
export { DEFAULT_PUB_ACK_TIMEOUT, DEFAULT_PUBLISH_RETRIES, PUBLISH_RETRY_WAIT, type JetStreamPublishOptions } from './publisher';
export { parseAckSubject, type JsMsgInfo } from './ack-subject';
export {
  JetStreamApiError,
  JetStreamErrCode,
  JetStreamResponseError,
  type JetStreamApiErrorBody,
} from './jetstream-api-error';
export type {
  AckPolicy,
  ConsumerConfig,
  ConsumerInfo,
  DeliverPolicy,
  DiscardPolicy,
  PubAck,
  ReplayPolicy,
  RetentionPolicy,
  SequenceInfo,
  StorageType,
  StreamClusterInfo,
  StreamConfig,
  StreamInfo,
  StreamState,
} from './types';
