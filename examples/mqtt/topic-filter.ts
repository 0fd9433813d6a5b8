/**
 * Whether an MQTT topic filter (with `+` for one level and a trailing `#` for any number)
 * matches a topic name.
 *
 * @example
 * ```ts
 * topicMatches('sensors/+/temp', 'sensors/kitchen/temp'); // true
 * topicMatches('sensors/#', 'sensors');                    // true
 * ```
 */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return i < f.length - 1 ? false : !(i === 0 && topic.startsWith('$'));
    if (i >= t.length) return false;
    if (f[i] === '+') {
      if (i === 0 && topic.startsWith('$')) return false;
      continue;
    }
    if (f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
