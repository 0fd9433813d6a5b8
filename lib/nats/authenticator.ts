import { NatsError } from './errors/nats-error';
import { nkeyFromSeed, type NKeyPair } from './nkey';

/** The credentials an {@link NatsAuthenticator} adds to `CONNECT`. */
export interface NatsAuth {
  /** The public key of the user's nkey. */
  readonly nkey?: string;
  /** The server's nonce signed with the user's nkey, base64url without padding. */
  readonly sig?: string;
  /** The user's JWT (decentralised auth). */
  readonly jwt?: string;
}

/**
 * Makes the credentials of one `CONNECT` from the server's `INFO.nonce` (called for every link,
 * with that link's nonce). What {@link nkeyAuthenticator}, {@link jwtAuthenticator} and
 * {@link credsAuthenticator} return; a throw fails the attempt like an unreachable server.
 */
export type NatsAuthenticator = (nonce: string | undefined) => NatsAuth;

const textEncoder = new TextEncoder();

/**
 * NKey authentication: signs each server nonce with the user's seed (`SU…`), as nats.js's
 * `nkeyAuthenticator`. The server lists the user by its public key (`nkey: "U…"`).
 *
 * @example
 * ```ts
 * natsConnect({ servers, authenticator: nkeyAuthenticator('SUAM…') });
 * ```
 */
export function nkeyAuthenticator(seed: string | (() => string)): NatsAuthenticator {
  return (nonce) => {
    const pair = nkeyFromSeed(typeof seed === 'function' ? seed() : seed);
    return { nkey: pair.publicKey, sig: sign(pair, nonce) };
  };
}

/**
 * JWT authentication (operator mode): sends the user's JWT and, when a seed is given, the nonce
 * signed with it, as nats.js's `jwtAuthenticator`.
 *
 * @example
 * ```ts
 * natsConnect({ servers, authenticator: jwtAuthenticator(userJwt, 'SUAM…') });
 * ```
 */
export function jwtAuthenticator(jwt: string | (() => string), seed?: string | (() => string)): NatsAuthenticator {
  return (nonce) => {
    const token = typeof jwt === 'function' ? jwt() : jwt;
    if (seed === undefined) return { jwt: token };
    return { jwt: token, sig: sign(nkeyFromSeed(typeof seed === 'function' ? seed() : seed), nonce) };
  };
}

/**
 * Authentication from a `.creds` file (the user's JWT and nkey seed between `-----BEGIN …-----`
 * markers, as `nsc` writes it), as nats.js's `credsAuthenticator`. Throws a {@link NatsError}
 * at once for a text without both parts.
 *
 * @example
 * ```ts
 * natsConnect({ servers, authenticator: credsAuthenticator(readFileSync('user.creds', 'utf8')) });
 * ```
 */
export function credsAuthenticator(creds: string | Uint8Array): NatsAuthenticator {
  const text = typeof creds === 'string' ? creds : new TextDecoder().decode(creds);
  const { jwt, seed } = parseCreds(text);
  return jwtAuthenticator(jwt, seed);
}

/** The JWT and the seed of a `.creds` file's text; throws a {@link NatsError} when either is missing. */
export function parseCreds(text: string): { jwt: string; seed: string } {
  const blocks = [...text.matchAll(/-{3,}[^\n]*BEGIN[^\n]*-{3,}\r?\n\s*([A-Za-z0-9_.=-]+)\s*\r?\n\s*-{3,}[^\n]*END[^\n]*-{3,}/g)].map(
    (match) => match[1],
  );
  const jwt = blocks.find((block) => block.startsWith('ey'));
  const seed = blocks.find((block) => block.startsWith('S'));
  if (jwt === undefined || seed === undefined) {
    throw new NatsError('credentials text holds no user JWT and nkey seed blocks');
  }
  return { jwt, seed };
}

function sign(pair: NKeyPair, nonce: string | undefined): string {
  if (nonce === undefined) throw new NatsError('the server sent no nonce to sign (nkey/JWT authentication is not enabled on it)');
  return base64Url(pair.sign(textEncoder.encode(nonce)));
}

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
