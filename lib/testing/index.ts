/**
 * Marble-test pipelines built on rx-reconnect: {@link TestServer} is an in-memory server whose
 * `WebSocket` you pass to `connect()`, running on `TestScheduler` virtual time.
 *
 * @packageDocumentation
 * @module rx-reconnect/testing
 */
export {
  TestConnection,
  TestServer,
  type TestServerMode,
  type TestServerOptions,
} from './test-server';
export { PingableVirtualWebSocket, VirtualWebSocket, type VirtualPeer } from './virtual-websocket';
