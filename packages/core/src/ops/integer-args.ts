/** Index arguments of the gather-style ops (not re-exported: a helper of gather-mm.ts and dynamic-slice.ts). */
import { Array } from '../array.js';
import { describeValue } from '../describe.js';
import { float64, int32 } from '../dtype.js';
import { type ArrayInput, astype, toArray } from './convert.js';

/**
 * An index argument as an integer Array: an Array must have an integer dtype; JS numbers
 * (which `mx.array` would make float32) must be integers and become int32.
 */
export function integerArray(fn: string, slot: string, v: ArrayInput): Array {
  if (v instanceof Array) {
    if (!v.dtype.isInteger) throw new Error(`${fn}: ${slot} must be integers, got ${v.dtype.name}`);
    return v;
  }
  // Read in float64, exact for every int32, before the integer check and the cast.
  const idx = toArray(fn, v, float64);
  for (const i of idx.toTypedArray()) if (!Number.isInteger(Number(i))) throw new Error(`${fn}: ${slot} must be integers, got ${describeValue(v)}`);
  return astype(idx, int32);
}
