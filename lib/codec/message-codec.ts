import { DeserializeError } from '../errors/deserialize-error';
import { guarded, guardedEach, threw, Thrown } from '../guard';
import { checkFrame, type Frame, type Serializer } from '../serializer';
import type { Codec, Decoder, LinkInfo } from './codec';

/**
 * A connection's messages to and from frames: through the serializer, or through the codec
 * when one replaces it (a decoder of its own per link, zero or more messages per frame).
 * Every call of user code here is guarded, except {@link encode}, whose throw is the caller's.
 *
 * @internal
 */
export class MessageCodec<In, Out> {
  constructor(
    private readonly serializer: Serializer<In, Out>,
    private readonly codec: Codec<In, Out> | undefined,
  ) {}

  /** One of our messages as a frame (user code: may throw, and a result that is no frame throws). */
  encode(message: Out): Frame {
    const codec = this.codec;
    if (codec !== undefined) return checkFrame(codec.encode(message), 'codec.encode()');
    return checkFrame(this.serializer.serialize(message));
  }

  /** {@link encode}, guarded: a throw comes back as a {@link Thrown}. */
  encodeGuarded(message: Out): Frame | Thrown {
    return guarded(this.encode, message, this);
  }

  /**
   * A new link's decoder: the codec's own for it, or undefined when the serializer decodes.
   * A codec that throws or returns no function gives a {@link Thrown}: the link cannot be used.
   */
  decoderFor(link: LinkInfo): Decoder<In> | undefined | Thrown {
    const codec = this.codec;
    if (codec === undefined) return undefined;
    const decoder = guarded(codec.decoder, link, codec);
    if (threw(decoder) || typeof decoder === 'function') return decoder;
    return new Thrown(new TypeError('codec.decoder() did not return a function'));
  }

  /** The serializer's message for a frame (no codec), guarded: a throw comes back as a {@link Thrown}. */
  deserialize(data: unknown): In | Thrown {
    return guarded(this.serializer.deserialize, data, this.serializer);
  }

  /**
   * Decodes one inbound frame with a link's codec decoder: each message it yields goes to
   * `each`, in order, while `goOn()` holds (the link may end inside `each`). A decoder that
   * throws, returns something not iterable, or whose result throws while it is read (a
   * `Symbol.iterator` or `next` getter, an iterator that throws midway, a Proxy) reports the
   * frame once to `invalid` (the messages yielded before stay delivered). The decoder and every
   * read of its result are user code, called only through the guard; `each` is not.
   */
  decodeEach(
    decoder: Decoder<In>,
    data: unknown,
    each: (message: In) => void,
    goOn: () => boolean,
    invalid: (error: DeserializeError, data: unknown) => void,
  ): void {
    const messages = guarded(decoder, data);
    const failure = threw(messages) ? messages : guardedEach<In>(messages, each, goOn);
    if (failure !== undefined) invalid(new DeserializeError(failure.error), data);
  }
}
