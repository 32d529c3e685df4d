/** Reductions (packages/core/src/ops/reduction.ts). */
import { describe, expect, test } from 'vitest';
import * as mx from '@mlx-ts/core';
import { v, close } from './helpers.js';

describe('reductions', () => {
  const x = mx.array([
    [1, 2, 3],
    [4, 5, 6],
  ]);

  test('sum, prod, max, min with axes and keepdims', () => {
    expect(v(mx.sum(x))).toBe(21);
    expect(v(mx.sum(x, 0))).toEqual([5, 7, 9]);
    expect(v(mx.sum(x, 1, true))).toEqual([[6], [15]]);
    expect(v(mx.sum(x, { axis: -1, keepdims: true }))).toEqual([[6], [15]]);
    expect(v(mx.sum(x, [0, 1]))).toBe(21);
    expect(v(mx.prod(x, 1))).toEqual([6, 120]);
    expect(v(mx.max(x, 0))).toEqual([4, 5, 6]);
    expect(v(mx.min(x, 1, true))).toEqual([[1], [4]]);
    expect(mx.sum(mx.array([true, true, false])).dtype).toBe(mx.int32);
    expect(v(mx.sum(mx.array([true, true, false])))).toBe(2);
    expect(mx.sum(mx.array([1], mx.int8)).dtype).toBe(mx.int8);
    expect(v(mx.sum(mx.zeros([0, 3]), 0))).toEqual([0, 0, 0]);
    expect(() => mx.max(mx.zeros([0]))).toThrow(/max: cannot reduce over axis 0 of size 0/);
    expect(() => mx.sum(x, 2)).toThrow(/sum: axis 2 is out of bounds/);
    expect(() => mx.sum(x, [0, 0])).toThrow(/repeated axis/);
    expect(() => mx.sum(x, { axes: 0 } as never)).toThrow(/sum: unknown option 'axes'/);
  });

  test('mean, var, std', () => {
    const m = mx.mean(mx.array([1, 2, 3, 4], mx.int32));
    expect(m.dtype).toBe(mx.float32);
    expect(v(m)).toBe(2.5);
    expect(v(mx.mean(x, 1))).toEqual([2, 5]);
    close(mx.var(x, 1), [2 / 3, 2 / 3]);
    close(mx.var(x, 1, false, 1), [1, 1]);
    close(mx.std(x, { axis: 0, ddof: 1 }), [Math.sqrt(4.5), Math.sqrt(4.5), Math.sqrt(4.5)]);
    expect(mx.var(x, null, true).shape).toEqual([1, 1]);
    // Two-pass variance stays exact with a large offset.
    close(mx.var(mx.array([1e4 + 1, 1e4 + 2, 1e4 + 3])), 2 / 3, 1e-4);
  });

  test('all, any', () => {
    const b = mx.array([
      [1, 0],
      [1, 1],
    ]);
    expect(mx.all(b).dtype).toBe(mx.bool);
    expect(v(mx.all(b))).toBe(false);
    expect(v(mx.all(b, 1))).toEqual([false, true]);
    expect(v(mx.any(b, 0))).toEqual([true, true]);
    expect(v(mx.any(mx.zeros([0])))).toBe(false);
    expect(v(mx.all(mx.zeros([0])))).toBe(true);
  });

  test('argmax, argmin', () => {
    const a = mx.array([
      [3, 9, 9],
      [7, 1, 0],
    ]);
    const am = mx.argmax(a);
    expect(am.dtype).toBe(mx.uint32);
    expect(am.shape).toEqual([]);
    expect(v(am)).toBe(1);
    expect(v(mx.argmax(a, 1))).toEqual([1, 0]);
    expect(v(mx.argmin(a, 0, true))).toEqual([[0, 1, 1]]);
    expect(mx.argmax(a, { keepdims: true }).shape).toEqual([1, 1]);
    expect(() => mx.argmax(a, [0, 1] as never)).toThrow(/argmax: expected axis to be an integer, got a JS array \[0, 1\]/);
  });

  test('logsumexp and softmax are stable', () => {
    close(mx.logsumexp(mx.array([1000, 1000])), 1000 + Math.LN2);
    close(mx.logsumexp(mx.array([-Infinity, -Infinity])), -Infinity);
    close(mx.logsumexp(mx.array([0, -Infinity])), 0);
    close(mx.logsumexp(mx.array([1, Infinity])), Infinity);
    close(
      mx.logsumexp(
        mx.array([
          [0, 0],
          [1, 1],
        ]),
        1,
        true,
      ),
      [[Math.LN2], [1 + Math.LN2]],
    );
    expect(mx.logsumexp(mx.array([1, 2], mx.int32)).dtype).toBe(mx.float32);
    const s = mx.softmax(
      mx.array([
        [1000, 1000],
        [0, -Infinity],
      ]),
      -1,
    );
    close(s, [
      [0.5, 0.5],
      [1, 0],
    ]);
    const e = Math.exp(1);
    close(mx.softmax(mx.array([0, 1])), [1 / (1 + e), e / (1 + e)]);
    expect(mx.softmax(mx.array([1, 2], mx.float16), { precise: true }).dtype).toBe(mx.float16);
  });

  test('isclose, allclose, arrayEqual', () => {
    const a = mx.array([1, NaN, Infinity, 1]);
    const b = mx.array([1 + 1e-7, NaN, Infinity, 2]);
    expect(v(mx.isclose(a, b))).toEqual([true, false, true, false]);
    expect(v(mx.isclose(a, b, { equalNan: true }))).toEqual([true, true, true, false]);
    const ac = mx.allclose([1, 2], [1, 2.00001]);
    expect(ac.dtype).toBe(mx.bool);
    expect(ac.shape).toEqual([]);
    expect(v(ac)).toBe(true);
    expect(v(mx.allclose([1, 2], [1, 2.1]))).toBe(false);
    expect(v(mx.allclose([1, 2], [1, 2.1], 0.1))).toBe(true);
    expect(v(mx.arrayEqual([1, 2], mx.array([1, 2], mx.int32)))).toBe(true);
    expect(v(mx.arrayEqual([1, 2], [1, 2, 3]))).toBe(false);
    expect(v(mx.arrayEqual([NaN], [NaN]))).toBe(false);
    expect(v(mx.arrayEqual([NaN], [NaN], true))).toBe(true);
  });
});
