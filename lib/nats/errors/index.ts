export { NatsError, isNatsError } from './nats-error';
export { NatsNoRespondersError } from './nats-no-responders-error';
export { NatsTimeoutError } from './nats-timeout-error';
