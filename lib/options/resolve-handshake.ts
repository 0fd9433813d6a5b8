import { DEVELOPMENT } from '../development';
import { ConfigError } from '../errors/config-error';
import { requireDuration, requireKnownKeys, requireObject, requireOptionalFunction } from '../validate';
import { DEFAULT_HANDSHAKE_TIMEOUT } from './defaults';
import { HANDSHAKE_OPTION_KEYS, type HandshakeOptions } from './handshake-options';

/** The `handshake` option checked, with its `timeout` filled in; `undefined` when not given. */
export function resolveHandshake<In, Out>(
  options: HandshakeOptions<In, Out> | undefined,
): (HandshakeOptions<In, Out> & { timeout: number }) | undefined {
  if (options === undefined) return undefined;
  requireObject('handshake', options);
  requireKnownKeys('handshake', options, HANDSHAKE_OPTION_KEYS);
  if (typeof options.message !== 'function') {
    throw new ConfigError('handshake.message', options.message, DEVELOPMENT ? 'a function returning the handshake message' : '');
  }
  requireOptionalFunction('handshake.ack', options.ack);
  const timeout = options.timeout ?? DEFAULT_HANDSHAKE_TIMEOUT;
  requireDuration('handshake.timeout', timeout);
  return { ...options, timeout };
}
