import { bool, float16, float16BitsToNumber, float32, float64, int32, int8, numberToFloat16Bits, uint32 } from '@mlx-ts/core';
import { describe, expect, test } from 'vitest';
import { f32, i32, input, run } from './helpers.js';

describe('reductions', () => {
  const m = [1, 2, 3, 4, 5, 6];
  test('over each axis, all axes, and a transposed view', () => {
    expect(run('sum', [f32(m, [2, 3])], [1, 3], float32, { axes: [0] })).toEqual([5, 7, 9]);
    expect(run('sum', [f32(m, [2, 3])], [2, 1], float32, { axes: [1] })).toEqual([6, 15]);
    expect(run('prod', [f32(m, [2, 3])], [1, 1], float32, { axes: [0, 1] })).toEqual([720]);
    // The [3, 2] transpose of [[1, 2, 3], [4, 5, 6]], summed over its axis 1.
    expect(run('sum', [f32(m, [3, 2], [1, 3])], [3, 1], float32, { axes: [1] })).toEqual([5, 7, 9]);
    expect(run('max', [i32(m, [2, 3])], [2, 1], int32, { axes: [1] })).toEqual([3, 6]);
    expect(run('min', [i32(m, [2, 3], [-3, -1], 5)], [1, 3], int32, { axes: [0] })).toEqual([3, 2, 1]);
  });

  test('broadcast inputs and a reversed axis', () => {
    // A [4, 3] broadcast of one row: every column sums 4 copies.
    expect(run('sum', [f32([1, 2, 3], [4, 3], [0, 1])], [1, 3], float32, { axes: [0] })).toEqual([4, 8, 12]);
    expect(run('max', [f32([1, 5, 3], [3], [-1], 2)], [1], float32, { axes: [0] })).toEqual([5]);
  });

  test('empty reductions give the identity', () => {
    const e = f32([], [0, 3]);
    expect(run('sum', [e], [1, 3], float32, { axes: [0] })).toEqual([0, 0, 0]);
    expect(run('prod', [e], [1, 3], float32, { axes: [0] })).toEqual([1, 1, 1]);
    expect(run('max', [e], [1, 3], float32, { axes: [0] })).toEqual([-Infinity, -Infinity, -Infinity]);
    expect(run('min', [i32([], [0])], [1], int32, { axes: [0] })).toEqual([2147483647]);
    expect(run('max', [input(new Int8Array(0), int8, [0])], [1], int8, { axes: [0] })).toEqual([-128]);
    expect(run('max', [input(new Uint8Array(0), bool, [0])], [1], bool, { axes: [0] })).toEqual([0]);
    expect(run('min', [input(new Uint8Array(0), bool, [0])], [1], bool, { axes: [0] })).toEqual([1]);
  });

  test('max and min propagate NaN; integer sums wrap', () => {
    expect(run('max', [f32([1, NaN, 3])], [1], float32, { axes: [0] })).toEqual([NaN]);
    expect(run('min', [f32([1, NaN, 3])], [1], float32, { axes: [0] })).toEqual([NaN]);
    expect(run('sum', [input(new Int8Array([100, 100]), int8, [2])], [1], int8, { axes: [0] })).toEqual([-56]);
  });

  test('float32 sums accumulate in float64', () => {
    const n = 1 << 20;
    const xs = new Float32Array(n).fill(0.1);
    const [s] = run('sum', [input(xs, float32, [n])], [1], float32, { axes: [0] });
    expect(s).toBe(Math.fround(n * Math.fround(0.1)));
  });

  test('float16 sums round once', () => {
    const h = input(new Uint16Array([2048, 1, 1].map(numberToFloat16Bits)), float16, [3]);
    expect(run('sum', [h], [1], float16, { axes: [0] }).map(float16BitsToNumber)).toEqual([2050]);
  });

  test('argmax and argmin: first occurrence, NaN wins', () => {
    expect(run('argmax', [f32([1, 3, 3, 2])], [1], uint32, { axis: 0 })).toEqual([1]);
    expect(run('argmax', [f32([1, NaN, 3, NaN])], [1], uint32, { axis: 0 })).toEqual([1]);
    expect(run('argmin', [f32([2, 1, NaN, 1])], [1], uint32, { axis: 0 })).toEqual([2]);
    expect(run('argmin', [i32([4, 1, 1], [3])], [1], uint32, { axis: 0 })).toEqual([1]);
    expect(run('argmax', [f32([1, 9, 3, 4, 5, 6], [2, 3])], [1, 3], uint32, { axis: 0 })).toEqual([1, 0, 1]);
    expect(run('argmin', [f32([1, 9, 3, 4, 5, 0], [2, 3])], [2, 1], uint32, { axis: 1 })).toEqual([0, 2]);
  });
});

describe('scans', () => {
  const xs = [1, 2, 3, 4];
  test('inclusive, exclusive, reversed', () => {
    expect(run('cumsum', [f32(xs)], [4], float32, { axis: 0, reverse: false, inclusive: true })).toEqual([1, 3, 6, 10]);
    expect(run('cumsum', [f32(xs)], [4], float32, { axis: 0, reverse: false, inclusive: false })).toEqual([0, 1, 3, 6]);
    expect(run('cumsum', [f32(xs)], [4], float32, { axis: 0, reverse: true, inclusive: true })).toEqual([10, 9, 7, 4]);
    expect(run('cumprod', [i32(xs)], [4], int32, { axis: 0, reverse: true, inclusive: false })).toEqual([24, 12, 4, 1]);
  });

  test('along axis 0 of a matrix, and of a strided view', () => {
    expect(run('cumsum', [f32([1, 2, 3, 4, 5, 6], [2, 3])], [2, 3], float32, { axis: 0, reverse: false, inclusive: true })).toEqual([1, 2, 3, 5, 7, 9]);
    expect(run('cummax', [f32([1, 2, 3, 4, 5, 6], [3, 2], [1, 3])], [3, 2], float32, { axis: 1, reverse: false, inclusive: true })).toEqual([1, 4, 2, 5, 3, 6]);
  });

  test('cummax propagates NaN; exclusive cummin starts at the identity', () => {
    expect(run('cummax', [f32([1, NaN, 3])], [3], float32, { axis: 0, reverse: false, inclusive: true })).toEqual([1, NaN, NaN]);
    expect(run('cummin', [f32([3, 1, 2])], [3], float32, { axis: 0, reverse: false, inclusive: false })).toEqual([Infinity, 3, 1]);
  });
});

describe('sort', () => {
  test('ascending with NaN last, along either axis', () => {
    expect(run('sort', [f32([3, NaN, -1, 2, NaN, 0])], [6], float32, { axis: 0 })).toEqual([-1, 0, 2, 3, NaN, NaN]);
    expect(run('sort', [i32([3, 1, 2, 0, 5, 4], [2, 3])], [2, 3], int32, { axis: 1 })).toEqual([1, 2, 3, 0, 4, 5]);
    expect(run('sort', [i32([3, 1, 2, 0, 5, 4], [2, 3])], [2, 3], int32, { axis: 0 })).toEqual([0, 1, 2, 3, 5, 4]);
  });

  test('argsort is stable', () => {
    expect(run('argsort', [f32([2, 1, 2, NaN, 1, 0])], [6], uint32, { axis: 0 })).toEqual([5, 1, 4, 0, 2, 3]);
    expect(run('argsort', [f32([1, 0, 0, 1], [2, 2], [1, 2])], [2, 2], uint32, { axis: 0 })).toEqual([1, 0, 0, 1]);
  });

  test('sorts float64 and many random values', () => {
    const xs = Array.from({ length: 1000 }, () => Math.random() - 0.5);
    const out = run('sort', [input(new Float64Array(xs), float64, [1000])], [1000], float64, { axis: 0 });
    expect(out).toEqual([...xs].sort((a, b) => a - b));
  });
});
