import { DEVELOPMENT } from '../development';
import { ConfigError } from '../errors/config-error';
import { requireDuration, requireKnownKeys } from '../validate';
import { keysOf } from './keys';

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

/** The keys of {@link LazyOptions}, checked against it by the compiler. */
export const LAZY_OPTION_KEYS = keysOf({ idleAfter: true } satisfies Record<keyof LazyOptions, true>);

/** Default ms before a lazy connection nobody needs goes idle. */
export const DEFAULT_IDLE_AFTER = 1_000;

/** The `lazy` option resolved: `false`, or when to go idle. */
export type ResolvedLazy = false | { readonly idleAfter: number };

/** Fills in the default and checks the field; throws {@link ConfigError} naming it. */
export function resolveLazy(lazy: boolean | LazyOptions | undefined): ResolvedLazy {
  if (lazy === undefined || lazy === false) return false;
  if (lazy === true) return { idleAfter: DEFAULT_IDLE_AFTER };
  if (typeof lazy !== 'object' || lazy === null) throw new ConfigError('lazy', lazy, DEVELOPMENT ? 'a boolean or { idleAfter }' : '');
  requireKnownKeys('lazy', lazy, LAZY_OPTION_KEYS);
  const idleAfter = lazy.idleAfter ?? DEFAULT_IDLE_AFTER;
  requireDuration('lazy.idleAfter', idleAfter);
  return { idleAfter };
}
