import { keysOf } from './keys';

/** Bounds of the offline send buffer. */
export interface BufferOptions {
  /**
   * Messages it holds at most.
   * @default 1000
   */
  maxMessages?: number;
  /**
   * Bytes it holds at most (UTF-8 length of text frames).
   * @default 8388608 (8 MiB)
   */
  maxBytes?: number;
}

/** The keys of {@link BufferOptions}, checked against it by the compiler. */
export const BUFFER_OPTION_KEYS = keysOf({
  maxMessages: true,
  maxBytes: true,
} satisfies Record<keyof BufferOptions, true>);
