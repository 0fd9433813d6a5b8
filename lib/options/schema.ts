import { DEVELOPMENT } from '../development';
import { fieldName, invalid, isOptionsObject, requireKnownKeys, type Rule } from '../validate';

/**
 * An options group's schema: every key it accepts, each with its rule (see {@link Rule}), in the
 * order the rules run. Its keys are the group's keys: the compiler holds them to the group's
 * interface, and any other key given is a `ConfigError`.
 */
export type OptionsSchema<T> = { readonly [K in keyof Required<T>]: Rule };

/** What the rules of schema `S` return, by key. */
export type Resolved<S> = { -readonly [K in keyof S]: S[K] extends Rule<infer R> ? R : never };

/**
 * Runs every rule of `schema` on the field of that name read from `options` (each read once, by
 * name, so an inherited getter counts; in the schema's order), with `defaults` filled in for a
 * field that is `undefined`, and returns what the rules returned, under the same keys. Fields
 * are named `field.key`, or `key` when `field` is ''. Other keys of `options` are not looked at.
 */
export function applySchema<S extends Record<string, Rule>>(
  field: string,
  options: object,
  schema: S,
  defaults: Partial<Record<keyof S, unknown>> = {},
): Resolved<S> {
  const resolved: Record<string, unknown> = {};
  for (const key of Object.keys(schema)) {
    const given = (options as Record<string, unknown>)[key];
    resolved[key] = schema[key]!(given === undefined ? defaults[key] : given, fieldName(field, key), options);
  }
  return resolved as Resolved<S>;
}

/**
 * Resolves an options group (`retry`, `heartbeat`, …, or with `field` '' the options of
 * `connect()` themselves): a plain object, else a `ConfigError` naming `field` (`options` at the
 * top level) that says `expected` in development builds; no key the schema lacks; then
 * {@link applySchema}.
 */
export function resolveBySchema<S extends Record<string, Rule>>(
  field: string,
  options: unknown,
  schema: S,
  defaults?: Partial<Record<keyof S, unknown>>,
  expected = DEVELOPMENT ? 'an options object' : '',
): Resolved<S> {
  if (!isOptionsObject(options)) invalid(field === '' ? 'options' : field, options, expected);
  requireKnownKeys(field, options, Object.keys(schema));
  return applySchema(field, options, schema, defaults);
}
