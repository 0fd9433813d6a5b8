import { guarded, threw } from '../guard';
import type { Decoder } from './codec';

/**
 * Feeds one frame to a link's decoder and hands each message it yields to `each`, in order,
 * while `goOn()` holds (the link may end inside `each`). A decoder that throws, whose iterator
 * throws midway, or that returns something not iterable is reported once to `failed` (the
 * messages yielded before stay delivered). User code is called only through the guard.
 */
export function eachDecoded<In>(
  decoder: Decoder<In>,
  frame: unknown,
  each: (message: In) => void,
  goOn: () => boolean,
  failed: (error: unknown) => void,
): void {
  const messages = guarded(decoder, frame);
  if (threw(messages)) {
    failed(messages.error);
    return;
  }
  if (Array.isArray(messages)) {
    for (let i = 0; i < messages.length && goOn(); i++) each(messages[i] as In);
    return;
  }
  if (typeof (messages as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== 'function') {
    failed(new TypeError('the codec decoder did not return an iterable'));
    return;
  }
  try {
    for (const message of messages) {
      each(message);
      if (!goOn()) break;
    }
  } catch (error) {
    failed(error); // the decoder's iterator threw
  }
}
