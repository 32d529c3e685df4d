/** The Array methods (packages/core/src/array-methods.ts). */
import { describe, expect, test } from 'vitest';
import * as mx from '@mlx-ts/core';
import { v } from './helpers.js';

describe('Array methods', () => {
  test('forward to the ops', () => {
    const a = mx.arange(6).reshape(2, 3);
    expect(a.shape).toEqual([2, 3]);
    expect(mx.arange(6).reshape([3, 2]).shape).toEqual([3, 2]);
    expect(v(a.T)).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    expect(a.transpose(1, 0).shape).toEqual([3, 2]);
    expect(a.transpose([1, 0]).shape).toEqual([3, 2]);
    expect(a.transpose().shape).toEqual([3, 2]);
    expect(v(a.sum(1))).toEqual([3, 12]);
    expect(v(a.sum({ axis: 0, keepdims: true }))).toEqual([[3, 5, 7]]);
    expect(v(a.max())).toBe(5);
    expect(v(a.mean(0))).toEqual([1.5, 2.5, 3.5]);
    expect(v(a.argmax(1))).toEqual([2, 2]);
    expect(a.astype(mx.float32).dtype).toBe(mx.float32);
    expect(v(a.add(1).multiply(2))).toEqual([
      [2, 4, 6],
      [8, 10, 12],
    ]);
    expect(v(a.greater(2))).toEqual([
      [false, false, false],
      [true, true, true],
    ]);
    expect(a.flatten().shape).toEqual([6]);
    expect(a.split(3, 1).length).toBe(3);
    expect(v(a.abs().square())).toEqual([
      [0, 1, 4],
      [9, 16, 25],
    ]);
    expect(v(a.cumsum(1))).toEqual([
      [0, 1, 3],
      [3, 7, 12],
    ]);
    expect(v(mx.ones([2, 2]).matmul(mx.ones([2, 1])))).toEqual([[2], [2]]);
    expect(v(a.index(1))).toEqual([3, 4, 5]);
    expect(v(a.squeeze().var())).toBeCloseTo(35 / 12, 5);
  });

  test('streams are accepted as options', () => {
    const a = mx.ones([2, 2]);
    const s = mx.sum(a, 0, false, { stream: mx.cpu });
    expect(v(s)).toEqual([2, 2]);
    expect(v(mx.add(a, 1, { stream: mx.cpu }))).toEqual([
      [2, 2],
      [2, 2],
    ]);
    expect(v(mx.zeros([2], { stream: mx.cpu }))).toEqual([0, 0]);
    expect(() => (mx.sum as (...args: unknown[]) => mx.Array)(a, 0, false, { stream: mx.cpu }, 1)).toThrow(/options object must be the last/);
  });
});
