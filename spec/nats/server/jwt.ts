import { createAccount, createOperator, createUser, type KeyPair } from 'nkeys.js';

const text = new TextEncoder();

function base64Url(data: Uint8Array | string): string {
  return Buffer.from(typeof data === 'string' ? text.encode(data) : data).toString('base64url');
}

/** A NATS JWT (v2 claims, `ed25519-nkey`) for `subject`, signed by `issuer`. */
function sign(issuer: KeyPair, subject: string, name: string, nats: Record<string, unknown>): string {
  const header = base64Url(JSON.stringify({ typ: 'JWT', alg: 'ed25519-nkey' }));
  const claims = {
    jti: base64Url(crypto.getRandomValues(new Uint8Array(16))),
    iat: Math.floor(Date.now() / 1000),
    iss: issuer.getPublicKey(),
    name,
    sub: subject,
    nats: { ...nats, version: 2 },
  };
  const payload = base64Url(JSON.stringify(claims));
  return `${header}.${payload}.${base64Url(issuer.sign(text.encode(`${header}.${payload}`)))}`;
}

/** An operator, one account and one user, as `nsc` would make them, for a server in operator mode. */
export interface Decentralised {
  /** nats-server config lines: the operator JWT and a memory resolver preloaded with the account. */
  readonly config: string[];
  readonly userJwt: string;
  readonly userSeed: string;
  /** The user's `.creds` text. */
  readonly creds: string;
}

/** Makes the keys and JWTs of {@link Decentralised}. */
export function decentralisedAuth(): Decentralised {
  const operator = createOperator();
  const account = createAccount();
  const user = createUser();
  const operatorJwt = sign(operator, operator.getPublicKey(), 'op', { type: 'operator' });
  const accountJwt = sign(operator, account.getPublicKey(), 'acc', {
    type: 'account',
    limits: { subs: -1, data: -1, payload: -1, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1 },
    default_permissions: { pub: {}, sub: {} },
  });
  const userJwt = sign(account, user.getPublicKey(), 'user', { type: 'user', pub: {}, sub: {}, subs: -1, data: -1, payload: -1 });
  const userSeed = new TextDecoder().decode(user.getSeed());
  const creds = [
    '-----BEGIN NATS USER JWT-----',
    userJwt,
    '------END NATS USER JWT------',
    '',
    '************************* IMPORTANT *************************',
    'NKEY Seed printed below can be used to sign and prove identity.',
    '',
    '-----BEGIN USER NKEY SEED-----',
    userSeed,
    '------END USER NKEY SEED------',
    '',
  ].join('\n');
  return {
    config: [`operator: ${operatorJwt}`, 'resolver: MEMORY', `resolver_preload: { ${account.getPublicKey()}: ${accountJwt} }`],
    userJwt,
    userSeed,
    creds,
  };
}
