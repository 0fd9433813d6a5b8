import type { NatsAuthenticator } from './authenticator';
import type { NatsClientOp, NatsConnectInfo, NatsInfo } from './ops';

/** Client name and version sent in `CONNECT`. */
export const LANG = 'rx-reconnect';
export const VERSION = '0.3.1';

/** What `CONNECT` says of the client (its credentials). */
export interface ConnectCredentials {
  readonly token?: string;
  readonly user?: string;
  readonly pass?: string;
  readonly name?: string;
  readonly authenticator?: NatsAuthenticator;
}

/** The `CONNECT` of a link whose server sent `info` (its `nonce` signed when there is an authenticator). */
export function connectOp(info: NatsInfo, { token, user, pass, name, authenticator }: ConnectCredentials): NatsClientOp {
  const auth = authenticator === undefined ? {} : authenticator(info.nonce);
  const connect: NatsConnectInfo = {
    protocol: 1,
    verbose: false,
    pedantic: false,
    lang: LANG,
    version: VERSION,
    ...(info.headers ? { headers: true, no_responders: true } : {}),
    ...(name === undefined ? {} : { name }),
    ...(token === undefined ? {} : { auth_token: token }),
    ...(user === undefined ? {} : { user }),
    ...(pass === undefined ? {} : { pass }),
    ...(auth.nkey === undefined ? {} : { nkey: auth.nkey }),
    ...(auth.sig === undefined ? {} : { sig: auth.sig }),
    ...(auth.jwt === undefined ? {} : { jwt: auth.jwt }),
  };
  return { op: 'CONNECT', connect };
}
