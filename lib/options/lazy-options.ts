import { DEVELOPMENT } from '../development';
import { duration, withDefault } from '../validate';
import { resolveBySchema, type OptionsSchema } from './schema';

/** How a `lazy` connection rests. */
export interface LazyOptions {
  /**
   * Ms the link stays up after the last `messages$` subscriber or channel left (and the offline
   * buffer emptied) before the connection goes idle: a subscriber that comes back within it —
   * a route change, a `switchMap` — finds the link still there.
   * @default 1000
   */
  idleAfter?: number;
}

/** Default ms before a lazy connection nobody needs goes idle. */
export const DEFAULT_IDLE_AFTER = 1_000;

/** The `lazy` option resolved: `false`, or when to go idle. */
export type ResolvedLazy = false | { readonly idleAfter: number };

/** Every key of {@link LazyOptions} and its rule. */
const LAZY_SCHEMA = { idleAfter: withDefault(duration, DEFAULT_IDLE_AFTER) } satisfies OptionsSchema<LazyOptions>;

/** Fills in the default and checks the field; throws {@link ConfigError} naming it. */
export function resolveLazy(lazy: unknown, field: string): ResolvedLazy {
  if (lazy === undefined || lazy === false) return false;
  return resolveBySchema(
    field,
    lazy === true ? {} : lazy, // `true` is every default
    LAZY_SCHEMA,
    {},
    DEVELOPMENT ? 'a boolean or { idleAfter }' : '',
  );
}
