import type { TransportEnvironment } from './default-websocket';
import type { WebSocketConstructor } from './websocket-like';

/**
 * `ws`, when `environment` is Node (loaded lazily, on the first connection that needs it);
 * undefined elsewhere. Node-only: the ESM build reaches it through `#node-websocket`, whose
 * stub outside Node (no-node-websocket.ts) is always undefined, so that browser bundles hold
 * neither `ws` nor the code that would load it (see scripts/build.mjs).
 */
export function nodeWebSocket(environment: TransportEnvironment): WebSocketConstructor | undefined {
  if (typeof environment.process?.versions?.node !== 'string') return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('ws') as WebSocketConstructor;
}
