/** A frame as it travels: text, or binary. */
export type Frame = string | ArrayBufferLike | ArrayBufferView;

/**
 * Turns outbound messages into frames and inbound frames into messages. A `deserialize`
 * that throws produces an `InvalidMessage` event; the stream goes on.
 */
export interface Serializer<In, Out> {
  /** Called once per `send()`, at the call: a message that cannot be serialized throws there. */
  serialize(message: Out): Frame;
  /** Called once per inbound frame: a string for text frames, an `ArrayBuffer` for binary ones. */
  deserialize(data: unknown): In;
}

/**
 * JSON over text frames: the default. Binary frames are decoded as UTF-8 JSON.
 * @default used when the `serializer` option is not given
 */
export const jsonSerializer: Serializer<never, unknown> = {
  serialize(message: unknown): string {
    const text = JSON.stringify(message);
    if (text === undefined) throw new TypeError(`Cannot serialize ${typeof message} as JSON`);
    return text;
  },
  deserialize(data: unknown): never {
    if (typeof data === 'string') return JSON.parse(data) as never;
    if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
      return JSON.parse(utf8Decoder().decode(data)) as never;
    }
    throw new TypeError(`Unsupported frame type: ${Object.prototype.toString.call(data)}`);
  },
};

let decoder: TextDecoder | undefined;
function utf8Decoder(): TextDecoder {
  return (decoder ??= new TextDecoder('utf-8', { fatal: true }));
}

/**
 * A serializer's result, checked: a string, an `ArrayBuffer` or an `ArrayBufferView`.
 * Anything else throws a `TypeError` naming the serializer, before anything is sent or buffered.
 */
export function checkFrame(result: unknown): Frame {
  if (typeof result === 'string' || result instanceof ArrayBuffer || ArrayBuffer.isView(result)) return result;
  if (typeof SharedArrayBuffer !== 'undefined' && result instanceof SharedArrayBuffer) return result;
  const kind = result === null ? 'null' : Array.isArray(result) ? 'an array' : typeof result;
  throw new TypeError(`serializer.serialize() returned ${kind}; expected a string, ArrayBuffer or ArrayBufferView`);
}
