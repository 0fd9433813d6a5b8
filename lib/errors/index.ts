export { BufferOverflowError, type BufferLimit } from './buffer-overflow-error';
export { CircuitOpenError } from './circuit-open-error';
export { ClockMixUpError } from './clock-mix-up-error';
export { ConfigError, isConfigError } from './config-error';
export { ConnectionClosedError } from './connection-closed-error';
export { DeserializeError } from './deserialize-error';
export { DisconnectError, isDisconnectError, type DisconnectReason } from './disconnect-error';
export { NotConnectedError } from './not-connected-error';
export { SubscriptionRejectedError } from './subscription-rejected-error';
