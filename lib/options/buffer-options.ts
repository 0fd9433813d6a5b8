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
