/** The keys of a `{ key: true }` table, typed (the table is what the compiler checks). */
export function keysOf<K extends string>(table: Record<K, true>): readonly K[] {
  return Object.freeze(Object.keys(table) as K[]);
}
