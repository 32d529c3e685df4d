/**
 * `nn.init`: MLX's initializers. Each call returns a function that, given an array, returns a new
 * array of its shape with the initial values (`nn.init.heUniform()(linear.weight)`), in `dtype`
 * (float32 unless given). Random draws use `mx.random`'s global key.
 *
 * @module
 */
import { argsort, Array, describeValue, type DtypeLike, eye, float32, fmtShape, full, less, random, where } from '@mlx-ts/core';
import { checkNumber, type OptionalArgs, readOptions } from './options.js';

/** An initializer: a new array of `a`'s shape holding the initial values. */
export type Initializer = (a: Array) => Array;

function checkArray(fn: string, a: unknown): Array {
  if (!(a instanceof Array)) throw new Error(`${fn}: the initializer expects an mx.Array, got ${describeValue(a)}`);
  return a;
}

/** Every element `value`. `constant(value, dtype = float32)`. */
export function constant(value: number, ...rest: OptionalArgs<[dtype: DtypeLike], { dtype?: DtypeLike }>): Initializer {
  const fn = 'init.constant';
  checkNumber(fn, 'value', value);
  const { dtype = float32 } = readOptions(fn, rest, ['dtype']);
  return (a) => full(checkArray(fn, a).shape, value, dtype);
}

/** Samples of N(mean, std²). `normal(mean = 0, std = 1, dtype = float32)`. */
export function normal(...rest: OptionalArgs<[mean: number, std: number, dtype: DtypeLike], { mean?: number; std?: number; dtype?: DtypeLike }>): Initializer {
  const fn = 'init.normal';
  const { mean = 0, std = 1, dtype = float32 } = readOptions(fn, rest, ['mean', 'std', 'dtype']);
  checkNumber(fn, 'mean', mean);
  checkNumber(fn, 'std', std);
  return (a) => random.normal({ shape: checkArray(fn, a).shape, scale: std, loc: mean, dtype });
}

/** Samples of U(low, high). `uniform(low = 0, high = 1, dtype = float32)`. */
export function uniform(...rest: OptionalArgs<[low: number, high: number, dtype: DtypeLike], { low?: number; high?: number; dtype?: DtypeLike }>): Initializer {
  const fn = 'init.uniform';
  const { low = 0, high = 1, dtype = float32 } = readOptions(fn, rest, ['low', 'high', 'dtype']);
  checkNumber(fn, 'low', low);
  checkNumber(fn, 'high', high);
  return (a) => random.uniform(low, high, checkArray(fn, a).shape, dtype);
}

/** The identity matrix, for square 2-D arrays only. `identity(dtype = float32)`. */
export function identity(...rest: OptionalArgs<[dtype: DtypeLike], { dtype?: DtypeLike }>): Initializer {
  const fn = 'init.identity';
  const { dtype = float32 } = readOptions(fn, rest, ['dtype']);
  return (a) => {
    checkArray(fn, a);
    if (a.ndim !== 2 || a.shape[0] !== a.shape[1]) throw new Error(`${fn}: expected a square matrix, got shape ${fmtShape(a.shape)}`);
    return eye(a.shape[0]!, { dtype });
  };
}

/**
 * Fan-in and fan-out as MLX computes them: the last axis is the input, the first the output (a
 * Linear weight [out, in]), and the axes between multiply both (the kernel's receptive field).
 */
function fans(fn: string, a: Array): [number, number] {
  if (a.ndim < 2) throw new Error(`${fn}: Glorot and He initialization need an array of at least 2 dimensions, got shape ${fmtShape(a.shape)}`);
  const field = a.shape.slice(1, -1).reduce((x, y) => x * y, 1);
  return [a.shape[a.ndim - 1]! * field, a.shape[0]! * field];
}

/** The fan a He initializer scales by: MLX's 'fan_in'/'fan_out', in camelCase (the snake_case strings work too). */
export type FanMode = 'fanIn' | 'fanOut' | 'fan_in' | 'fan_out';

/** An initializer that also takes a `gain` (Glorot). */
export type GainInitializer = (a: Array, ...rest: OptionalArgs<[gain: number], { gain?: number }>) => Array;
/** An initializer that also takes a fan `mode` and a `gain` (He). */
export type FanInitializer = (a: Array, ...rest: OptionalArgs<[mode: FanMode, gain: number], { mode?: FanMode; gain?: number }>) => Array;

function gainOf(fn: string, rest: readonly unknown[]): number {
  return checkNumber(fn, 'gain', readOptions(fn, rest, ['gain']).gain ?? 1);
}

function fanOf(fn: string, a: Array, rest: readonly unknown[]): [number, number] {
  const { mode = 'fanIn', gain = 1 } = readOptions(fn, rest, ['mode', 'gain']);
  checkNumber(fn, 'gain', gain);
  const [fanIn, fanOut] = fans(fn, a);
  if (mode === 'fanIn' || mode === 'fan_in') return [fanIn, gain];
  if (mode === 'fanOut' || mode === 'fan_out') return [fanOut, gain];
  throw new Error(`${fn}: mode must be 'fanIn' or 'fanOut', got ${describeValue(mode)}`);
}

/** Glorot (Xavier) normal: N(0, gain² · 2 / (fanIn + fanOut)). `glorotNormal(dtype = float32)` returns `(a, gain = 1) => Array`. */
export function glorotNormal(...rest: OptionalArgs<[dtype: DtypeLike], { dtype?: DtypeLike }>): GainInitializer {
  const fn = 'init.glorotNormal';
  const { dtype = float32 } = readOptions(fn, rest, ['dtype']);
  return (a, ...r) => {
    const [fanIn, fanOut] = fans(fn, checkArray(fn, a));
    return random.normal({ shape: a.shape, scale: gainOf(fn, r) * Math.sqrt(2 / (fanIn + fanOut)), dtype });
  };
}

/** Glorot (Xavier) uniform: U(-l, l), l = gain · √(6 / (fanIn + fanOut)). Returns `(a, gain = 1) => Array`. */
export function glorotUniform(...rest: OptionalArgs<[dtype: DtypeLike], { dtype?: DtypeLike }>): GainInitializer {
  const fn = 'init.glorotUniform';
  const { dtype = float32 } = readOptions(fn, rest, ['dtype']);
  return (a, ...r) => {
    const [fanIn, fanOut] = fans(fn, checkArray(fn, a));
    const limit = gainOf(fn, r) * Math.sqrt(6 / (fanIn + fanOut));
    return random.uniform(-limit, limit, a.shape, dtype);
  };
}

/** He (Kaiming) normal: N(0, gain² / fan). Returns `(a, mode = 'fanIn', gain = 1) => Array`. */
export function heNormal(...rest: OptionalArgs<[dtype: DtypeLike], { dtype?: DtypeLike }>): FanInitializer {
  const fn = 'init.heNormal';
  const { dtype = float32 } = readOptions(fn, rest, ['dtype']);
  return (a, ...r) => {
    const [fan, gain] = fanOf(fn, checkArray(fn, a), r);
    return random.normal({ shape: a.shape, scale: gain / Math.sqrt(fan), dtype });
  };
}

/** He (Kaiming) uniform: U(-l, l), l = gain · √(3 / fan). Returns `(a, mode = 'fanIn', gain = 1) => Array`. */
export function heUniform(...rest: OptionalArgs<[dtype: DtypeLike], { dtype?: DtypeLike }>): FanInitializer {
  const fn = 'init.heUniform';
  const { dtype = float32 } = readOptions(fn, rest, ['dtype']);
  return (a, ...r) => {
    const [fan, gain] = fanOf(fn, checkArray(fn, a), r);
    const limit = gain * Math.sqrt(3 / fan);
    return random.uniform(-limit, limit, a.shape, dtype);
  };
}

/**
 * Sparse normal: N(mean, std²) with, in every row of a 2-D array, ceil(sparsity · columns) elements
 * (at random places) set to zero. `sparse(sparsity, mean = 0, std = 1, dtype = float32)`.
 */
export function sparse(
  sparsity: number,
  ...rest: OptionalArgs<[mean: number, std: number, dtype: DtypeLike], { mean?: number; std?: number; dtype?: DtypeLike }>
): Initializer {
  const fn = 'init.sparse';
  checkNumber(fn, 'sparsity', sparsity);
  if (sparsity < 0 || sparsity > 1) throw new Error(`${fn}: sparsity must be in [0, 1], got ${sparsity}`);
  const { mean = 0, std = 1, dtype = float32 } = readOptions(fn, rest, ['mean', 'std', 'dtype']);
  return (a) => {
    checkArray(fn, a);
    if (a.ndim !== 2) throw new Error(`${fn}: expected a 2-D array, got shape ${fmtShape(a.shape)}`);
    const numZeros = Math.ceil(sparsity * a.shape[1]!);
    // The rank of each element in a random order of its row: the lowest numZeros ranks are zeroed.
    const ranks = argsort(argsort(random.uniform({ shape: a.shape }), 1), 1);
    const values = random.normal({ shape: a.shape, scale: std, loc: mean, dtype });
    return where(less(ranks, numZeros), full([], 0, dtype), values);
  };
}

/** MLX's `orthogonal` needs a QR decomposition, which mlx-ts does not have yet: calling it throws. */
export function orthogonal(..._args: unknown[]): Initializer {
  throw new Error('init.orthogonal is not available: it needs linalg.qr, which mlx-ts does not implement yet');
}
