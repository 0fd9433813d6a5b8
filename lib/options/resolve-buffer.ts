import { requireCount, requireLimit, resolveBySchema, type OptionsSchema } from '../validate';
import type { BufferOptions } from './buffer-options';
import { DEFAULT_BUFFER_OPTIONS } from './defaults';

/** Every key of {@link BufferOptions} and its check (the compiler holds it to the interface). */
const BUFFER_SCHEMA: OptionsSchema<BufferOptions> = { maxMessages: requireCount, maxBytes: requireLimit };

/** The `buffer` option with its defaults filled in, or `false` (no offline buffer). */
export function resolveBuffer(options: BufferOptions | false | undefined): Required<BufferOptions> | false {
  if (options === false) return false;
  if (options === undefined) return DEFAULT_BUFFER_OPTIONS; // shared: it is frozen
  return resolveBySchema('buffer', options, BUFFER_SCHEMA, DEFAULT_BUFFER_OPTIONS);
}
