/** Printing (packages/core/src/print.ts) and an Array in JS's numeric and JSON contexts. */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as mx from '@mlx-ts/core';
import './helpers.js';

describe('printing', () => {
  it('prints like MLX and NumPy, aligned, in every context', () => {
    const a = mx.array(
      [
        [1, 2],
        [3, 40],
      ],
      mx.int32,
    );
    const want = 'array([[ 1,  2],\n       [ 3, 40]], dtype=int32)';
    expect(String(a)).toBe(want);
    expect(a.toString()).toBe(want);
    expect(inspect(a)).toBe(want);
    expect(String(mx.array(1.5))).toBe('array(1.5, dtype=float32)');
    expect(String(mx.array([true, false]))).toBe('array([ true, false], dtype=bool)');
    expect(String(mx.arange(8).reshape([2, 2, 2]))).toBe('array([[[0, 1],\n        [2, 3]],\n\n       [[4, 5],\n        [6, 7]]], dtype=int32)');
  });

  it('floats with the digits of their dtype, nan and inf by name, scientific when NumPy would', () => {
    expect(String(mx.array([0.1, 1 / 3, 2]))).toBe('array([       0.1, 0.33333334,          2], dtype=float32)');
    expect(String(mx.array([1 / 3], mx.float64))).toBe('array([0.3333333333333333], dtype=float64)');
    expect(String(mx.array([NaN, Infinity, -Infinity]))).toBe('array([ nan,  inf, -inf], dtype=float32)');
    expect(String(mx.array([1e-7, 1e20]))).toBe('array([1e-07, 1e+20], dtype=float32)');
    expect(String(mx.array([1, 2.5], mx.float16))).toBe('array([  1, 2.5], dtype=float16)');
  });

  it('summarises past 1000 elements, reading only what it prints', () => {
    const s = String(mx.arange(1_000_000).reshape([1000, 1000]));
    expect(s.split('\n')).toHaveLength(7);
    expect(s).toContain('[     0,      1,      2, ...,    997,    998,    999],');
    expect(s).toContain('...,');
    // Never materialised: a broadcast scalar of 10^12 elements prints at once.
    expect(String(mx.zeros([1e6, 1e6]))).toContain('[0, 0, 0, ..., 0, 0, 0]');
    expect(String(mx.arange(30))).toContain('\n       18, 19,');
  });

  it('a tracer prints its shape and dtype', () => {
    // The transforms live in another package; a placeholder is what they trace with.
    expect(String(mx.placeholderArray([2, 3], mx.float32, 'test'))).toBe('array(shape=[2,3], dtype=float32, traced)');
  });

  it('JSON gives the values; numeric contexts read a one-element array and refuse larger ones', () => {
    expect(JSON.stringify({ w: mx.array([[1, 2]]) })).toBe('{"w":[[1,2]]}');
    expect(Number(mx.array(3.5))).toBe(3.5);
    expect((mx.array([7]) as unknown as number) > 2).toBe(true);
    expect(`${mx.array(2, mx.int32)}`).toBe('array(2, dtype=int32)');
    expect(() => Number(mx.array([1, 2]))).toThrow(/shape \[2\] has no single numeric value/);
  });
});
