import { requireCount, requireKnownKeys, requireLimit, requireObject, withoutUndefined } from '../validate';
import { BUFFER_OPTION_KEYS, type BufferOptions } from './buffer-options';
import { DEFAULT_BUFFER_OPTIONS } from './defaults';

/** The `buffer` option with its defaults filled in, or `false` (no offline buffer). */
export function resolveBuffer(options: BufferOptions | false | undefined): Required<BufferOptions> | false {
  if (options === false) return false;
  if (options === undefined) return DEFAULT_BUFFER_OPTIONS; // shared: it is frozen
  requireObject('buffer', options);
  if (options !== undefined) requireKnownKeys('buffer', options, BUFFER_OPTION_KEYS);
  const resolved = { ...DEFAULT_BUFFER_OPTIONS, ...withoutUndefined(options ?? {}) };
  requireCount('buffer.maxMessages', resolved.maxMessages);
  requireLimit('buffer.maxBytes', resolved.maxBytes);
  return resolved;
}
