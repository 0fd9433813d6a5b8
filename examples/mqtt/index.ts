export { mqttConnect, type MqttClient, type MqttConnectOptions, type MqttMessage, type MqttPublishOptions } from './client';
export { mqttCodec } from './codec';
export { MqttConnectRefusedError } from './connect-refused-error';
export { DEFAULT_KEEPALIVE_SECONDS, mqttHandshake, type MqttSessionOptions } from './handshake';
export { InflightPublishes } from './inflight';
export { mqttKeepalive } from './keepalive';
export { PacketIds } from './packet-ids';
export { isPublish, SUBACK_FAILURE, subscriptionKey, subscriptionSpec } from './subscription';
export { topicMatches } from './topic-filter';
