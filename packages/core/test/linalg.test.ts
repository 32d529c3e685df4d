/** matmul and friends (packages/core/src/ops/linalg.ts). */
import { describe, expect, test } from 'vitest';
import * as mx from '@mlx-ts/core';
import { v } from './helpers.js';

describe('linalg', () => {
  test('matmul with NumPy rules', () => {
    const a = mx.array([
      [1, 2],
      [3, 4],
    ]);
    expect(v(mx.matmul(a, a))).toEqual([
      [7, 10],
      [15, 22],
    ]);
    expect(v(mx.matmul([1, 1], a))).toEqual([4, 6]);
    expect(v(mx.matmul(a, [1, 1]))).toEqual([3, 7]);
    expect(v(mx.matmul([1, 2], [3, 4]))).toBe(11);
    const b = mx.matmul(mx.ones([3, 1, 2, 4]), mx.ones([5, 4, 6]));
    expect(b.shape).toEqual([3, 5, 2, 6]);
    expect(mx.matmul(mx.ones([2, 3, 4]), mx.ones([4])).shape).toEqual([2, 3]);
    expect(mx.matmul(mx.ones([2, 3], mx.float16), mx.ones([3, 2])).dtype).toBe(mx.float32);
    expect(() => mx.matmul(mx.ones([2, 3]), mx.ones([4, 5]))).toThrow('matmul: shapes [2,3] and [4,5] are incompatible: 3 != 4');
    expect(() => mx.matmul(mx.array([[1]], mx.int32), mx.array([[1]], mx.int32))).toThrow(/matmul: only floating-point/);
    expect(() => mx.matmul(mx.array(1), mx.ones([1]))).toThrow(/matmul: expected arrays of at least one dimension/);
  });

  test('inner, outer, tensordot', () => {
    expect(v(mx.inner([1, 2, 3], [4, 5, 6]))).toBe(32);
    expect(
      v(
        mx.inner(
          mx.array([
            [1, 2],
            [3, 4],
          ]),
          mx.array([
            [1, 0],
            [0, 1],
          ]),
        ),
      ),
    ).toEqual([
      [1, 2],
      [3, 4],
    ]);
    const o = mx.outer(mx.array([1, 2], mx.int32), mx.array([3, 4, 5], mx.int32));
    expect(o.dtype).toBe(mx.int32);
    expect(v(o)).toEqual([
      [3, 4, 5],
      [6, 8, 10],
    ]);
    const t = mx.tensordot(mx.ones([2, 3, 4]), mx.ones([3, 4, 5]));
    expect(t.shape).toEqual([2, 5]);
    expect(v(t)).toEqual([
      [12, 12, 12, 12, 12],
      [12, 12, 12, 12, 12],
    ]);
    expect(mx.tensordot(mx.ones([2, 3]), mx.ones([2, 4]), [[0], [0]]).shape).toEqual([3, 4]);
  });
  test('diagonal, diag, trace, addmm', () => {
    const m = mx.reshape(mx.arange(12), [3, 4]);
    expect(v(mx.diagonal(m))).toEqual([0, 5, 10]);
    expect(v(mx.diagonal(m, 1))).toEqual([1, 6, 11]);
    expect(v(mx.diagonal(m, -1))).toEqual([4, 9]);
    expect(v(mx.diagonal(m, 5))).toEqual([]);
    expect(v(mx.diagonal(mx.transpose(m)))).toEqual([0, 5, 10]);
    const b = mx.reshape(mx.arange(8), [2, 2, 2]);
    expect(v(mx.diagonal(b, { axis1: 1, axis2: 2 }))).toEqual([
      [0, 3],
      [4, 7],
    ]);
    expect(v(mx.diagonal(b, 0, 0, 2))).toEqual([
      [0, 5],
      [2, 7],
    ]);
    expect(v(mx.diag(mx.array([1, 2], mx.int32)))).toEqual([
      [1, 0],
      [0, 2],
    ]);
    expect(v(mx.diag(mx.array([1, 2]), 1))).toEqual([
      [0, 1, 0],
      [0, 0, 2],
      [0, 0, 0],
    ]);
    expect(v(mx.diag(mx.array([1, 2]), -1))).toEqual([
      [0, 0, 0],
      [1, 0, 0],
      [0, 2, 0],
    ]);
    expect(v(mx.diag(m, 1))).toEqual([1, 6, 11]);
    expect(v(mx.trace(m))).toBe(15);
    expect(mx.trace(m, { dtype: mx.float32 }).dtype).toBe(mx.float32);
    const c = mx.ones([2, 2]);
    expect(v(mx.addmm(c, c, c, 2, 0.5))).toEqual([
      [4.5, 4.5],
      [4.5, 4.5],
    ]);
  });

  test('nanToNum', () => {
    const r = mx.nanToNum(mx.array([NaN, Infinity, -Infinity, 1]));
    const got = r.tolist() as number[];
    expect(got[0]).toBe(0);
    expect(got[1]).toBeCloseTo(3.4028234663852886e38, -30);
    expect(got[2]).toBeCloseTo(-3.4028234663852886e38, -30);
    expect(v(mx.nanToNum(mx.array([NaN, Infinity]), 1, 2))).toEqual([1, 2]);
  });
});

describe('kron (NumPy values)', () => {
  test('blocks of a scaled by b; fewer dimensions get leading 1s; dtypes promote', () => {
    expect(
      mx
        .kron(
          mx.array([
            [1, 2],
            [3, 4],
          ]),
          mx.array([
            [0, 1],
            [1, 0],
          ]),
        )
        .tolist(),
    ).toEqual([
      [0, 1, 0, 2],
      [1, 0, 2, 0],
      [0, 3, 0, 4],
      [3, 0, 4, 0],
    ]);
    expect(mx.kron(mx.array([1, 10, 100]), mx.array([5, 6, 7])).tolist()).toEqual([5, 6, 7, 50, 60, 70, 500, 600, 700]);
    expect(mx.kron(mx.array([[1, 2]]), mx.array([3, 4])).tolist()).toEqual([[3, 4, 6, 8]]);
    expect(mx.kron(mx.array([1, 2], mx.int32), mx.array([0.5])).dtype).toBe(mx.float32);
  });
});
