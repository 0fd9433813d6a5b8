import { ConfigError } from '../errors/config-error';
import type { WebSocketConstructor } from './websocket-like';

/**
 * The transport used when the `WebSocket` option is not given: `ws` in Node (loaded lazily so
 * browser bundles never see it), `globalThis.WebSocket` elsewhere.
 */
export function defaultWebSocket(): WebSocketConstructor {
  if (isNode()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('ws') as WebSocketConstructor;
  }
  const native = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof native !== 'function') {
    throw new ConfigError('WebSocket', native, 'a WebSocket constructor (none is available here)');
  }
  return native;
}

function isNode(): boolean {
  const process = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof process?.versions?.node === 'string';
}
