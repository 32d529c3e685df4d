/**
 * Constructor arguments the MLX way: positionally in MLX's order, or as one trailing options
 * object with MLX's keyword names in camelCase (Python's keywords after positionals), or both.
 */
import { Array, describeValue, isPlainObject } from '@mlx-ts/core';
import type { LearningRate } from './optimizer.js';

/** Positional arguments `P`, the options object `O` alone, or the first positional then the rest as options. */
export type OptimizerArgs<P extends unknown[], O extends object> = P | [options: O] | [first: P[0], options: Omit<O, FirstKey<O>>];
type FirstKey<O> = 'learningRate' extends keyof O ? 'learningRate' : never;

/** The given arguments by name (a positional `undefined` counts as not given). */
export function readArgs<K extends string>(who: string, args: readonly unknown[], names: readonly K[]): Partial<Record<K, unknown>> {
  const out: Partial<Record<K, unknown>> = {};
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  for (let i = 0; i < n; i++) {
    const v = args[i];
    if (isPlainObject(v) && i === n - 1) {
      for (const [k, val] of Object.entries(v)) {
        if (!(names as readonly string[]).includes(k)) throw new Error(`${who}: unknown option '${k}' (expected ${names.join(', ')})`);
        if (val === undefined) continue;
        if (k in out) throw new Error(`${who}: '${k}' was given both positionally and as an option`);
        out[k as K] = val;
      }
    } else {
      if (i >= names.length) throw new Error(`${who}: expected at most ${names.length} arguments (${names.join(', ')}), got ${args.length}`);
      if (v !== undefined) out[names[i]!] = v;
    }
  }
  return out;
}

export function numberArg(who: string, key: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`${who}: ${key} must be a number, got ${describeValue(v)}`);
  return v;
}

export function boolArg(who: string, key: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new Error(`${who}: ${key} must be a boolean, got ${describeValue(v)}`);
  return v;
}

export function pairArg(who: string, key: string, v: unknown, fallback: readonly [number, number]): readonly [number, number] {
  if (v === undefined) return fallback;
  if (!globalThis.Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number' && !Number.isNaN(x))) {
    throw new Error(`${who}: ${key} must be a pair of numbers, got ${describeValue(v)}`);
  }
  return [v[0] as number, v[1] as number];
}

/** MLX's beta checks (Adam, Lion): each coefficient in [0, 1). */
export function betasArg(who: string, v: unknown, fallback: readonly [number, number]): readonly [number, number] {
  const betas = pairArg(who, 'betas', v, fallback);
  betas.forEach((b, i) => {
    if (!(b >= 0 && b < 1)) throw new Error(`${who}: beta${i + 1} should be in [0, 1), ${b} was provided instead`);
  });
  return betas;
}

export function learningRateArg(who: string, v: unknown): LearningRate {
  if (v === undefined) throw new Error(`${who}: learningRate is required`);
  if (typeof v === 'function' || v instanceof Array || (typeof v === 'number' && !Number.isNaN(v))) return v as LearningRate;
  throw new Error(`${who}: learningRate must be a number, an Array or a schedule (a function of the step), got ${describeValue(v)}`);
}
