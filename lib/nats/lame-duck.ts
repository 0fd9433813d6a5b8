/**
 * Default window, in ms, over which the clients of a server in lame-duck mode spread their
 * moves to another server: within nats-server's default `lame_duck_grace_period` (10 s), so that
 * every client has left on its own before the server starts closing them.
 */
export const DEFAULT_LAME_DUCK_SPREAD = 5_000;

/**
 * When to leave a server that announced lame-duck mode, in ms from the announcement: uniformly
 * in `[0, spread)`, so that the clients of one server do not all leave (and land on the other
 * servers, and resubscribe there) in the same instant. `spread` 0 leaves at once. Pure.
 *
 * @example
 * ```ts
 * lameDuckDelay(5_000, () => 0.5); // 2500
 * ```
 */
export function lameDuckDelay(spread: number, random: () => number): number {
  const draw = random();
  const unit = Number.isFinite(draw) ? Math.min(Math.max(draw, 0), 1) : 0;
  return Math.min(Math.floor(unit * spread), Math.max(spread - 1, 0));
}
