import { NatsArgumentError } from './errors/nats-argument-error';
import type { NatsHeaders } from './ops';

/** Headers as `publish()` takes them: each name with one value or several. */
export type NatsHeadersInit = Readonly<Record<string, string | readonly string[]>>;

/** An HTTP-style header name: visible ASCII except `:` (NATS headers follow the MIME rules). */
const NAME = /^[!-9;-~]+$/;
/** A value: no CR or LF (it would end the line and inject another header or operation). */
const VALUE = /^[^\r\n]*$/;

/**
 * Checks headers given to `publish()` and returns them in the {@link NatsHeaders} shape (every
 * value a list). Throws {@link NatsArgumentError} naming the header for a bad name or value.
 *
 * @example
 * ```ts
 * toHeaders({ 'Nats-Msg-Id': 'a1', Tag: ['x', 'y'] }); // { 'Nats-Msg-Id': ['a1'], Tag: ['x', 'y'] }
 * ```
 */
export function toHeaders(init: unknown): NatsHeaders {
  if (typeof init !== 'object' || init === null || Array.isArray(init)) {
    throw new NatsArgumentError('options.headers', init, 'an object of header names to a string or a list of strings');
  }
  const out: Record<string, readonly string[]> = {};
  for (const name of Object.keys(init)) {
    if (!NAME.test(name)) throw new NatsArgumentError('options.headers', name, 'header names of visible ASCII without ":"');
    const raw: unknown = (init as Record<string, unknown>)[name];
    const values = typeof raw === 'string' ? [raw] : raw;
    if (!Array.isArray(values) || !values.every((value): value is string => typeof value === 'string' && VALUE.test(value))) {
      throw new NatsArgumentError(`options.headers[${JSON.stringify(name)}]`, raw, 'a string or a list of strings without CR or LF');
    }
    out[name] = [...(values as string[])];
  }
  return out;
}

/** The header block of an `HPUB`: `NATS/1.0`, one `Name: value` line per value, an empty line. */
export function encodeHeaders(headers: NatsHeaders): string {
  let block = 'NATS/1.0\r\n';
  for (const [name, values] of Object.entries(headers)) for (const value of values) block += `${name}: ${value}\r\n`;
  return `${block}\r\n`;
}
