/**
 * node-transport-options.ts for the ESM build outside Node (`#node-transport-options` without
 * the `node` condition, see scripts/build.mjs): a browser's WebSocket takes no client options
 * and ignores the `transport` object, so its `ws` fields are not checked here (that `transport`
 * is an options object or a factory still is).
 */
import type * as NodeTransportOptions from './node-transport-options';

/** No `ws` client option is checked here. */
export const checkNodeTransportOptions: typeof NodeTransportOptions.checkNodeTransportOptions = () => undefined;
