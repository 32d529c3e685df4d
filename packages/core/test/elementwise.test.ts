/** Elementwise ops (packages/core/src/ops/elementwise.ts). */
import { describe, expect, test } from 'vitest';
import * as mx from '@mlx-ts/core';
import { v, close } from './helpers.js';

describe('elementwise', () => {
  const i32 = mx.array([1, 2, 3], mx.int32);

  test('type promotion with weak scalars', () => {
    expect(mx.add(i32, 1).dtype).toBe(mx.int32);
    expect(mx.add(i32, 1.5).dtype).toBe(mx.float32);
    expect(mx.add(mx.array([1], mx.float16), 1).dtype).toBe(mx.float16);
    expect(mx.add(mx.array([1], mx.uint8), 2).dtype).toBe(mx.uint8);
    expect(mx.add(mx.array([true]), 1).dtype).toBe(mx.int32);
    expect(mx.add(mx.array([1], mx.int8), mx.array([1], mx.uint8)).dtype).toBe(mx.int16);
    expect(mx.multiply(i32, mx.array([1], mx.float16)).dtype).toBe(mx.float16);
    expect(mx.add(1, 2).dtype).toBe(mx.float32);
    expect(v(mx.add(i32, [10, 20, 30]))).toEqual([11, 22, 33]);
  });

  test('float math casts integers to float32 first', () => {
    const d = mx.divide(i32, 2);
    expect(d.dtype).toBe(mx.float32);
    expect(v(d)).toEqual([0.5, 1, 1.5]);
    expect(mx.exp(i32).dtype).toBe(mx.float32);
    expect(mx.exp(i32).inputs[0]!.dtype).toBe(mx.float32);
    expect(mx.sqrt(mx.array([4], mx.float16)).dtype).toBe(mx.float16);
    close(mx.log2(mx.array([1, 8, 0.5])), [0, 3, -1]);
    close(mx.log10(mx.array([1, 1000])), [0, 3]);
    close(mx.reciprocal(mx.array([2, 4], mx.int32)), [0.5, 0.25]);
    close(mx.arctan2(1, 1), Math.PI / 4);
    close(mx.sigmoid(0), 0.5);
    close(mx.rsqrt(4), 0.5);
    close(mx.logaddexp(mx.array([0, -Infinity, Infinity, 1000]), mx.array([0, -Infinity, Infinity, 1000])), [Math.LN2, -Infinity, Infinity, 1000 + Math.LN2]);
    close(mx.degrees(Math.PI), 180, 1e-6);
    close(mx.radians(180), Math.PI, 1e-6);
  });

  test('arithmetic values and broadcasting', () => {
    const a = mx.array([[1], [2]]);
    const b = mx.array([10, 20, 30]);
    const s = mx.add(a, b);
    expect(s.shape).toEqual([2, 3]);
    expect(v(s)).toEqual([
      [11, 21, 31],
      [12, 22, 32],
    ]);
    expect(v(mx.subtract(5, i32))).toEqual([4, 3, 2]);
    expect(v(mx.power(i32, 2))).toEqual([1, 4, 9]);
    expect(mx.power(i32, 2).dtype).toBe(mx.int32);
    expect(v(mx.floorDivide(mx.array([-7, 7], mx.int32), 2))).toEqual([-4, 3]);
    expect(v(mx.remainder(mx.array([-7, 7], mx.int32), 3))).toEqual([2, 1]);
    expect(v(mx.maximum(i32, 2))).toEqual([2, 2, 3]);
    expect(v(mx.minimum(i32, 2))).toEqual([1, 2, 2]);
    expect(() => mx.add(mx.zeros([2, 3]), mx.zeros([4]))).toThrow(/add: shapes \[2,3\] and \[4\] cannot be broadcast/);
  });

  test('sign, abs, negative keep their dtype', () => {
    const x = mx.array([-2, 0, 3], mx.int32);
    expect(mx.abs(x).dtype).toBe(mx.int32);
    expect(v(mx.abs(x))).toEqual([2, 0, 3]);
    expect(v(mx.sign(x))).toEqual([-1, 0, 1]);
    expect(v(mx.negative(x))).toEqual([2, 0, -3]);
    const u = mx.array([1, 2], mx.uint8);
    expect(mx.abs(u)).toBe(u);
    expect(() => mx.negative(mx.array([true]))).toThrow(/negative: not supported for bool/);
    expect(v(mx.square(x))).toEqual([4, 0, 9]);
  });

  test('rounding', () => {
    expect(mx.floor(i32)).toBe(i32);
    expect(mx.ceil(i32)).toBe(i32);
    expect(mx.round(i32)).toBe(i32);
    expect(v(mx.floor(mx.array([-1.5, 1.5])))).toEqual([-2, 1]);
    expect(v(mx.ceil(mx.array([-1.5, 1.5])))).toEqual([-1, 2]);
    expect(v(mx.round(mx.array([0.5, 1.5, 2.5, -0.5])))).toEqual([0, 2, 2, -0]);
    close(mx.round(mx.array([1.2345, 2.5678]), 2), [1.23, 2.57]);
    close(mx.round(mx.array([1.2345]), { decimals: 1 }), [1.2]);
    expect(v(mx.round(mx.array([1234, 1250], mx.int32), -2))).toEqual([1200, 1200]);
  });

  test('comparisons and logic', () => {
    const c = mx.greater(i32, 1.5);
    expect(c.dtype).toBe(mx.bool);
    expect(v(c)).toEqual([false, true, true]);
    expect(v(mx.equal(i32, [1, 0, 3]))).toEqual([true, false, true]);
    expect(v(mx.notEqual(i32, 2))).toEqual([true, false, true]);
    expect(v(mx.lessEqual(i32, 2))).toEqual([true, true, false]);
    expect(v(mx.greaterEqual(i32, 2))).toEqual([false, true, true]);
    expect(v(mx.less(i32, 2))).toEqual([true, false, false]);
    const l = mx.logicalAnd(mx.array([1, 0, 2]), true);
    expect(l.dtype).toBe(mx.bool);
    expect(v(l)).toEqual([true, false, true]);
    expect(v(mx.logicalOr([0, 0], [0, 1]))).toEqual([false, true]);
    expect(v(mx.logicalNot(mx.array([0, 2], mx.int32)))).toEqual([true, false]);
  });

  test('where and clip', () => {
    const w = mx.where(mx.array([true, false, true]), i32, 0);
    expect(w.dtype).toBe(mx.int32);
    expect(v(w)).toEqual([1, 0, 3]);
    expect(v(mx.where([[1], [0]], [1, 2], mx.array([7, 8])))).toEqual([
      [1, 2],
      [7, 8],
    ]);
    expect(mx.where(true, 1, 2).dtype).toBe(mx.float32);
    expect(v(mx.clip(mx.array([-2, 0.5, 3]), 0, 1))).toEqual([0, 0.5, 1]);
    expect(v(mx.clip(i32, null, 2))).toEqual([1, 2, 2]);
    expect(mx.clip(i32, 0, 2).dtype).toBe(mx.int32);
    expect(() => mx.clip(i32, null, null)).toThrow(/clip/);
  });

  test('predicates', () => {
    const x = mx.array([1, NaN, Infinity, -Infinity]);
    expect(v(mx.isnan(x))).toEqual([false, true, false, false]);
    expect(v(mx.isinf(x))).toEqual([false, false, true, true]);
    expect(v(mx.isposinf(x))).toEqual([false, false, true, false]);
    expect(v(mx.isneginf(x))).toEqual([false, false, false, true]);
    expect(v(mx.isfinite(x))).toEqual([true, false, false, false]);
    expect(v(mx.isnan(i32))).toEqual([false, false, false]);
    expect(v(mx.isfinite(i32))).toEqual([true, true, true]);
  });

  test('stopGradient and astype', () => {
    const s = mx.stopGradient(i32);
    expect(s.primitive).toBe('stopGradient');
    expect(v(s)).toEqual([1, 2, 3]);
    expect(mx.astype(i32, mx.float32).dtype).toBe(mx.float32);
    expect(v(mx.astype(mx.array([1.7, -1.7]), 'int32'))).toEqual([1, -1]);
  });
});
