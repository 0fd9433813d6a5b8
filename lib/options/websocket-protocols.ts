import { DEVELOPMENT } from '../development';
import { ConfigError } from '../errors/config-error';
import { HTTP_TOKEN } from '../validate'; // RFC 6455 §4.1: a subprotocol is a token

const TOKEN_EXPECTED = "a token of letters, digits and !#$%&'*+-.^_`|~ (no spaces, not empty)";

/** The protocols, each a token and none twice; an array is copied (later edits do not leak in). */
export function validateProtocols(protocols: unknown): string | string[] | undefined {
  if (protocols === undefined) return undefined;
  if (typeof protocols === 'string') {
    if (!HTTP_TOKEN.test(protocols)) throw new ConfigError('protocols', protocols, DEVELOPMENT ? TOKEN_EXPECTED : '');
    return protocols;
  }
  if (!Array.isArray(protocols)) throw new ConfigError('protocols', protocols, DEVELOPMENT ? 'a string or an array of strings' : '');
  const seen = new Map<string, number>();
  protocols.forEach((protocol: unknown, index) => {
    const field = `protocols[${index}]`;
    if (typeof protocol !== 'string' || !HTTP_TOKEN.test(protocol)) {
      throw new ConfigError(field, protocol, DEVELOPMENT ? TOKEN_EXPECTED : '');
    }
    const first = seen.get(protocol);
    if (first !== undefined) {
      throw new ConfigError(field, protocol, DEVELOPMENT ? `a protocol not listed before (it is protocols[${first}] too)` : '');
    }
    seen.set(protocol, index);
  });
  return [...(protocols as string[])];
}
