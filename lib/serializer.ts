import { DEVELOPMENT } from './development';
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

/**
 * The result of `serializer.serialize()`, checked: a string, an `ArrayBuffer` (or
 * `SharedArrayBuffer`) or an `ArrayBufferView`, or a `TypeError` naming the serializer.
 * Anything else would reach the socket as `"[object Object]"` or `"42"`, and would make the
 * offline buffer's byte count `NaN` (disabling `maxBytes`), so it is refused at `send()`.
 *
 * @example
 * ```ts
 * checkFrame('{"op":"ping"}'); // returned as is
 * checkFrame(42); // TypeError: serializer.serialize() returned number; expected …
 * ```
 */
export function checkFrame(result: unknown, source = 'serializer.serialize()'): Frame {
  if (typeof result === 'string' || ArrayBuffer.isView(result) || isArrayBufferLike(result)) return result;
  throw new TypeError(`${source} returned ${result === null ? 'null' : typeof result}${DEVELOPMENT ? '; expected a string, ArrayBuffer or ArrayBufferView' : ''}`);
}

/**
 * Brand checks that also hold across realms (a Jest VM context, an iframe), where
 * `instanceof ArrayBuffer` is false for a real buffer: the `byteLength` getters of
 * `ArrayBuffer` and `SharedArrayBuffer` throw on anything that is not the real thing. Where
 * there is no `SharedArrayBuffer` its entry is undefined, and calling it throws too.
 */
const bufferLengthGetters = [ArrayBuffer, globalThis.SharedArrayBuffer].map(
  (type) => type && Object.getOwnPropertyDescriptor(type.prototype, 'byteLength')?.get,
);

function isArrayBufferLike(value: unknown): value is ArrayBufferLike {
  return bufferLengthGetters.some((getter) => {
    try {
      getter!.call(value);
      return true;
    } catch {
      return false;
    }
  });
}

let decoder: TextDecoder | undefined;
function utf8Decoder(): TextDecoder {
  return (decoder ??= new TextDecoder('utf-8', { fatal: true }));
}
