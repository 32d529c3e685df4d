import {
  bfloat16,
  bool,
  float16,
  float16BitsToNumber,
  float32,
  float64,
  int32,
  int64,
  int8,
  numberToFloat16Bits,
  uint8,
  float32ToBfloat16Bits,
  bfloat16BitsToNumber,
  uint32,
  unaryAnyDtype,
  unaryFloat,
  binaryAnyDtype,
  binaryFloat,
  unaryInteger,
  binaryInteger,
} from '@mlx-ts/core';
import { describe, expect, test } from 'vitest';
import { f32, i32, input, run } from './helpers.js';

const f64 = (xs: number[], shape = [xs.length]) => input(new Float64Array(xs), float64, shape);
const f16 = (xs: number[], shape = [xs.length]) => input(new Uint16Array(xs.map(numberToFloat16Bits)), float16, shape);

describe('strided inputs', () => {
  test('contiguous, broadcast (stride 0), reversed (negative stride) and offset views', () => {
    const a = f32([1, 2, 3, 4, 5, 6], [2, 3]);
    const row = f32([10, 20, 30], [2, 3], [0, 1]);
    expect(run('add', [a, row], [2, 3], float32)).toEqual([11, 22, 33, 14, 25, 36]);
    // Both axes reversed: element [i, j] is data[5 - 3i - j].
    const reversed = f32([1, 2, 3, 4, 5, 6], [2, 3], [-3, -1], 5);
    expect(run('add', [a, reversed], [2, 3], float32)).toEqual([7, 7, 7, 7, 7, 7]);
    // A transposed [3, 2] view of a [2, 3] buffer, from offset 1 of a larger buffer.
    const t = f32([0, 1, 2, 3, 4, 5, 6], [3, 2], [1, 3], 1);
    expect(run('negative', [t], [3, 2], float32)).toEqual([-1, -4, -2, -5, -3, -6]);
    // A scalar broadcast to a matrix.
    const s = f32([2], [2, 3], [0, 0]);
    expect(run('multiply', [s, a], [2, 3], float32)).toEqual([2, 4, 6, 8, 10, 12]);
  });

  test('empty arrays', () => {
    const e = f32([], [0, 3]);
    expect(run('add', [e, e], [0, 3], float32)).toEqual([]);
    expect(run('exp', [e], [0, 3], float32)).toEqual([]);
  });

  test('0-d arrays', () => {
    expect(run('sqrt', [f32([9], [])], [], float32)).toEqual([3]);
  });
});

describe('integer arithmetic', () => {
  test('wraps', () => {
    expect(run('add', [i32([2147483647]), i32([1])], [1], int32)).toEqual([-2147483648]);
    const a = input(new Int8Array([100, -128]), int8, [2]);
    expect(run('multiply', [a, a], [2], int8)).toEqual([16, 0]);
    expect(run('abs', [a], [2], int8)).toEqual([100, -128]);
    const u = input(new Uint8Array([1]), uint8, [1]);
    const v = input(new Uint8Array([2]), uint8, [1]);
    expect(run('subtract', [u, v], [1], uint8)).toEqual([255]);
    const big = input(new BigInt64Array([9223372036854775807n]), int64, [1]);
    const one = input(new BigInt64Array([1n]), int64, [1]);
    expect(run('add', [big, one], [1], int64)).toEqual([-9223372036854775808]);
  });

  test('floorDivide and remainder follow Python; division by zero gives 0', () => {
    const a = i32([7, -7, 7, -7, 5, -2147483648]);
    const b = i32([2, 2, -2, -2, 0, -1]);
    expect(run('floorDivide', [a, b], [6], int32)).toEqual([3, -4, -4, 3, 0, -2147483648]);
    expect(run('remainder', [a, b], [6], int32)).toEqual([1, 1, -1, -1, 0, 0]);
  });

  test('power with negative exponents', () => {
    expect(run('power', [i32([2, 1, -1, -1, 3, 0]), i32([-1, -5, -3, -2, 4, 0])], [6], int32)).toEqual([0, 1, -1, 1, 81, 1]);
  });

  test('bool arithmetic computes as integers and casts back', () => {
    const t = input(new Uint8Array([1, 1, 0, 0]), bool, [4]);
    const u = input(new Uint8Array([1, 0, 1, 0]), bool, [4]);
    expect(run('add', [t, u], [4], bool)).toEqual([1, 1, 1, 0]);
    expect(run('subtract', [t, u], [4], bool)).toEqual([0, 1, 1, 0]);
    expect(run('multiply', [t, u], [4], bool)).toEqual([1, 0, 0, 0]);
  });
});

describe('float arithmetic', () => {
  test('floorDivide and remainder follow NumPy', () => {
    const a = f64([7.5, -7.5, 7.5, 1, 3]);
    const b = f64([2, 2, -2, 0.1, 0]);
    expect(run('floorDivide', [a, b], [5], float64)).toEqual([3, -4, -4, 9, Infinity]);
    const r = run('remainder', [a, b], [5], float64);
    expect(r.slice(0, 3)).toEqual([1.5, 0.5, -0.5]);
    expect(r[3]).toBeCloseTo(0.1, 15);
    expect(r[4]).toBeNaN();
  });

  test('maximum and minimum propagate NaN', () => {
    expect(run('maximum', [f32([NaN, 1, 2]), f32([1, NaN, 3])], [3], float32)).toEqual([NaN, NaN, 3]);
    expect(run('minimum', [f32([NaN, 1, 2]), f32([1, NaN, 3])], [3], float32)).toEqual([NaN, NaN, 2]);
  });

  test('comparisons and logical ops give bool', () => {
    expect(run('less', [f32([1, 2, NaN]), f32([2, 2, 1])], [3], bool)).toEqual([1, 0, 0]);
    expect(run('notEqual', [f32([1, NaN]), f32([1, NaN])], [2], bool)).toEqual([0, 1]);
    const t = input(new Uint8Array([1, 1, 0]), bool, [3]);
    const u = input(new Uint8Array([1, 0, 0]), bool, [3]);
    expect(run('logicalAnd', [t, u], [3], bool)).toEqual([1, 0, 0]);
    expect(run('logicalOr', [t, u], [3], bool)).toEqual([1, 1, 0]);
  });

  test("float-only kernels (core's float families) reject integer inputs with an error; the others take them", () => {
    const ints = (n: number) => Array.from({ length: n }, () => i32([1]));
    for (const p of unaryFloat) expect(() => run(p, ints(1), [1], int32), p).toThrow(/expects a floating dtype/);
    for (const p of binaryFloat) expect(() => run(p, ints(2), [1], int32), p).toThrow(/expects a floating dtype/);
    for (const p of unaryAnyDtype) expect(run(p, ints(1), [1], int32), p).toHaveLength(1);
    for (const p of binaryAnyDtype) expect(run(p, ints(2), [1], int32), p).toHaveLength(1);
  });

  test("integer-only kernels (core's integer families) reject floating and bool inputs; shifts out of range follow NumPy", () => {
    const floats = (n: number) => Array.from({ length: n }, () => f32([1]));
    for (const p of unaryInteger) expect(() => run(p, floats(1), [1], float32), p).toThrow(/expects an integer dtype, got float32/);
    for (const p of binaryInteger) expect(() => run(p, floats(2), [1], float32), p).toThrow(/expects an integer dtype, got float32/);
    const b = input(new Uint8Array([1]), bool, [1]);
    expect(() => run('bitwiseAnd', [b, b], [1], bool)).toThrow(/expects an integer dtype, got bool/);
    const a = i32([5, -8, 1, -1, 7]);
    const n = i32([1, 1, 31, 40, -1]);
    expect(run('leftShift', [a, n], [5], int32)).toEqual([10, -16, -(2 ** 31), 0, 0]);
    expect(run('rightShift', [a, n], [5], int32)).toEqual([2, -4, 0, -1, 0]);
    expect(run('bitwiseInvert', [i32([0, -1, 5])], [3], int32)).toEqual([-1, 0, -6]);
    const u = (xs: number[]) => input(new Uint8Array(xs), uint8, [xs.length]);
    expect(run('bitwiseInvert', [u([0, 5])], [2], uint8)).toEqual([255, 250]);
    expect(run('leftShift', [u([129, 1]), u([1, 8])], [2], uint8)).toEqual([2, 0]);
    expect(run('bitwiseXor', [u([12, 255]), u([10, 1])], [2], uint8)).toEqual([6, 254]);
  });
});

describe('unary', () => {
  test('round is half to even; sign keeps NaN', () => {
    expect(run('round', [f32([0.5, 1.5, 2.5, -0.5, -1.5, 2.4])], [6], float32)).toEqual([0, 2, 2, -0, -2, 2]);
    expect(run('sign', [f32([-3, 0, 2, NaN])], [4], float32)).toEqual([-1, 0, 1, NaN]);
    expect(run('sign', [i32([-3, 0, 2])], [3], int32)).toEqual([-1, 0, 1]);
  });

  test('transcendental functions', () => {
    const x = [0.1, 0.5, 0.9];
    const out = run('exp', [f64(x)], [3], float64);
    out.forEach((v, i) => expect(v).toBe(Math.exp(x[i]!)));
    const s = run('sigmoid', [f32([0, 100, -100])], [3], float32);
    expect(s.slice(0, 2)).toEqual([0.5, 1]);
    // sigmoid(-100) = 3.7e-44: a float32 subnormal (or 0 where the kernel flushes it).
    expect(s[2]).toBeGreaterThanOrEqual(0);
    expect(s[2]).toBeLessThan(1e-40);
    expect(run('rsqrt', [f32([4])], [1], float32)).toEqual([0.5]);
  });

  test('erfinv is accurate in float64 and float32', () => {
    const ys = [-0.999999, -0.9, -0.5, -1e-10, 0, 1e-300, 0.3, 0.5, 0.75, 0.99, 0.9999999999, 1 - 2 ** -52];
    const out = run('erfinv', [f64(ys)], [ys.length], float64);
    expect(out[6]).toBeCloseTo(0.2724627147267544, 15);
    expect(out[7]).toBeCloseTo(0.4769362762044699, 15);
    expect(out[2]).toBeCloseTo(-0.4769362762044699, 15);
    expect(out[1]).toBeCloseTo(-1.1630871536766743, 14);
    expect(out[9]).toBeCloseTo(1.8213863677184496, 14);
    expect(out[4]).toBe(0);
    expect(out[5]).toBeCloseTo(1e-300 * 0.886226925452758, 310);
    // Deep in the tails (values from mpmath).
    expect(out[0]).toBeCloseTo(-3.4589107372754988, 14);
    expect(out[10]).toBeCloseTo(4.5728249585449249, 14);
    expect(out[11]).toBeCloseTo(5.8050186831934533, 14);
    expect(run('erfinv', [f64([1, -1, 1.5, NaN])], [4], float64)).toEqual([Infinity, -Infinity, NaN, NaN]);
    const o32 = run('erfinv', [f32([0.5, 0.75])], [2], float32);
    expect(o32).toEqual([Math.fround(0.4769362762044699), Math.fround(0.8134198475976185)]);
  });

  test('isnan and isinf accept every dtype', () => {
    expect(run('isnan', [f32([NaN, 1, Infinity])], [3], bool)).toEqual([1, 0, 0]);
    expect(run('isinf', [f32([NaN, -Infinity, Infinity])], [3], bool)).toEqual([0, 1, 1]);
    expect(run('isnan', [i32([1, 2])], [2], bool)).toEqual([0, 0]);
  });
});

describe('float16 and bfloat16', () => {
  test('compute in float32 and round to nearest even on store', () => {
    // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties go to the even mantissa, 1.
    const one = f16([1, 1 + 2 ** -10]);
    const tiny = f16([2 ** -11, 2 ** -11]);
    const bits = run('add', [one, tiny], [2], float16);
    expect(bits.map(float16BitsToNumber)).toEqual([1, 1 + 2 * 2 ** -10]);
    // Overflow to infinity; subnormals survive.
    const big = f16([65504, 2 ** -24]);
    expect(run('add', [big, big], [2], float16).map(float16BitsToNumber)).toEqual([Infinity, 2 ** -23]);
  });

  test('bfloat16 arithmetic', () => {
    const enc = (xs: number[]) => input(new Uint16Array(xs.map(float32ToBfloat16Bits)), bfloat16, [xs.length]);
    // 256 + 1 is a tie between 256 and 258 in bfloat16 (8 significant bits): even is 256.
    const out = run('add', [enc([256, 3]), enc([1, 4])], [2], bfloat16).map(bfloat16BitsToNumber);
    expect(out).toEqual([256, 7]);
  });

  test('astype rounds and truncates per the contracts', () => {
    const x = f32([1.7, -1.7, 0.5, NaN, 65520, 1 + 2 ** -11 + 2 ** -20]);
    expect(run('astype', [x], [6], int32, { dtype: int32 }).slice(0, 3)).toEqual([1, -1, 0]);
    expect(run('astype', [x], [6], bool, { dtype: bool })).toEqual([1, 1, 1, 1, 1, 1]);
    const h = run('astype', [x], [6], float16, { dtype: float16 }).map(float16BitsToNumber);
    expect(h[0]).toBe(float16BitsToNumber(numberToFloat16Bits(1.7)));
    expect(h[3]).toBeNaN();
    expect(h[4]).toBe(Infinity);
    expect(h[5]).toBe(1 + 2 ** -10);
    expect(run('astype', [f16([2.5, -3])], [2], int32, { dtype: int32 })).toEqual([2, -3]);
    expect(run('astype', [input(new Uint8Array([0, 1]), bool, [2])], [2], float32, { dtype: float32 })).toEqual([0, 1]);
    expect(run('astype', [i32([-1, 300])], [2], uint8, { dtype: uint8 })).toEqual([255, 44]);
    expect(run('astype', [i32([-1])], [1], uint32, { dtype: uint32 })).toEqual([4294967295]);
  });
});

test('where selects with a broadcast condition', () => {
  const c = input(new Uint8Array([1, 0, 1]), bool, [2, 3], [0, 1]);
  const a = f32([1, 2, 3, 4, 5, 6], [2, 3]);
  const b = f32([-1], [2, 3], [0, 0]);
  expect(run('where', [c, a, b], [2, 3], float32)).toEqual([1, -1, 3, 4, -1, 6]);
});
