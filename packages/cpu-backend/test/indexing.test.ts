import { bool, float32, int16, int32, int64, uint8, uint32 } from '@mlx-ts/core';
import { describe, expect, test } from 'vitest';
import { f32, i32, input, run } from './helpers.js';

describe('gather', () => {
  const a = f32([0, 1, 2, 10, 11, 12, 20, 21, 22], [3, 3]);
  test('along each axis; negative indices wrap once, others clamp', () => {
    expect(run('gather', [a, i32([2, -1, 0])], [3, 3], float32, { axis: 0 })).toEqual([20, 21, 22, 20, 21, 22, 0, 1, 2]);
    expect(run('gather', [a, i32([-5, 7])], [2, 3], float32, { axis: 0 })).toEqual([0, 1, 2, 20, 21, 22]);
    expect(run('gather', [a, i32([1, 1], [2, 1])], [3, 2, 1], float32, { axis: 1 })).toEqual([1, 1, 11, 11, 21, 21]);
  });

  test('index inputs of any integer dtype, and a strided source', () => {
    const idx8 = input(new Uint8Array([2, 0]), uint8, [2]);
    const idx64 = input(new BigInt64Array([-1n, 0n]), int64, [2]);
    expect(run('gather', [a, idx8], [3, 2], float32, { axis: 1 })).toEqual([2, 0, 12, 10, 22, 20]);
    expect(run('gather', [a, idx64], [2, 3], float32, { axis: 0 })).toEqual([20, 21, 22, 0, 1, 2]);
    const t = f32([0, 1, 2, 10, 11, 12, 20, 21, 22], [3, 3], [1, 3]);
    expect(run('gather', [t, i32([0])], [1, 3], float32, { axis: 0 })).toEqual([0, 10, 20]);
    expect(() => run('gather', [a, f32([0])], [1, 3], float32, { axis: 0 })).toThrow(/integer/);
  });

  test('gatherAxis (takeAlongAxis)', () => {
    const idx = input(new Int16Array([2, 0, 1, 1, -1, 5]), int16, [3, 2]);
    expect(run('gatherAxis', [a, idx], [3, 2], float32, { axis: 1 })).toEqual([2, 0, 11, 11, 22, 22]);
  });
});

describe('scatter', () => {
  const a = f32([0, 0, 0, 0, 0, 0], [3, 2]);
  test('set: the last duplicate wins', () => {
    const upd = f32([1, 2, 3, 4, 5, 6], [3, 2]);
    expect(run('scatter', [a, i32([2, 0, 2]), upd], [3, 2], float32, { axis: 0, mode: 'set' })).toEqual([3, 4, 0, 0, 5, 6]);
  });

  test('add, multiply, maximum, minimum accumulate duplicates', () => {
    const base = f32([1, 1, 1, 1, 1, 1], [3, 2]);
    const upd = f32([1, 2, 3, 4, 5, 6], [3, 2]);
    const idx = i32([2, 0, 2]);
    expect(run('scatter', [base, idx, upd], [3, 2], float32, { axis: 0, mode: 'add' })).toEqual([4, 5, 1, 1, 7, 9]);
    expect(run('scatter', [base, idx, upd], [3, 2], float32, { axis: 0, mode: 'multiply' })).toEqual([3, 4, 1, 1, 5, 12]);
    expect(run('scatter', [base, idx, upd], [3, 2], float32, { axis: 0, mode: 'maximum' })).toEqual([3, 4, 1, 1, 5, 6]);
    expect(run('scatter', [f32([9, 9, 9, 9, 9, 9], [3, 2]), idx, upd], [3, 2], float32, { axis: 0, mode: 'minimum' })).toEqual([3, 4, 9, 9, 1, 2]);
  });

  test('scatterAxis', () => {
    const idx = i32([1, 1, 0, 0], [2, 2]);
    const upd = f32([5, 6, 7, 8], [2, 2]);
    expect(run('scatterAxis', [f32([0, 0, 0, 0], [2, 2]), idx, upd], [2, 2], float32, { axis: 1, mode: 'add' })).toEqual([0, 11, 15, 0]);
    expect(run('scatterAxis', [f32([0, 0, 0, 0], [2, 2]), idx, upd], [2, 2], float32, { axis: 1, mode: 'set' })).toEqual([0, 6, 8, 0]);
  });

  test('bool scatter-add computes as integers', () => {
    const base = input(new Uint8Array([0, 1]), bool, [2]);
    const upd = input(new Uint8Array([1, 1]), bool, [2]);
    expect(run('scatter', [base, i32([0, 0]), upd], [2], bool, { axis: 0, mode: 'add' })).toEqual([1, 1]);
  });
});

describe('concatenate and pad', () => {
  test('concatenate strided inputs along an axis', () => {
    const a = f32([1, 2, 3, 4], [2, 2]);
    const b = f32([5, 6], [2, 1], [1, 1]);
    const c = f32([7, 8, 9, 10], [2, 2], [1, 2]);
    expect(run('concatenate', [a, b, c], [2, 5], float32, { axis: 1 })).toEqual([1, 2, 5, 7, 9, 3, 4, 6, 8, 10]);
    expect(run('concatenate', [a, a], [4, 2], float32, { axis: 0 })).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
  });

  test('pad with a value, and negative widths crop', () => {
    const a = i32([1, 2, 3, 4], [2, 2]);
    expect(run('pad', [a], [3, 4], int32, { low: [1, 0], high: [0, 2], value: 9 })).toEqual([9, 9, 9, 9, 1, 2, 9, 9, 3, 4, 9, 9]);
    expect(run('pad', [a], [2, 2], int32, { low: [0, -1], high: [0, 1], value: 0 })).toEqual([2, 0, 4, 0]);
    expect(run('pad', [f32([1], [1])], [3], float32, { low: [1], high: [1], value: -0 }).map((x) => Object.is(x, -0))).toEqual([true, false, true]);
  });
});

test('arange computes in float64 then casts', () => {
  expect(run('arange', [], [4], float32, { start: 0.5, step: 0.25, n: 4, dtype: float32 })).toEqual([0.5, 0.75, 1, 1.25]);
  expect(run('arange', [], [3], int32, { start: 5, step: -2.5, n: 3, dtype: int32 })).toEqual([5, 2, 0]);
  expect(run('arange', [], [3], uint32, { start: 0, step: 1, n: 3, dtype: uint32 })).toEqual([0, 1, 2]);
});
