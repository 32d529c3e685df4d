/** Shared helpers of core's op tests: the reference backend registered, and value readers. */
import { expect } from 'vitest';
import * as mx from '@mlx-ts/core';
import { referenceBackend } from '@mlx-ts/reference-backend';

mx.registerBackend(referenceBackend);

export const v = (x: mx.Array) => x.tolist();
export const close = (x: mx.Array, expected: unknown, tol = 1e-5) => {
  const got = [x.tolist()].flat(Infinity as 1) as number[];
  const exp = [expected].flat(Infinity as 1) as number[];
  expect(got.length).toBe(exp.length);
  got.forEach((g, i) => {
    const e = exp[i]!;
    if (Number.isNaN(e)) expect(g).toBeNaN();
    else if (!Number.isFinite(e)) expect(g).toBe(e);
    else expect(Math.abs(g - e)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
  });
};

export const vals = (a: mx.Array): number[] => Array.from(a.toTypedArray() as ArrayLike<number>, Number);

/** A row-major array 0..n-1 of `shape`, built without relying on other helpers' ops. */
export function iota(shape: number[], dtype: mx.Dtype = mx.float32): mx.Array {
  const n = shape.reduce((p, d) => p * d, 1);
  const flat = Array.from({ length: n }, (_, i) => i);
  const nest = (off: number, dims: number[]): unknown => {
    if (dims.length === 0) return flat[off];
    const step = dims.slice(1).reduce((p, d) => p * d, 1);
    return Array.from({ length: dims[0]! }, (_, i) => nest(off + i * step, dims.slice(1)));
  };
  if (shape.length === 0) return mx.array(0, dtype);
  return mx.array(nest(0, shape) as number[], dtype);
}
