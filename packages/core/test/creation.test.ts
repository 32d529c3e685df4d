/** Creation ops (packages/core/src/ops/creation.ts). */
import { describe, expect, test } from 'vitest';
import * as mx from '@mlx-ts/core';
import { v } from './helpers.js';

describe('creation', () => {
  test('zeros, ones, full and the likes', () => {
    const z = mx.zeros([2, 3]);
    expect(z.shape).toEqual([2, 3]);
    expect(z.dtype).toBe(mx.float32);
    expect(v(z)).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(mx.ones(3, mx.int32).dtype).toBe(mx.int32);
    expect(v(mx.ones(3, { dtype: 'bool' }))).toEqual([true, true, true]);
    expect(v(mx.full([2, 2], 7, mx.int32))).toEqual([
      [7, 7],
      [7, 7],
    ]);
    expect(v(mx.full([2, 2], [1, 2]))).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect(mx.full([2], true).dtype).toBe(mx.bool);
    const a = mx.array([[1, 2]], mx.int16);
    expect(mx.zerosLike(a).dtype).toBe(mx.int16);
    expect(v(mx.onesLike(a))).toEqual([[1, 1]]);
    expect(() => mx.zeros([-1])).toThrow(/zeros: expected a shape/);
    expect(() => mx.full([2], [1, 2, 3])).toThrow(/broadcast/);
  });

  test('arange', () => {
    const a = mx.arange(5);
    expect(a.dtype).toBe(mx.int32);
    expect(v(a)).toEqual([0, 1, 2, 3, 4]);
    expect(v(mx.arange(2, 8, 3))).toEqual([2, 5]);
    expect(v(mx.arange(5, 0, -2))).toEqual([5, 3, 1]);
    expect(v(mx.arange(10, 2))).toEqual([]);
    const f = mx.arange(0, 1, 0.25);
    expect(f.dtype).toBe(mx.float32);
    expect(v(f)).toEqual([0, 0.25, 0.5, 0.75]);
    expect(mx.arange(3, mx.float32).dtype).toBe(mx.float32);
    expect(mx.arange(0, 3, null, 'float16').dtype).toBe(mx.float16);
    expect(v(mx.arange(5, { step: 2 }))).toEqual([0, 2, 4]);
    expect(v(mx.arange({ start: 1, stop: 4 }))).toEqual([1, 2, 3]);
    expect(v(mx.arange(1, { stop: 3 }))).toEqual([1, 2]);
    expect(() => mx.arange(0, 5, 0)).toThrow(/arange: step cannot be zero/);
    expect(() => mx.arange(3, mx.bool)).toThrow(/bools/);
  });

  test('linspace, eye, identity, tri', () => {
    const l = mx.linspace(0, 1, 5);
    expect(l.dtype).toBe(mx.float32);
    expect(v(l)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(mx.linspace(0, 1).shape).toEqual([50]);
    expect(v(mx.linspace(3, 9, 1))).toEqual([3]);
    expect(v(mx.linspace(0, 10, 5, mx.int32))).toEqual([0, 2, 5, 7, 10]);
    expect(v(mx.eye(2))).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(v(mx.eye(2, 3, 1))).toEqual([
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(v(mx.eye(3, { k: -1, dtype: mx.int32 }))).toEqual([
      [0, 0, 0],
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(mx.identity(3, mx.float16).dtype).toBe(mx.float16);
    expect(v(mx.tri(2, 3))).toEqual([
      [1, 0, 0],
      [1, 1, 0],
    ]);
    const x = mx.array([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    expect(v(mx.tril(x))).toEqual([
      [1, 0, 0],
      [4, 5, 0],
      [7, 8, 9],
    ]);
    expect(v(mx.triu(x, 1))).toEqual([
      [0, 2, 3],
      [0, 0, 6],
      [0, 0, 0],
    ]);
  });
});
