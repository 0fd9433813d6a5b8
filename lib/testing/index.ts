export {
  TestConnection,
  TestServer,
  type TestServerMode,
  type TestServerOptions,
} from './test-server';
export { PingableVirtualWebSocket, VirtualWebSocket, type VirtualPeer } from './virtual-websocket';
