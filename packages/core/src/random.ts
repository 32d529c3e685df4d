/**
 * `mx.random`: counter-based random numbers with splittable keys, as MLX (and JAX).
 *
 * A key is a uint32 array of shape [2]. Every sampler takes an optional `key`; without one it
 * draws the next key of a global sequence (MLX's KeySequence: each draw splits the global key
 * into a new global key and the key it uses), seeded from the clock until `seed` is called.
 * The samplers follow MLX's algorithms (mlx/random.cpp), so for a given key they produce MLX's
 * values wherever the arithmetic rounds the same way.
 *
 * ## The `randomBits` primitive (what every backend implements)
 *
 * `randomBits {shape}`: input a key `k = [k0, k1]` (uint32 [2]), output `n = size(shape)` uint32
 * words, row-major. The words are the Threefry-2x32 hash (20 rounds) of counter pairs, laid out as
 * JAX's `threefry_random_bits` and MLX's `RandomBits` kernel do it:
 *
 *     h = floor(n / 2), odd = n % 2
 *     for i in 0 .. h-1:   (out[i], out[h + odd + i]) = threefry2x32(k, (i, h + odd + i))
 *     if odd:              out[h] = threefry2x32(k, (h, 0))[0]
 *
 * i.e. the counters 0 .. n-1 (padded with a 0 when n is odd) are split into a first and second
 * half, hashed in pairs, and the two outputs of pair i land at i and at the second half's i.
 * `threefry2x32` is `threefry2x32Host` below (key schedule k0, k1, k0 ^ k1 ^ 0x1BD11BDA; rotations
 * 13 15 26 6 / 17 29 16 24; key injection after every 4 rounds with the round count added to the
 * second word). `randomBitsHost` computes the whole layout on the host, for backends and tests.
 *
 * @module
 */
import { Array } from './array.js';
import { describeValue } from './describe.js';
import type { StreamOrDevice } from './device.js';
import { bfloat16, Dtype, float16, float32, int32, toDtype, uint16, uint32, uint8 } from './dtype.js';
import { node } from './graph.js';
import { array, type ArrayInput, astype, type DtypeLike, fromHostData, parseOpts, toArray } from './ops/convert.js';
import {
  abs,
  add,
  divide,
  erf,
  erfinv,
  floor,
  floorDivide,
  less,
  log,
  log1p,
  maximum,
  minimum,
  multiply,
  negative,
  remainder,
  sign,
  subtract,
} from './ops/elementwise.js';
import { take } from './ops/indexing.js';
import { argmax } from './ops/reduction.js';
import { argsort } from './ops/sort.js';
import { concatenate } from './ops/shape.js';
import { broadcastShapes, checkShape, fmtShape, normalizeAxis, shapeEqual, shapeSize } from './shape.js';

type Stream = StreamOrDevice | null | undefined;

// ---------------------------------------------------------------------------------------------
// Threefry on the host (the reference for backends).

const rotations = [
  [13, 15, 26, 6],
  [17, 29, 16, 24],
] as const;

/** @internal Threefry-2x32 with 20 rounds: the hash of the counter pair (c0, c1) under key (k0, k1). */
export function threefry2x32Host(k0: number, k1: number, c0: number, c1: number): [number, number] {
  const ks = [k0 >>> 0, k1 >>> 0, (k0 ^ k1 ^ 0x1bd11bda) >>> 0];
  let x0 = (c0 + ks[0]!) >>> 0;
  let x1 = (c1 + ks[1]!) >>> 0;
  for (let i = 0; i < 5; i++) {
    for (const r of rotations[i % 2]!) {
      x0 = (x0 + x1) >>> 0;
      x1 = ((x1 << r) | (x1 >>> (32 - r))) >>> 0;
      x1 = (x1 ^ x0) >>> 0;
    }
    x0 = (x0 + ks[(i + 1) % 3]!) >>> 0;
    x1 = (x1 + ks[(i + 2) % 3]! + i + 1) >>> 0;
  }
  return [x0, x1];
}

/** @internal The `randomBits` primitive on the host: `n` uint32 words for key (k0, k1), in the layout above. */
export function randomBitsHost(k0: number, k1: number, n: number): Uint32Array {
  const out = new Uint32Array(n);
  const h = Math.floor(n / 2);
  const odd = n % 2;
  for (let i = 0; i < h; i++) {
    const [a, b] = threefry2x32Host(k0, k1, i, h + odd + i);
    out[i] = a;
    out[h + odd + i] = b;
  }
  if (odd) out[h] = threefry2x32Host(k0, k1, h, 0)[0];
  return out;
}

// ---------------------------------------------------------------------------------------------
// Keys.

function seedWords(fn: string, s: number | bigint): [number, number] {
  let v: bigint;
  if (typeof s === 'bigint') v = s;
  else if (typeof s === 'number' && Number.isInteger(s)) v = BigInt(s);
  else throw new Error(`${fn}: expected an integer seed, got ${describeValue(s)}`);
  v = BigInt.asUintN(64, v); // MLX takes a uint64
  return [Number(v >> 32n), Number(v & 0xffffffffn)];
}

/** A PRNG key from a seed (up to 64 bits): uint32 [seed >> 32, seed & 0xffffffff], as MLX. */
export function key(seed: number | bigint): Array {
  return keyFromWords(seedWords('key', seed));
}

/**
 * MLX's `mx.random.state`: a list holding the global key, created by `seed` or by the first draw
 * that uses the global sequence. Transforms that capture implicit state (compile) read and
 * replace `state[0]`.
 */
export const state: Array[] = [];

function keyFromWords([hi, lo]: [number, number]): Array {
  return fromHostData(new Uint32Array([hi, lo]), [2], uint32);
}

/** Resets the global key sequence to `key(s)` (MLX's `mx.random.seed`). */
export function seed(s: number | bigint): void {
  state[0] = keyFromWords(seedWords('seed', s));
}

/** The next key of the global sequence: split the global key, keep the first half, use the second. */
function nextKey(): Array {
  if (state.length === 0) state.push(keyFromWords(seedWords('seed', Date.now())));
  const both = splitKey('random', checkKey('random.state', state[0]), 2, undefined);
  state[0] = row(both, 0, undefined);
  return row(both, 1, undefined);
}

function row(keys: Array, i: number, stream: Stream): Array {
  const r = node('slice', [keys], { start: [i, 0], step: [1, 1], shape: [1, 2] }, stream);
  return node('reshape', [r], { shape: [2] }, stream);
}

function checkKey(fn: string, k: unknown): Array {
  if (!(k instanceof Array)) throw new Error(`${fn}: expected a key (a uint32 Array of shape [2], see mx.random.key), got ${describeValue(k)}`);
  if (k.dtype !== uint32) throw new Error(`${fn}: expected a key of dtype uint32, got ${k.dtype.name}`);
  if (!shapeEqual(k.shape, [2])) throw new Error(`${fn}: expected a key of shape [2], got ${fmtShape(k.shape)}`);
  return k;
}

function resolveKey(fn: string, k: unknown): Array {
  return k === undefined || k === null ? nextKey() : checkKey(fn, k);
}

function splitKey(fn: string, k: Array, num: number, stream: Stream): Array {
  return node('randomBits', [checkKey(fn, k)], { shape: [num, 2] }, stream);
}

/** Splits a key into `num` (default 2) new keys: an Array of shape [num, 2]. */
export function split(k: Array, ...args: Args<[num: number], { num?: number; stream?: StreamOrDevice | null }>): Array {
  const fn = 'split';
  const o = parseOpts(fn, args, ['num'] as const);
  const n: number = o.num ?? 2;
  return splitKey(fn, k, n, o.stream);
}

// ---------------------------------------------------------------------------------------------
// Argument types: MLX's optional arguments positionally, then (or instead) one options object.

/** Any prefix of the positional arguments `P`, optionally followed by an options object `O`. */
type Args<P extends unknown[], O> = P extends [...infer H, unknown] ? [...P, O?] | Args<H, O> : [O?];
type ShapeLike = readonly number[] | number;
type Key = Array | null | undefined;
interface Common {
  key?: Array | null;
  stream?: StreamOrDevice | null;
}
export interface BitsOpts extends Common {
  shape?: ShapeLike;
  width?: number;
}
export interface UniformOpts extends Common {
  low?: ArrayInput;
  high?: ArrayInput;
  shape?: ShapeLike;
  dtype?: DtypeLike;
}
export interface NormalOpts extends Common {
  shape?: ShapeLike;
  dtype?: DtypeLike;
  loc?: ArrayInput | null;
  scale?: ArrayInput | null;
}
export interface RandintOpts extends Common {
  shape?: ShapeLike;
  dtype?: DtypeLike;
}
export interface BernoulliOpts extends Common {
  p?: ArrayInput;
  shape?: ShapeLike | null;
}
export interface TruncatedNormalOpts extends Common {
  shape?: ShapeLike | null;
  dtype?: DtypeLike;
}
export interface GumbelOpts extends Common {
  shape?: ShapeLike;
  dtype?: DtypeLike;
}
export interface LaplaceOpts extends Common {
  shape?: ShapeLike;
  dtype?: DtypeLike;
  loc?: number;
  scale?: number;
}
export interface CategoricalOpts extends Common {
  axis?: number;
  shape?: ShapeLike | null;
  numSamples?: number | null;
}
export interface PermutationOpts extends Common {
  axis?: number;
}

// ---------------------------------------------------------------------------------------------
// Samplers.

function shapeArg(fn: string, s: unknown, dflt: readonly number[]): number[] {
  if (s === undefined || s === null) return dflt.slice();
  if (typeof s === 'number') return checkShape(fn, [s]);
  return checkShape(fn, s);
}

function floatDtype(fn: string, d: unknown): Dtype {
  const dt = d === undefined || d === null ? float32 : toDtype(d as DtypeLike, fn);
  if (!dt.isFloating) throw new Error(`${fn}: can only generate floating point values, got dtype ${dt.name}`);
  return dt;
}

function so(stream: Stream): { stream?: StreamOrDevice } {
  return stream ? { stream } : {};
}

function f32(v: number, stream: Stream): Array {
  return array(v, float32, so(stream));
}

/** Raw bits of width 4 (uint32), 2 (uint16) or 1 (uint8), MLX's byte layout (little-endian words). */
function bitsImpl(fn: string, shape: number[], width: number, k: Array, stream: Stream): Array {
  const n = shapeSize(shape);
  if (width === 4) return node('randomBits', [k], { shape }, stream);
  if (width !== 2 && width !== 1) throw new Error(`${fn}: bit width must be 1, 2 or 4, got ${width}`);
  const per = 4 / width;
  const words = Math.ceil((n * width) / 4);
  const w = node('randomBits', [k], { shape: [words] }, stream);
  const base = width === 2 ? 65536 : 256;
  const parts: Array[] = [];
  let rest = w;
  for (let j = 0; j < per; j++) {
    const part = j === per - 1 ? rest : remainder(rest, base, so(stream));
    parts.push(node('reshape', [part], { shape: [words, 1] }, stream));
    if (j < per - 1) rest = floorDivide(rest, base, so(stream));
  }
  const inter = node('reshape', [concatenate(parts, { axis: 1, stream: stream ?? null })], { shape: [words * per] }, stream);
  const cut = words * per === n ? inter : node('slice', [inter], { start: [0], step: [1], shape: [n] }, stream);
  return astype(node('reshape', [cut], { shape }, stream), width === 2 ? uint16 : uint8, stream);
}

/** Random bits: uint32 (width 4, default), uint16 (2) or uint8 (1) of `shape`. */
export function bits(...args: Args<[shape: ShapeLike, width: number, key: Key], BitsOpts>): Array {
  const fn = 'bits';
  const o = parseOpts(fn, args, ['shape', 'width', 'key'] as const);
  const shape = shapeArg(fn, o.shape, []);
  return bitsImpl(fn, shape, o.width ?? 4, resolveKey(fn, o.key), o.stream);
}

/** Whether `from` broadcasts to exactly `to`. */
function broadcastsTo(from: readonly number[], to: readonly number[]): boolean {
  if (from.length > to.length) return false;
  const off = to.length - from.length;
  return from.every((d, i) => d === 1 || d === to[off + i]);
}

function belowOne(dt: Dtype): number {
  if (dt === float16) return 0.99951171875; // 0x3BFF
  if (dt === bfloat16) return 0.99609375; // 0x3F7F
  return Math.fround(1 - 2 ** -24); // nextafter(1.0f, 0.0f); float64 samples come from float32 draws too
}

function uniformImpl(fn: string, low: ArrayInput, high: ArrayInput, shape: number[], dt: Dtype, k: unknown, stream: Stream): Array {
  const lo = astype(toArray(fn, low), dt, stream);
  const hi = astype(toArray(fn, high), dt, stream);
  const joint = broadcastShapes(fn, lo.shape, hi.shape);
  if (!broadcastsTo(joint, shape)) {
    throw new Error(`${fn}: cannot generate random values of shape ${fmtShape(shape)} from low and high of (broadcast) shape ${fmtShape(joint)}`);
  }
  const range = subtract(hi, lo, so(stream));
  let out = bitsImpl(fn, shape, 4, resolveKey(fn, k), stream);
  out = divide(out, f32(4294967295, stream), so(stream));
  out = astype(minimum(out, f32(belowOne(dt), stream), so(stream)), dt, stream);
  return add(multiply(range, out, so(stream)), lo, so(stream));
}

/**
 * Uniform samples in [low, high): `uniform(low=0, high=1, shape=[], dtype=float32, key?)`, or
 * `uniform({ shape, key, ... })`. `shape` must be the broadcast shape of low, high and shape.
 */
export function uniform(...args: Args<[low: ArrayInput, high: ArrayInput, shape: ShapeLike, dtype: DtypeLike, key: Key], UniformOpts>): Array {
  const fn = 'uniform';
  const o = parseOpts(fn, args, ['low', 'high', 'shape', 'dtype', 'key'] as const);
  const dt = floatDtype(fn, o.dtype);
  return uniformImpl(fn, o.low ?? 0, o.high ?? 1, shapeArg(fn, o.shape, []), dt, o.key, o.stream);
}

/**
 * Normal samples: `normal(shape=[], dtype=float32, loc?, scale?, key?)` (or an options object),
 * as MLX: sqrt(2) * erfinv(u) for u uniform in (-1, 1).
 */
export function normal(...args: Args<[shape: ShapeLike, dtype: DtypeLike, loc: ArrayInput | null, scale: ArrayInput | null, key: Key], NormalOpts>): Array {
  const fn = 'normal';
  const o = parseOpts(fn, args, ['shape', 'dtype', 'loc', 'scale', 'key'] as const);
  const dt = floatDtype(fn, o.dtype);
  const stream = o.stream;
  const shape = shapeArg(fn, o.shape, []);
  const low = f32(Math.fround(-(1 - 2 ** -24)), stream); // nextafter(-1.0f, 0.0f)
  let samples = uniformImpl(fn, low, f32(1, stream), shape, float32, o.key, stream);
  // loc and scale broadcast with the samples (as MLX's multiply and add do), checked here so a
  // mismatch is reported as normal's.
  const param = (v: unknown): Array | null => {
    if (v === undefined || v === null) return null;
    const p = astype(toArray(fn, v as ArrayInput), dt, stream);
    broadcastShapes(fn, p.shape, shape);
    return p;
  };
  const loc = param(o.loc);
  const sc = param(o.scale);
  let scale = array(Math.SQRT2, dt, so(stream));
  if (sc) scale = multiply(scale, sc, so(stream));
  samples = astype(erfinv(samples, so(stream)), dt, stream);
  samples = multiply(scale, samples, so(stream));
  if (loc) samples = add(loc, samples, so(stream));
  return samples;
}

/** Integers in [low, high): `randint(low, high, shape=[], dtype=int32, key?)`, as MLX (through a float32 uniform). */
export function randint(low: ArrayInput, high: ArrayInput, ...args: Args<[shape: ShapeLike, dtype: DtypeLike, key: Key], RandintOpts>): Array {
  const fn = 'randint';
  const o = parseOpts(fn, args, ['shape', 'dtype', 'key'] as const);
  const dt = o.dtype === undefined || o.dtype === null ? int32 : toDtype(o.dtype, fn);
  if (dt.isFloating) throw new Error(`${fn}: only integer dtypes and bool are supported, got ${dt.name}`);
  const stream = o.stream;
  const lo = astype(toArray(fn, low), float32, stream);
  const hi = astype(toArray(fn, high), float32, stream);
  const out = uniformImpl(fn, lo, hi, shapeArg(fn, o.shape, []), float32, o.key, stream);
  // MLX truncates toward zero here, which biases ranges below zero; floor is uniform for every range.
  return astype(floor(maximum(out, lo, so(stream)), so(stream)), dt, stream);
}

/** Bernoulli samples (bool) with probability `p`: `bernoulli(p=0.5, shape=p.shape, key?)`. */
export function bernoulli(...args: Args<[p: ArrayInput, shape: ShapeLike | null, key: Key], BernoulliOpts>): Array {
  const fn = 'bernoulli';
  const o = parseOpts(fn, args, ['p', 'shape', 'key'] as const);
  const stream = o.stream;
  const p = o.p === undefined || o.p === null ? f32(0.5, stream) : toArray(fn, o.p as ArrayInput);
  if (!p.dtype.isFloating) throw new Error(`${fn}: the probability p must be a floating point array, got dtype ${p.dtype.name}`);
  const shape = shapeArg(fn, o.shape, p.shape);
  if (!broadcastsTo(p.shape, shape)) {
    throw new Error(`${fn}: the shape ${fmtShape(p.shape)} of p is incompatible with shape ${fmtShape(shape)}`);
  }
  // p on the scale [0, nextafter(2^32)]: p >= 1 is always true, p <= 0 always false.
  const upper = f32(4294967808, stream);
  const b = bitsImpl(fn, shape, 4, resolveKey(fn, o.key), stream);
  return less(b, multiply(p, upper, so(stream)), so(stream));
}

/**
 * Normal samples truncated to [lower, upper]: `truncatedNormal(lower, upper, shape?, dtype=float32, key?)`
 * (shape defaults to the broadcast shape of lower and upper), as JAX and MLX.
 */
export function truncatedNormal(
  lower: ArrayInput,
  upper: ArrayInput,
  ...args: Args<[shape: ShapeLike | null, dtype: DtypeLike, key: Key], TruncatedNormalOpts>
): Array {
  const fn = 'truncatedNormal';
  const o = parseOpts(fn, args, ['shape', 'dtype', 'key'] as const);
  const dt = floatDtype(fn, o.dtype);
  const stream = o.stream;
  const s = so(stream);
  const lo = astype(toArray(fn, lower), dt, stream);
  const hi = astype(toArray(fn, upper), dt, stream);
  const shape = shapeArg(fn, o.shape, broadcastShapes(fn, lo.shape, hi.shape));
  const sqrt2 = array(Math.SQRT2, dt, s);
  const a = erf(divide(lo, sqrt2, s), s);
  const b = erf(divide(hi, sqrt2, s), s);
  const u = uniformImpl(fn, a, b, shape, dt, o.key, stream);
  const out = multiply(sqrt2, erfinv(u, s), s);
  return maximum(minimum(hi, out, s), lo, s);
}

/** Gumbel samples: `gumbel(shape=[], dtype=float32, key?)`, -log(-log(u)). */
export function gumbel(...args: Args<[shape: ShapeLike, dtype: DtypeLike, key: Key], GumbelOpts>): Array {
  const fn = 'gumbel';
  const o = parseOpts(fn, args, ['shape', 'dtype', 'key'] as const);
  const dt = floatDtype(fn, o.dtype);
  const s = so(o.stream);
  const u = uniformImpl(fn, 0, 1, shapeArg(fn, o.shape, []), dt, o.key, o.stream);
  return negative(log(negative(log(u, s), s), s), s);
}

/** Laplace samples: `laplace(shape=[], dtype=float32, loc=0, scale=1, key?)`, by the inverse CDF as MLX. */
export function laplace(...args: Args<[shape: ShapeLike, dtype: DtypeLike, loc: number, scale: number, key: Key], LaplaceOpts>): Array {
  const fn = 'laplace';
  const o = parseOpts(fn, args, ['shape', 'dtype', 'loc', 'scale', 'key'] as const, { loc: 'number', scale: 'number' });
  const dt = floatDtype(fn, o.dtype);
  const stream = o.stream;
  const s = so(stream);
  const low = f32(Math.fround(-(1 - 2 ** -24)), stream);
  let samples = uniformImpl(fn, low, f32(1, stream), shapeArg(fn, o.shape, []), float32, o.key, stream);
  samples = multiply(sign(samples, s), log1p(multiply(f32(-1, stream), abs(samples, s), s), s), s);
  samples = astype(samples, dt, stream);
  const scale: number = o.scale ?? 1;
  const loc: number = o.loc ?? 0;
  if (scale !== 1) samples = multiply(array(scale, dt, s), samples, s);
  if (loc !== 0) samples = add(array(loc, dt, s), samples, s);
  return samples;
}

function categoricalImpl(fn: string, logits: Array, axis: number, shape: number[], k: unknown, stream: Stream): Array {
  const gshape = shape.slice();
  const offset = axis + shape.length - logits.ndim + 1;
  gshape.splice(offset, 0, logits.shape[axis]!);
  const s = so(stream);
  const u = uniformImpl(fn, 0, 1, gshape, float32, k, stream);
  const g = negative(log(negative(log(u, s), s), s), s);
  return argmax(add(g, logits, s), { axis: offset, keepdims: false, stream: stream ?? undefined });
}

/**
 * Samples from the categorical distribution given unnormalized log-probabilities along `axis`
 * (Gumbel-max): `categorical(logits, axis=-1, shape?, numSamples?, key?)`. Returns uint32 indices
 * of shape `shape` (default: logits' shape without `axis`), or that shape plus `numSamples`.
 */
export function categorical(
  logits: ArrayInput,
  ...args: Args<[axis: number, shape: ShapeLike | null, numSamples: number | null, key: Key], CategoricalOpts>
): Array {
  const fn = 'categorical';
  const o = parseOpts(fn, args, ['axis', 'shape', 'numSamples', 'key'] as const);
  const x = toArray(fn, logits);
  const axis = normalizeAxis(fn, o.axis ?? -1, x.ndim);
  if (x.shape[axis] === 0)
    throw new Error(`${fn}: cannot sample from an empty distribution (axis ${axis} of the logits' shape ${fmtShape(x.shape)} has size 0)`);
  const hasShape = o.shape !== undefined && o.shape !== null;
  const hasNum = o.numSamples !== undefined && o.numSamples !== null;
  if (hasShape && hasNum) throw new Error(`${fn}: at most one of shape or numSamples can be given`);
  if (hasNum) {
    const num: number = o.numSamples;
    const ex = node('reshape', [x], { shape: [...x.shape, 1] }, o.stream);
    const shape = ex.shape.slice();
    shape.splice(axis, 1);
    shape[shape.length - 1] = num;
    return categoricalImpl(fn, ex, axis, shape, o.key, o.stream);
  }
  const reduced = x.shape.slice();
  reduced.splice(axis, 1);
  if (hasShape) {
    const shape = shapeArg(fn, o.shape, []);
    if (!broadcastsTo(reduced, shape)) {
      throw new Error(`${fn}: shape ${fmtShape(shape)} does not broadcast with the logits' shape without the axis, ${fmtShape(reduced)}`);
    }
    return categoricalImpl(fn, x, axis, shape, o.key, o.stream);
  }
  return categoricalImpl(fn, x, axis, reduced, o.key, o.stream);
}

/**
 * A random permutation: of `arange(x)` when `x` is an integer, else of `x` along `axis` (default 0).
 * `permutation(x, axis=0, key?)`.
 */
export function permutation(x: number | ArrayInput, ...args: Args<[axis: number, key: Key], PermutationOpts>): Array {
  const fn = 'permutation';
  const o = parseOpts(fn, args, ['axis', 'key'] as const);
  if (typeof x === 'number') {
    if (!Number.isInteger(x) || x < 0) throw new Error(`${fn}: expected a non-negative integer or an array, got ${describeValue(x)}`);
    normalizeAxis(fn, o.axis ?? 0, 1);
    return argsort(bitsImpl(fn, [x], 4, resolveKey(fn, o.key), o.stream), { stream: o.stream ?? undefined });
  }
  const a = toArray(fn, x);
  const axis = normalizeAxis(fn, o.axis ?? 0, a.ndim);
  const perm = argsort(bitsImpl(fn, [a.shape[axis]!], 4, resolveKey(fn, o.key), o.stream), { stream: o.stream ?? undefined });
  return take(a, perm, axis, { stream: o.stream ?? undefined });
}
