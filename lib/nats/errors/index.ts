export { NatsError, isNatsError } from './nats-error';
export { NatsArgumentError } from './nats-argument-error';
export { NatsNoRespondersError } from './nats-no-responders-error';
export { NatsTimeoutError } from './nats-timeout-error';
