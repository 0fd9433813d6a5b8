import type { NatsAuthenticator } from './authenticator';
import { encodeOp } from './encoder';
import { NatsParser } from './parser';
import type { StandbyInspector } from './standby-socket';
import type { NatsClientOp, NatsConnectInfo, NatsInfo } from './ops';

/** Client name and version sent in `CONNECT`. */
export const LANG = 'rx-reconnect';
export const VERSION = '0.6.0';

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

/**
 * The handshake of a standby socket, done before the core takes it: `CONNECT` (and its `PING`)
 * once its `INFO` is in, ready on the `PONG`; not usable if the server is lame too or refuses.
 * The core then reads the same frames again (`INFO`, `PONG`): its handshake is acked by that
 * `PONG` before it sends a `CONNECT` of its own, which it then does not send, so the move costs
 * no round trip to the new server.
 */
export function standbyHandshake(credentials: ConnectCredentials): StandbyInspector {
  const parser = new NatsParser();
  return (data, send) => {
    const { ops, error } = parser.parse(data);
    if (error) return false;
    for (const op of ops) {
      if (op.op === 'INFO') {
        if (op.info.ldm) return false;
        send(encodeOp(connectOp(op.info, credentials)));
      } else if (op.op === 'PING') send(encodeOp({ op: 'PONG' }));
      else if (op.op === 'PONG') return true;
      else if (op.op === '-ERR') return false;
    }
    return undefined;
  };
}
