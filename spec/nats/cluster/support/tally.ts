/** Delivery figures of a set of uniquely named messages. */
export interface Tally {
  readonly published: number;
  /** Deliveries, duplicates included. */
  readonly received: number;
  /** Published, never received. */
  readonly lost: number;
  /** Deliveries beyond the first of a message. */
  readonly duplicated: number;
  /** Whether first deliveries came in publish order. */
  readonly inOrder: boolean;
  /** A few lost ids, for failure messages. */
  readonly lostSample: readonly string[];
}

/** Compares what was published with what arrived (ids not published are ignored). */
export function tally(published: readonly string[], received: readonly string[]): Tally {
  const wanted = new Set(published);
  const seen = new Set<string>();
  const firsts: string[] = [];
  let deliveries = 0;
  for (const id of received) {
    if (!wanted.has(id)) continue;
    deliveries++;
    if (!seen.has(id)) {
      seen.add(id);
      firsts.push(id);
    }
  }
  const expectedOrder = published.filter((id) => seen.has(id));
  const lost = published.filter((id) => !seen.has(id));
  return {
    published: published.length,
    received: deliveries,
    lost: lost.length,
    duplicated: deliveries - seen.size,
    inOrder: firsts.every((id, i) => id === expectedOrder[i]),
    lostSample: lost.slice(0, 5),
  };
}
