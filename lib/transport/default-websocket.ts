import { DEVELOPMENT } from '../development';
import { ConfigError } from '../errors/config-error';
import { nodeWebSocket } from './node-websocket';
import type { WebSocketConstructor } from './websocket-like';

/** The globals the choice depends on (a parameter so tests can play a browser). */
export interface TransportEnvironment {
  readonly process?: { readonly versions?: { readonly node?: string } };
  readonly WebSocket?: WebSocketConstructor;
}

/**
 * The transport used when the `WebSocket` option is not given: `ws` in Node (loaded lazily so
 * browser bundles never see it), `globalThis.WebSocket` elsewhere.
 */
export function defaultWebSocket(environment: TransportEnvironment = globalThis as TransportEnvironment): WebSocketConstructor {
  const node = nodeWebSocket(environment);
  if (node !== undefined) return node;
  const native = environment.WebSocket;
  if (typeof native !== 'function') {
    throw new ConfigError('WebSocket', native, DEVELOPMENT ? 'a WebSocket constructor (none is available here)' : '');
  }
  return native;
}
