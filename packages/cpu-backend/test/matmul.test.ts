import {
  bfloat16,
  bfloat16BitsToNumber,
  float16,
  float16BitsToNumber,
  float32,
  float32ToBfloat16Bits,
  float64,
  int32,
  numberToFloat16Bits,
} from '@mlx-ts/core';
import { describe, expect, test } from 'vitest';
import { input, run } from './helpers.js';

function random(n: number): number[] {
  return Array.from({ length: n }, () => Math.round((Math.random() * 2 - 1) * 64) / 64);
}

/** a[b, i, k] read through `at`: the reference product in float64. */
function reference(
  batch: number,
  m: number,
  k: number,
  n: number,
  a: (b: number, i: number, p: number) => number,
  b: (b: number, p: number, j: number) => number,
): number[] {
  const out: number[] = [];
  for (let z = 0; z < batch; z++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a(z, i, p) * b(z, p, j);
        out.push(s);
      }
    }
  }
  return out;
}

function expectClose(got: number[], want: number[], tol: number): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  expect(worst).toBeLessThanOrEqual(tol);
}

describe('matmul', () => {
  test('float32 and float64 across sizes around the block edges', () => {
    for (const [m, k, n] of [
      [1, 1, 1],
      [7, 13, 5],
      [6, 256, 16],
      [37, 300, 70],
      [145, 257, 33],
      [3, 0, 4],
    ] as const) {
      const av = random(m * k),
        bv = random(k * n);
      const want = reference(
        1,
        m,
        k,
        n,
        (_, i, p) => av[i * k + p]!,
        (_, p, j) => bv[p * n + j]!,
      );
      // Inputs are multiples of 1/64 with small k: float32 products and sums are exact.
      expect(run('matmul', [input(new Float32Array(av), float32, [m, k]), input(new Float32Array(bv), float32, [k, n])], [m, n], float32)).toEqual(want);
      expect(run('matmul', [input(new Float64Array(av), float64, [m, k]), input(new Float64Array(bv), float64, [k, n])], [m, n], float64)).toEqual(want);
    }
  });

  test('transposed, reversed and offset operands', () => {
    const m = 9,
      k = 20,
      n = 11;
    const av = random(m * k),
      bv = random(k * n);
    // a is stored transposed ([k, m] row-major) and read through strides [1, m].
    const at = new Float32Array(m * k);
    for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) at[p * m + i] = av[i * k + p]!;
    // b's rows are read in reverse, from the last row: stride -n, offset (k - 1) * n.
    const want = reference(
      1,
      m,
      k,
      n,
      (_, i, p) => av[i * k + p]!,
      (_, p, j) => bv[(k - 1 - p) * n + j]!,
    );
    const a = input(at, float32, [m, k], [1, m]);
    const b = input(new Float32Array(bv), float32, [k, n], [-n, 1], (k - 1) * n);
    expect(run('matmul', [a, b], [m, n], float32)).toEqual(want);
  });

  test('batched, with a broadcast (stride 0) batch operand', () => {
    const batch = 3,
      m = 4,
      k = 5,
      n = 6;
    const av = random(batch * m * k),
      bv = random(k * n);
    const want = reference(
      batch,
      m,
      k,
      n,
      (z, i, p) => av[(z * m + i) * k + p]!,
      (_, p, j) => bv[p * n + j]!,
    );
    const a = input(new Float32Array(av), float32, [batch, m, k]);
    const b = input(new Float32Array(bv), float32, [batch, k, n], [0, n, 1]);
    expect(run('matmul', [a, b], [batch, m, n], float32)).toEqual(want);
  });

  test('float16 and bfloat16 accumulate in float32', () => {
    const m = 5,
      k = 64,
      n = 7;
    const av = random(m * k),
      bv = random(k * n);
    const want = reference(
      1,
      m,
      k,
      n,
      (_, i, p) => av[i * k + p]!,
      (_, p, j) => bv[p * n + j]!,
    );
    const h = (xs: number[]) => new Uint16Array(xs.map(numberToFloat16Bits));
    const out16 = run('matmul', [input(h(av), float16, [m, k]), input(h(bv), float16, [k, n])], [m, n], float16).map(float16BitsToNumber);
    expectClose(out16, want, 2 ** -6);
    const bf = (xs: number[]) => new Uint16Array(xs.map(float32ToBfloat16Bits));
    const outbf = run('matmul', [input(bf(av), bfloat16, [m, k]), input(bf(bv), bfloat16, [k, n])], [m, n], bfloat16).map(bfloat16BitsToNumber);
    expectClose(outbf, want, 2 ** -3);
  });

  test('a large product matches the float64 reference', () => {
    const m = 200,
      k = 700,
      n = 150;
    const av = Array.from({ length: m * k }, () => Math.random() - 0.5);
    const bv = Array.from({ length: k * n }, () => Math.random() - 0.5);
    const a32 = new Float32Array(av),
      b32 = new Float32Array(bv);
    const want = reference(
      1,
      m,
      k,
      n,
      (_, i, p) => a32[i * k + p]!,
      (_, p, j) => b32[p * n + j]!,
    );
    expectClose(run('matmul', [input(a32, float32, [m, k]), input(b32, float32, [k, n])], [m, n], float32), want, 1e-4);
  });

  test('rejects integer dtypes and mismatched shapes', () => {
    const a = input(new Int32Array(4), int32, [2, 2]);
    expect(() => run('matmul', [a, a], [2, 2], int32)).toThrow(/floating/);
    const f = input(new Float32Array(6), float32, [2, 3]);
    expect(() => run('matmul', [f, f], [2, 3], float32)).toThrow(/cannot multiply/);
  });
});
