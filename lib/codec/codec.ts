import type { Frame } from '../serializer';

/** Which link a decoder is made for. */
export interface LinkInfo {
  /** The URL the link's socket was opened to. */
  readonly url: string;
  /** The attempt that opened it (0 for the initial connection, n for the n-th retry of an outage). */
  readonly attempt: number;
}

/**
 * Turns one inbound frame into zero or more messages. It belongs to one link and may keep
 * partial input between calls (a packet split across frames), so it is made afresh for every
 * link by {@link Codec.decoder}.
 *
 * @param frame a string for a text frame, an `ArrayBuffer` for a binary one
 * @returns the messages the frame completes, in order: an array or any iterable
 */
export type Decoder<In> = (frame: unknown) => Iterable<In>;

/**
 * The per-link form of {@link Serializer}, for protocols where one frame is not one message
 * (NATS packs several operations into a frame; MQTT splits and joins packets).
 *
 * Every message a decoder returns goes, one by one and in order, through `handshake.ack`,
 * `heartbeat.isPong`, `route`, the channels and `messages$`, exactly as a message from
 * `serializer.deserialize` would. A decoder that throws (or returns something that is not
 * iterable) reports the frame as `InvalidMessage{error, data}` and skips what is left of it;
 * the link goes on with the same decoder, so a codec whose state cannot survive a malformed
 * frame should reset itself before it throws.
 *
 * @example
 * ```ts
 * // newline-delimited JSON, where a line may span frames
 * const ndjson: Codec<Msg, Cmd> = {
 *   encode: (command) => JSON.stringify(command) + '\n',
 *   decoder() {
 *     let pending = '';
 *     return (frame) => {
 *       const lines = (pending + String(frame)).split('\n');
 *       pending = lines.pop()!;
 *       return lines.filter(Boolean).map((line) => JSON.parse(line) as Msg);
 *     };
 *   },
 * };
 * connect<Msg, Cmd>({ url, codec: ndjson });
 * ```
 */
export interface Codec<In, Out> {
  /**
   * One outbound message → one frame: a string, `ArrayBuffer` or `ArrayBufferView`. Called at
   * `send()`/`sendNow()` (a message it cannot encode throws there, nothing is buffered) and when
   * handshake, heartbeat and channel messages are written. It must not depend on the link:
   * messages buffered while offline were encoded when they were sent.
   */
  encode(message: Out): Frame;
  /** Called for every link, once its socket is open: a fresh {@link Decoder}. A throw fails the attempt. */
  decoder(link: LinkInfo): Decoder<In>;
}
