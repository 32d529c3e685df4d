/** Input checks shared by layers: errors name the layer, what it expected and what it got. */
import { Array, describeValue, fmtShape } from '@mlx-ts/core';

export function checkInput(layer: string, x: unknown, what = 'x'): Array {
  if (!(x instanceof Array)) throw new Error(`${layer}: expected ${what} to be an mx.Array, got ${describeValue(x)}`);
  return x;
}

export function checkLastDim(layer: string, x: Array, dims: number, name: string, what = 'x'): void {
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== dims) {
    throw new Error(`${layer}: expected ${what} with last dimension ${dims} (${name}), got shape ${fmtShape(x.shape)}`);
  }
}

export function checkNdim(layer: string, x: Array, allowed: readonly number[] | { min: number }, what = 'x'): void {
  const ok = globalThis.Array.isArray(allowed) ? allowed.includes(x.ndim) : x.ndim >= (allowed as { min: number }).min;
  if (!ok) {
    const want = globalThis.Array.isArray(allowed) ? `${allowed.join(' or ')} dimensions` : `at least ${(allowed as { min: number }).min} dimensions`;
    throw new Error(`${layer}: expected ${what} with ${want}, got shape ${fmtShape(x.shape)} (${x.ndim} dimensions)`);
  }
}

export function checkFloating(layer: string, x: Array, what = 'x'): void {
  if (!x.dtype.isFloating) throw new Error(`${layer}: expected a floating point ${what}, got dtype ${x.dtype.name}`);
}
