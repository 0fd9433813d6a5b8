import { DEVELOPMENT } from '../development';
import { duration, optionalFunction, rule, withDefault } from '../validate';
import { DEFAULT_HANDSHAKE_TIMEOUT } from './defaults';
import type { HandshakeOptions } from './handshake-options';
import { resolveBySchema, type OptionsSchema } from './schema';

/** Every key of {@link HandshakeOptions} and its rule. */
const HANDSHAKE_SCHEMA = {
  message: rule((value) => typeof value === 'function', DEVELOPMENT ? 'a function returning the handshake message' : ''),
  ack: optionalFunction,
  timeout: withDefault(duration, DEFAULT_HANDSHAKE_TIMEOUT),
} satisfies OptionsSchema<HandshakeOptions<unknown, unknown>>;

/** The `handshake` option checked, with its `timeout` filled in; `undefined` when not given. */
export function resolveHandshake(options: unknown, field: string): (HandshakeOptions<unknown, unknown> & { timeout: number }) | undefined {
  if (options === undefined) return undefined;
  return resolveBySchema(field, options, HANDSHAKE_SCHEMA) as HandshakeOptions<unknown, unknown> & {
    timeout: number;
  };
}
