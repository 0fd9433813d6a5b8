import { guarded, guardedEach, threw } from '../guard';
import type { Decoder } from './codec';

/**
 * Feeds one frame to a link's decoder and hands each message it yields to `each`, in order,
 * while `goOn()` holds (the link may end inside `each`). A decoder that throws, returns
 * something not iterable, or whose result throws while it is read (a `Symbol.iterator` or
 * `next` getter, an iterator that throws midway, a Proxy) is reported once to `failed` (the
 * messages yielded before stay delivered). The decoder and every read of its result are user
 * code, called only through the guard; `each` is not.
 */
export function eachDecoded<In>(
  decoder: Decoder<In>,
  frame: unknown,
  each: (message: In) => void,
  goOn: () => boolean,
  failed: (error: unknown) => void,
): void {
  const messages = guarded(decoder, frame);
  const failure = threw(messages) ? messages : guardedEach<In>(messages, each, goOn);
  if (failure !== undefined) failed(failure.error);
}
