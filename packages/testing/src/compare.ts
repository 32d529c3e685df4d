/** Comparing arrays on the host, with tolerances that suit each dtype. */
import { type Array, type Dtype, fmtShape } from '@mlx-ts/core';

export interface Tolerance {
  /** Relative tolerance. */
  rtol?: number;
  /** Absolute tolerance. */
  atol?: number;
}

/** Tolerances for results that should agree up to rounding (different summation orders, fused products). */
export function defaultTolerance(dtype: Dtype): Required<Tolerance> {
  switch (dtype.name) {
    case 'float64':
      return { rtol: 1e-9, atol: 1e-12 };
    case 'float32':
      return { rtol: 2e-5, atol: 1e-6 };
    case 'float16':
    case 'bfloat16':
      return { rtol: 2e-2, atol: 1e-3 };
    default:
      return { rtol: 0, atol: 0 };
  }
}

/** The elements as JS numbers (bool as 0/1, int64 through Number). */
export function hostValues(a: Array): number[] {
  const t = a.toTypedArray();
  const out = new globalThis.Array<number>(t.length);
  for (let i = 0; i < t.length; i++) out[i] = Number(t[i]!);
  return out;
}

/** Whether `a` is within tolerance of `b`; NaN matches NaN and infinities match themselves. */
export function close(a: number, b: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= atol + rtol * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Throws unless `actual` has `expected`'s shape (and dtype, unless `checkDtype` is false) and its
 * values are within tolerance. `what` starts the message.
 */
export function assertAllClose(actual: Array, expected: Array, opts: Tolerance & { what?: string; checkDtype?: boolean } = {}): void {
  const what = opts.what ?? 'assertAllClose';
  if (actual.ndim !== expected.ndim || actual.shape.some((d, i) => d !== expected.shape[i])) {
    throw new Error(`${what}: shape ${fmtShape(actual.shape)}, expected ${fmtShape(expected.shape)}`);
  }
  if (opts.checkDtype !== false && actual.dtype !== expected.dtype) {
    throw new Error(`${what}: dtype ${actual.dtype.name}, expected ${expected.dtype.name}`);
  }
  const tol = defaultTolerance(expected.dtype);
  assertValuesClose(hostValues(actual), hostValues(expected), expected.shape, { rtol: opts.rtol ?? tol.rtol, atol: opts.atol ?? tol.atol, what });
}

/** Element-wise comparison of host values; reports the first few mismatches with their indices. */
export function assertValuesClose(
  actual: readonly number[],
  expected: readonly number[],
  shape: readonly number[],
  opts: Required<Tolerance> & { what: string },
): void {
  if (actual.length !== expected.length) throw new Error(`${opts.what}: ${actual.length} elements, expected ${expected.length}`);
  const bad: string[] = [];
  let count = 0;
  for (let i = 0; i < actual.length; i++) {
    if (close(actual[i]!, expected[i]!, opts.rtol, opts.atol)) continue;
    count++;
    if (bad.length < 4) bad.push(`at ${fmtShape(unravel(i, shape))}: ${actual[i]} vs expected ${expected[i]}`);
  }
  if (count > 0) {
    throw new Error(`${opts.what}: ${count} of ${actual.length} elements differ (rtol ${opts.rtol}, atol ${opts.atol}): ${bad.join('; ')}`);
  }
}

function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new globalThis.Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!;
    if (n === 0) break;
    idx[d] = i % n;
    i = Math.floor(i / n);
  }
  return idx;
}
