import { DEVELOPMENT } from '../development';
/** Which limit of the offline buffer a send would have broken. */
export type BufferLimit = 'maxMessages' | 'maxBytes';

/** Which buffer a send would have overfilled: the offline buffer, or an acked sender's pending messages. */
export type BufferKind = 'offline' | 'acked';

/**
 * Thrown by `send()` while offline when the offline buffer cannot take the message, and by an
 * acked send when its pending messages would break `maxMessages` or `maxBytes`. The message
 * is not buffered: the caller still owns it and decides what to do.
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
    /** The buffer that is full. @default 'offline' */
    readonly buffer: BufferKind = 'offline',
  ) {
    super(
      // The figures are this error's fields: production builds name only the limit.
      `${buffer === 'acked' ? 'Acked send' : 'Offline'} buffer full: ${
        !DEVELOPMENT
          ? limit
          : limit === 'maxMessages'
            ? `${bufferedMessages} of ${max} messages buffered`
            : `${bufferedBytes} + ${messageBytes} bytes would exceed ${max} bytes`
      }`,
    );
  }
}
