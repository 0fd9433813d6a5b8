/**
 * A short, safe rendering of a value for an error message: never throws, whatever the value
 * (getters, proxies, cycles are not read; objects are named by their tag only).
 */
export function describeArgument(value: unknown): string {
  try {
    switch (typeof value) {
      case 'string':
        return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
      case 'number':
      case 'boolean':
      case 'bigint':
      case 'undefined':
        return String(value);
      case 'symbol':
        return value.toString();
      case 'function':
        return 'a function';
      default:
        return value === null ? 'null' : `an object (${Object.prototype.toString.call(value)})`;
    }
  } catch {
    return 'an unprintable value';
  }
}
