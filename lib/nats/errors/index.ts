export { NatsError, isNatsError } from './nats-error';
export { NatsArgumentError } from './nats-argument-error';
export { NatsFlushTimeoutError } from './nats-flush-timeout-error';
export { NatsNoRespondersError } from './nats-no-responders-error';
export { NatsPermissionError } from './nats-permission-error';
export { NatsTimeoutError } from './nats-timeout-error';
