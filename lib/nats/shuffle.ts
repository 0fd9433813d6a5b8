/**
 * The servers in random order (Fisher–Yates with `random`), as nats.js does by default: clients
 * given the same list spread over the cluster instead of all sitting on its first server. Pure.
 */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const draw = random();
    const unit = Number.isFinite(draw) ? Math.min(Math.max(draw, 0), 1) : 0;
    const j = Math.min(i, Math.floor(unit * (i + 1)));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
