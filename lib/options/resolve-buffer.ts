import { count, limit } from '../validate';
import type { BufferOptions } from './buffer-options';
import { DEFAULT_BUFFER_OPTIONS } from './defaults';
import { resolveBySchema, type OptionsSchema } from './schema';

/** Every key of {@link BufferOptions} and its rule. */
const BUFFER_SCHEMA = { maxMessages: count, maxBytes: limit } satisfies OptionsSchema<BufferOptions>;

/** The `buffer` option with its defaults filled in, or `false` (no offline buffer). */
export function resolveBuffer(options: unknown, field: string): Required<BufferOptions> | false {
  if (options === false) return false;
  if (options === undefined) return DEFAULT_BUFFER_OPTIONS; // shared: it is frozen
  return resolveBySchema(field, options, BUFFER_SCHEMA, DEFAULT_BUFFER_OPTIONS);
}
