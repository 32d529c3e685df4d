/**
 * Rounding float64 results to a dtype. Every value this backend stores has been through
 * `rounderFor`, so a stored float32 is exactly what a float32 buffer would hold, and so on.
 *
 * int64 is held as a double: exact only for |x| <= 2^53. Larger values are the nearest double,
 * and 2^63 stands for INT64_MAX (the nearest double to it).
 */
import { type Dtype, roundToDtype } from '@mlx-ts/core';

export type Rounder = (x: number) => number;

const TWO_63 = 2 ** 63;
const INT64_MAX = 2n ** 63n - 1n;

/** The int64 a stored double stands for (2^63 means INT64_MAX, which no double holds). */
export function int64ToBigInt(x: number): bigint {
  return x >= TWO_63 ? INT64_MAX : BigInt(x);
}

/** Truncates and wraps modulo 2^64, as integer arithmetic on int64 does. */
function wrapInt64(x: number): number {
  if (!Number.isFinite(x)) return 0;
  const t = Math.trunc(x) + 0; // + 0 turns -0 into 0
  if (t >= -TWO_63 && t <= TWO_63) return t;
  return Number(BigInt.asIntN(64, BigInt(t)));
}

/**
 * Rounds to the nearest value of `d` (ints truncate and wrap). float16 and bfloat16 round through
 * float32, which is what "compute in float32, round on store" gives for correctly rounded ops.
 */
export function rounderFor(d: Dtype): Rounder {
  switch (d.name) {
    case 'float64':
      return (x) => x;
    case 'float32':
      return Math.fround;
    case 'int64':
      return wrapInt64;
    default:
      // core's roundToDtype leaves int64 unwrapped; every other dtype it handles in full.
      return (x) => roundToDtype(x, d);
  }
}

export function roundInPlace(data: Float64Array, d: Dtype): void {
  if (d.name === 'float64') return;
  const round = rounderFor(d);
  for (let i = 0; i < data.length; i++) data[i] = round(data[i]!);
}
