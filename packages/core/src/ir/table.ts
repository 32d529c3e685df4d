/** One entry per key, all the same value: the primitive table's and the rule tables' families. */
export function table<K extends string, V>(keys: readonly K[], v: V): Record<K, V> {
  return Object.fromEntries(keys.map((k) => [k, v])) as Record<K, V>;
}
