/**
 * node-socket.ts for the ESM build outside Node (`#node-socket` without the `node` condition,
 * see scripts/build.mjs): no Node extras. Every socket gets the browser API's handle (a `ws`-like
 * socket too: `ws` has the `on*` properties as well), so there are no protocol pings and no
 * `terminate()`, and a failed upgrade tells nothing beyond its error (a browser's says nothing).
 */
import type * as NodeSocket from './node-socket';

// Typed as the real module's exports: the two must stay interchangeable.

/** No socket has Node extras here. */
export const openNodeSocket: typeof NodeSocket.openNodeSocket = () => undefined;

/** No status, headers, `Retry-After` or subprotocol mismatch is known here. */
export const upgradeFailureDetails: typeof NodeSocket.upgradeFailureDetails = () => ({});
