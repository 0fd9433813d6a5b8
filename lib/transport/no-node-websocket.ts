/**
 * node-websocket.ts for the ESM build outside Node (`#node-websocket` without the `node`
 * condition, see scripts/build.mjs): there is no `ws` to load, so the default transport is the
 * runtime's own `WebSocket`, even where a polyfilled `process` claims to be Node.
 */
import type * as NodeWebSocket from './node-websocket';

/** Never `ws` here. */
export const nodeWebSocket: typeof NodeWebSocket.nodeWebSocket = () => undefined;
