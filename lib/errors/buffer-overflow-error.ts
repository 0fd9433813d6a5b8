/** Which limit of the offline buffer a send would have broken. */
export type BufferLimit = 'maxMessages' | 'maxBytes';

/**
 * Thrown by `send()` while offline when the offline buffer cannot take the message. The
 * message is not buffered: the caller still owns it and decides what to do.
 */
export class BufferOverflowError extends Error {
  override readonly name = 'BufferOverflowError';

  constructor(
    /** The limit that would be exceeded. */
    readonly limit: BufferLimit,
    /** The configured value of that limit. */
    readonly max: number,
    /** Messages already buffered. */
    readonly bufferedMessages: number,
    /** Bytes already buffered (UTF-8 length of text frames, byte length of binary ones). */
    readonly bufferedBytes: number,
    /** Size in bytes of the rejected message. */
    readonly messageBytes: number,
  ) {
    super(
      limit === 'maxMessages'
        ? `Offline buffer full: ${bufferedMessages} of ${max} messages buffered`
        : `Offline buffer full: ${bufferedBytes} + ${messageBytes} bytes would exceed ${max} bytes`,
    );
  }
}
