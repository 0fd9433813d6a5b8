import { DEVELOPMENT } from '../development';
import { HTTP_TOKEN, invalid } from '../validate'; // RFC 6455 §4.1: a subprotocol is a token

const TOKEN_EXPECTED = "a token of letters, digits and !#$%&'*+-.^_`|~ (no spaces, not empty)";

/** The protocols, each a token and none twice; an array is copied (later edits do not leak in). */
export function validateProtocols(protocols: unknown): string | string[] | undefined {
  if (protocols === undefined) return undefined;
  const single = typeof protocols === 'string';
  if (!single && !Array.isArray(protocols)) invalid('protocols', protocols, DEVELOPMENT ? 'a string or an array of strings' : '');
  const list: unknown[] = single ? [protocols] : protocols;
  list.forEach((protocol, index) => {
    const field = single ? 'protocols' : `protocols[${index}]`;
    if (typeof protocol !== 'string' || !HTTP_TOKEN.test(protocol)) invalid(field, protocol, DEVELOPMENT ? TOKEN_EXPECTED : '');
    const first = list.indexOf(protocol);
    if (first < index) invalid(field, protocol, DEVELOPMENT ? `a protocol not listed before (it is protocols[${first}] too)` : '');
  });
  return single ? protocols : [...(protocols as string[])];
}
