/** Optional constructor arguments, given positionally in MLX's order or as one trailing options object. */
import { describeValue, readArgs } from '@mlx-ts/core';

/** `[a?, b?, c?]` positionally, any prefix of them followed by an options object, or the options object alone. */
export type OptionalArgs<P extends unknown[], O> = P extends [...infer H, unknown] ? [...P, O?] | OptionalArgs<H, O> : [O?];

/** Reads optional arguments named `names` (MLX's names in camelCase) for `fn`, which errors name. */
export function readOptions<K extends string>(fn: string, rest: readonly unknown[], names: readonly K[]): { [P in K]?: any } {
  // Each layer checks its own options (checkBool, checkPositiveInt, ...): core's kinds are for core's ops.
  const o = readArgs(fn, rest, names, () => undefined);
  if (o.stream !== undefined) throw new Error(`${fn}: unknown option 'stream' (expected ${names.join(', ')})`);
  return o;
}

export function checkPositiveInt(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new Error(`${fn}: ${name} must be a positive integer, got ${describeValue(v)}`);
  return v;
}

export function checkBool(fn: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new Error(`${fn}: ${name} must be a boolean, got ${describeValue(v)}`);
  return v;
}

export function checkNumber(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`${fn}: ${name} must be a number, got ${describeValue(v)}`);
  return v;
}
