import { bool, type Dtype, float16, float32, float64, int8, int32, int64, uint8, uint32 } from '@mlx-ts/core';
import { describe, expect, it } from 'vitest';
import { run, stored } from './helpers.js';

const unary = (prim: string, xs: readonly number[], d: Dtype) => run(prim, {}, [stored(xs, d)], [xs.length], d);
const binary = (prim: string, xs: readonly number[], ys: readonly number[], d: Dtype) => run(prim, {}, [stored(xs, d), stored(ys, d)], [xs.length], d);

describe('unary kernels', () => {
  it('round is half to even', () => {
    expect(unary('round', [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.6, -2.4], float64)).toEqual([-2, -2, -0, 0, 2, 2, 3, -2]);
    expect(unary('round', [7, -3], int32)).toEqual([7, -3]);
  });

  it('sign keeps NaN and works on integers', () => {
    expect(unary('sign', [-3, 0, 2, NaN, -Infinity], float32)).toEqual([-1, 0, 1, NaN, -1]);
    expect(unary('sign', [-128, 0, 5], int8)).toEqual([-1, 0, 1]);
  });

  it('integer negative, abs and square wrap', () => {
    expect(unary('negative', [1, 0], uint32)).toEqual([4294967295, 0]);
    expect(unary('abs', [-128, -5], int8)).toEqual([-128, 5]);
    expect(unary('square', [46341, -65536], int32)).toEqual([-2147479015, 0]);
  });

  it('sigmoid is stable at both ends', () => {
    expect(unary('sigmoid', [0, 800, -800], float64)).toEqual([0.5, 1, 0]);
    expect(unary('sigmoid', [-40], float64)[0]).toBeCloseTo(4.248354255291589e-18, 30);
  });

  it('predicates return bool for every dtype', () => {
    expect(run('isnan', {}, [stored([NaN, 1, Infinity], float32)], [3], bool)).toEqual([1, 0, 0]);
    expect(run('isinf', {}, [stored([NaN, -Infinity, Infinity, 3], float16)], [4], bool)).toEqual([0, 1, 1, 0]);
    expect(run('isinf', {}, [stored([7], int32)], [1], bool)).toEqual([0]);
    expect(run('logicalNot', {}, [stored([true, false], bool)], [2], bool)).toEqual([0, 1]);
  });
});

describe('binary kernels', () => {
  it('int32 and uint32 multiply wrap exactly', () => {
    expect(binary('multiply', [65536, 46341, 0x7fffffff, -7], [65536, 46341, 3, 6], int32)).toEqual([0, -2147479015, 2147483645, -42]);
    expect(binary('multiply', [0xffffffff, 0x10000], [0xffffffff, 0x10001], uint32)).toEqual([1, 0x10000]);
  });

  it('integer add and subtract wrap', () => {
    expect(binary('add', [2147483647, -2147483648], [1, -1], int32)).toEqual([-2147483648, 2147483647]);
    expect(binary('add', [127], [1], int8)).toEqual([-128]);
    expect(binary('subtract', [0], [1], uint8)).toEqual([255]);
    expect(binary('subtract', [0], [1], uint32)).toEqual([4294967295]);
  });

  it('int64 arithmetic is exact on its stored values and wraps modulo 2^64', () => {
    const r = run('multiply', {}, [stored([2n ** 32n, 3n, 2n ** 62n], int64), stored([2n ** 32n, -(2n ** 40n), 2n], int64)], [3], int64);
    expect(r).toEqual([0, -3 * 2 ** 40, -(2 ** 63)]);
    expect(run('add', {}, [stored([2n ** 62n], int64), stored([2n ** 62n], int64)], [1], int64)).toEqual([-(2 ** 63)]);
  });

  it('floorDivide and remainder follow Python, with 0 for integer division by zero', () => {
    const a = [7, -7, 7, -7, 5, -2147483648];
    const b = [2, 2, -2, -2, 0, -1];
    expect(binary('floorDivide', a, b, int32)).toEqual([3, -4, -4, 3, 0, -2147483648]);
    expect(binary('remainder', a, b, int32)).toEqual([1, 1, -1, -1, 0, 0]);
    expect(binary('floorDivide', [7, 200], [0, 7], uint8)).toEqual([0, 28]);
    expect(binary('floorDivide', [1, 7.5, -0, 1, 0], [0.1, -2, 1, 0, 0], float64)).toEqual([9, -4, -0, Infinity, NaN]);
    expect(binary('remainder', [1, -7.5, 0, 5, -5], [0.1, 2, -1, Infinity, Infinity], float64)).toEqual([0.09999999999999995, 0.5, -0, 5, Infinity]);
    expect(run('floorDivide', {}, [stored([-(2n ** 60n) - 2n ** 8n], int64), stored([2n ** 30n], int64)], [1], int64)).toEqual([-(2 ** 30) - 1]);
  });

  it('integer power: exact wrapping, and negative exponents give 0 except for bases 1 and -1', () => {
    expect(binary('power', [3, 2, 1, -1, -1, 0, 5], [21, -1, -5, -3, -4, 0, 0], int32)).toEqual([1870418611, 0, 1, -1, 1, 1, 1]);
    expect(binary('power', [2], [40], uint32)).toEqual([0]);
    expect(binary('power', [-2, 3], [63, 40], int64)).toEqual([-(2 ** 63), Number(BigInt.asIntN(64, 3n ** 40n))]);
  });

  it('float power follows C pow', () => {
    expect(binary('power', [1, -1, 2, NaN, 4], [NaN, Infinity, 0.5, 0, -0.5], float64)).toEqual([1, 1, Math.SQRT2, 1, 0.5]);
  });

  it('maximum and minimum propagate NaN', () => {
    expect(binary('maximum', [1, NaN, 3], [NaN, 2, 1], float32)).toEqual([NaN, NaN, 3]);
    expect(binary('minimum', [1, NaN, 3], [NaN, 2, 1], float32)).toEqual([NaN, NaN, 1]);
  });

  it('bool arithmetic computes as integers and casts back', () => {
    expect(binary('add', [1, 1, 0], [1, 0, 0], bool)).toEqual([1, 1, 0]);
    expect(binary('subtract', [0, 1], [1, 1], bool)).toEqual([1, 0]);
    expect(binary('floorDivide', [1, 1], [0, 1], bool)).toEqual([0, 1]);
  });

  it('comparisons return bool, false against NaN except notEqual', () => {
    const xs = [1, NaN, 2];
    const ys = [1, NaN, 3];
    const cmp = (p: string) => run(p, {}, [stored(xs, float32), stored(ys, float32)], [3], bool);
    expect(cmp('equal')).toEqual([1, 0, 0]);
    expect(cmp('notEqual')).toEqual([0, 1, 1]);
    expect(cmp('less')).toEqual([0, 0, 1]);
    expect(cmp('greaterEqual')).toEqual([1, 0, 0]);
    expect(run('logicalOr', {}, [stored([true, false, false], bool), stored([false, true, false], bool)], [3], bool)).toEqual([1, 1, 0]);
  });

  it('where picks by a bool condition', () => {
    const r = run('where', {}, [stored([true, false, true], bool), stored([1, 2, 3], float32), stored([-1, -2, -3], float32)], [3], float32);
    expect(r).toEqual([1, -2, 3]);
  });
});

describe('astype', () => {
  it('truncates floats to ints, maps to bool by != 0 (NaN is true), and rounds to nearest even', () => {
    const xs = stored([2.7, -2.7, 0, NaN], float64);
    expect(run('astype', { dtype: int32 }, [xs], [4], int32)).toEqual([2, -2, 0, 0]);
    expect(run('astype', { dtype: bool }, [xs], [4], bool)).toEqual([1, 1, 0, 1]);
    // 2049 lies halfway between the float16 neighbours 2048 and 2050: ties go to the even mantissa.
    expect(run('astype', { dtype: float16 }, [stored([2049, 2051, 1e6], float64)], [3], float16)).toEqual([2048, 2052, Infinity]);
    expect(run('astype', { dtype: float32 }, [stored([true, false], bool)], [2], float32)).toEqual([1, 0]);
  });
});

describe('arange', () => {
  it('computes start + i * step in float64, then casts', () => {
    expect(run('arange', { start: 0.1, step: 0.1, n: 3, dtype: float32 }, [], [3], float32)).toEqual([0.1, 0.2, 0.1 + 2 * 0.1].map(Math.fround));
    expect(run('arange', { start: -1.5, step: 1, n: 4, dtype: int32 }, [], [4], int32)).toEqual([-1, 0, 0, 1]);
  });
});
