/**
 * Optional arguments of nn functions and layers, as DESIGN.md's "Public op signatures": positionally
 * in MLX's order, or as one trailing options object with MLX's names in camelCase.
 */
import { Array, parseOpts } from '@mlx-ts/core';

/** The optional parameters `P` positionally, or one options object `O`. */
export type Opts<P extends unknown[], O> = [...P] | [O];

/** Reads `rest` (positional values in `names` order, or an options object) into one record. */
export function readOpts<K extends string>(fn: string, rest: readonly unknown[], names: readonly K[]): { [P in K]?: any } {
  const o = parseOpts(fn, rest, names);
  if (o.stream !== undefined) throw new Error(`${fn}: takes no stream option`);
  return o;
}

/** Throws unless `x` is an Array (layers and losses read shapes before they compute). */
export function checkArray(fn: string, what: string, x: unknown): Array {
  if (!(x instanceof Array)) throw new Error(`${fn}: expected ${what} to be an Array, got ${x === null ? 'null' : typeof x}`);
  return x;
}

/** Throws unless `x` is an integer at least `min`. */
export function checkInt(fn: string, what: string, x: unknown, min = 1): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < min) {
    throw new Error(`${fn}: expected ${what} to be an integer >= ${min}, got ${JSON.stringify(x) ?? String(x)}`);
  }
  return x;
}
