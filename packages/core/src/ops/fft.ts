/**
 * MLX's `mx.fft`: discrete Fourier transforms over one, two or any number of axes, complex and
 * real, with MLX's signatures and defaults. Every transform is one `fft` primitive (its params name
 * the axes, the lengths, and whether it is inverse or real) after the input is cut or zero-padded
 * to the lengths asked for and cast (real transforms read float32, the others complex64), as in
 * MLX's `fft_impl`; `norm` scales the result afterwards.
 */
import type { Array } from '../array.js';
import type { StreamOrDevice } from '../device.js';
import { describeValue } from '../describe.js';
import { complex64, float32 } from '../dtype.js';
import { node } from '../graph.js';
import { array, type ArrayInput, astype, type OptArgs, parseOpts, toArray } from './convert.js';
import { roll } from './shape.js';

type Stream = StreamOrDevice | null | undefined;
/** NumPy's and MLX's normalisations: "backward" scales the inverse by 1/n, "ortho" both ways by 1/sqrt(n), "forward" the forward one by 1/n. */
export type FftNorm = 'backward' | 'ortho' | 'forward';
const norms: readonly FftNorm[] = ['backward', 'ortho', 'forward'];

/** Options of the one-axis transforms. */
export interface Fft1Opts {
  n?: number | null;
  axis?: number;
  norm?: FftNorm;
  stream?: StreamOrDevice | null;
}
/** Options of the n-axis transforms. */
export interface FftNOpts {
  s?: readonly number[] | null;
  axes?: readonly number[] | null;
  norm?: FftNorm;
  stream?: StreamOrDevice | null;
}
type Fft1Args = OptArgs<[n?: number | null, axis?: number, norm?: FftNorm], Fft1Opts>;
type FftNArgs = OptArgs<[s?: readonly number[] | null, axes?: readonly number[] | null, norm?: FftNorm], FftNOpts>;

function transform(fn: string, x: Array, n: readonly number[], axesIn: readonly number[], real: boolean, inverse: boolean, norm: FftNorm, s: Stream): Array {
  if (x.ndim < 1) throw new Error(`${fn}: expected an array with at least one dimension, got a 0-d array`);
  if (n.length !== axesIn.length) throw new Error(`${fn}: s has ${n.length} sizes for ${axesIn.length} axes`);
  if (axesIn.length === 0) return x;
  const axes = axesIn.map((ax) => {
    if (!Number.isInteger(ax) || ax < -x.ndim || ax >= x.ndim) {
      throw new Error(`${fn}: axis ${describeValue(ax)} is out of range for an array with ${x.ndim} dimensions`);
    }
    return ax < 0 ? ax + x.ndim : ax;
  });
  if (new Set(axes).size !== axes.length) throw new Error(`${fn}: duplicated axes ${describeValue(axesIn)}`);
  if (!n.every((d) => Number.isInteger(d) && d > 0)) throw new Error(`${fn}: transform sizes must be positive integers, got ${describeValue(n)}`);
  if (!real && x.dtype !== complex64 && !x.dtype.isInexact && !x.dtype.isInteger && x.dtype.name !== 'bool') {
    throw new Error(`${fn}: expected a numeric array, got ${x.dtype.name}`);
  }
  // The input's shape: n along the axes, and for irfft n/2 + 1 bins along the last one.
  const inShape = x.shape.slice();
  axes.forEach((ax, i) => (inShape[ax] = n[i]!));
  const last = axes[axes.length - 1]!;
  if (real && inverse) inShape[last] = Math.floor(n[n.length - 1]! / 2) + 1;
  let y = x;
  if (inShape.some((d, i) => d < y.shape[i]!)) {
    const shape = y.shape.map((d, i) => Math.min(d, inShape[i]!));
    y = node('slice', [y], { start: shape.map(() => 0), step: shape.map(() => 1), shape }, s);
  }
  y = astype(y, real && !inverse ? float32 : complex64, s);
  if (inShape.some((d, i) => d > y.shape[i]!)) {
    y = node('pad', [y], { low: inShape.map(() => 0), high: inShape.map((d, i) => d - y.shape[i]!), value: 0 }, s);
  }
  const out = node('fft', [y], { axes, n: n.slice(), inverse, real }, s);
  const total = n.reduce((a, b) => a * b, 1);
  const scale = norm === 'backward' ? 1 : norm === 'ortho' ? (inverse ? Math.sqrt(total) : 1 / Math.sqrt(total)) : inverse ? total : 1 / total;
  return scale === 1 ? out : node('multiply', [out, node('broadcastTo', [array(scale, out.dtype)], { shape: out.shape.slice() }, s)], {}, s);
}

function one(fn: string, a: ArrayInput, args: Fft1Args, real: boolean, inverse: boolean): Array {
  const x = toArray(fn, a);
  const o = parseOpts(fn, args, ['n', 'axis', 'norm'], { n: 'int', norm: norms });
  const axis: number = o.axis ?? -1;
  if (x.ndim < 1) throw new Error(`${fn}: expected an array with at least one dimension, got a 0-d array`);
  if (axis < -x.ndim || axis >= x.ndim) throw new Error(`${fn}: axis ${axis} is out of range for an array with ${x.ndim} dimensions`);
  const len = x.shape[axis < 0 ? axis + x.ndim : axis]!;
  const n: number = o.n ?? (real && inverse ? (len - 1) * 2 : len);
  return transform(fn, x, [n], [axis], real, inverse, o.norm ?? 'backward', o.stream);
}

function many(fn: string, a: ArrayInput, args: FftNArgs, real: boolean, inverse: boolean, defaultAxes: readonly number[] | null): Array {
  const x = toArray(fn, a);
  const o = parseOpts(fn, args, ['s', 'axes', 'norm'], { s: 'intList', norm: norms });
  const given: readonly number[] | null | undefined = o.axes === undefined ? defaultAxes : o.axes;
  if (given == null && o.s != null) throw new Error(`${fn}: axes must be given when s is`);
  const axes = given ?? x.shape.map((_, i) => i);
  const norm: FftNorm = o.norm ?? 'backward';
  if (o.s != null) return transform(fn, x, o.s as number[], axes, real, inverse, norm, o.stream);
  const n = axes.map((ax) => (Number.isInteger(ax) && ax >= -x.ndim && ax < x.ndim ? x.shape[ax < 0 ? ax + x.ndim : ax]! : 1));
  if (real && inverse && n.length > 0) n[n.length - 1] = (n[n.length - 1]! - 1) * 2;
  return transform(fn, x, n, axes, real, inverse, norm, o.stream);
}

/** The one-dimensional DFT of `a` along `axis` (default -1), cut or zero-padded to length `n` first; complex64 out. */
export function fft(a: ArrayInput, ...args: Fft1Args): Array {
  return one('fft', a, args, false, false);
}
/** The inverse of {@link fft} (scaled by 1/n under the default "backward" norm). */
export function ifft(a: ArrayInput, ...args: Fft1Args): Array {
  return one('ifft', a, args, false, true);
}
/** The DFT of a real signal (cast to float32): the n/2 + 1 non-negative frequency bins along `axis`. */
export function rfft(a: ArrayInput, ...args: Fft1Args): Array {
  return one('rfft', a, args, true, false);
}
/** The inverse of {@link rfft}: `n` (default 2 * (bins - 1)) real samples from the non-negative frequency bins. */
export function irfft(a: ArrayInput, ...args: Fft1Args): Array {
  return one('irfft', a, args, true, true);
}
/** The two-dimensional DFT over `axes` (default [-2, -1]), each cut or padded to `s`. */
export function fft2(a: ArrayInput, ...args: FftNArgs): Array {
  return many('fft2', a, args, false, false, [-2, -1]);
}
/** The inverse of {@link fft2}. */
export function ifft2(a: ArrayInput, ...args: FftNArgs): Array {
  return many('ifft2', a, args, false, true, [-2, -1]);
}
/** The DFT over `axes` (default: every axis; `s` needs `axes`), each cut or padded to `s`. */
export function fftn(a: ArrayInput, ...args: FftNArgs): Array {
  return many('fftn', a, args, false, false, null);
}
/** The inverse of {@link fftn}. */
export function ifftn(a: ArrayInput, ...args: FftNArgs): Array {
  return many('ifftn', a, args, false, true, null);
}
/** The two-dimensional DFT of a real array: the last of `axes` keeps its n/2 + 1 non-negative bins. */
export function rfft2(a: ArrayInput, ...args: FftNArgs): Array {
  return many('rfft2', a, args, true, false, [-2, -1]);
}
/** The inverse of {@link rfft2}. */
export function irfft2(a: ArrayInput, ...args: FftNArgs): Array {
  return many('irfft2', a, args, true, true, [-2, -1]);
}
/** The n-dimensional DFT of a real array: the last of `axes` keeps its n/2 + 1 non-negative bins. */
export function rfftn(a: ArrayInput, ...args: FftNArgs): Array {
  return many('rfftn', a, args, true, false, null);
}
/** The inverse of {@link rfftn}: the last axis gets `s[-1]` (default 2 * (bins - 1)) samples. */
export function irfftn(a: ArrayInput, ...args: FftNArgs): Array {
  return many('irfftn', a, args, true, true, null);
}

/** Options of fftshift and ifftshift. */
export interface FftShiftOpts {
  axes?: number | readonly number[] | null;
  stream?: StreamOrDevice | null;
}
type ShiftArgs = OptArgs<[axes?: number | readonly number[] | null], FftShiftOpts>;

function shift(fn: string, a: ArrayInput, args: ShiftArgs, inverse: boolean): Array {
  const x = toArray(fn, a);
  const o = parseOpts(fn, args, ['axes'], { axes: 'ints' });
  const axes: number[] = o.axes == null ? x.shape.map((_, i) => i) : typeof o.axes === 'number' ? [o.axes] : (o.axes as number[]).slice();
  if (axes.length === 0) return x;
  const shifts = axes.map((ax) => {
    if (ax < -x.ndim || ax >= x.ndim) throw new Error(`${fn}: axis ${ax} is out of range for an array with ${x.ndim} dimensions`);
    const k = Math.floor(x.shape[ax < 0 ? ax + x.ndim : ax]! / 2);
    return inverse ? -k : k;
  });
  return roll(x, shifts, axes, o.stream ? { stream: o.stream } : undefined);
}

/** Moves the zero-frequency bin to the centre of each of `axes` (default: every axis), as NumPy's. */
export function fftshift(a: ArrayInput, ...args: ShiftArgs): Array {
  return shift('fftshift', a, args, false);
}
/** The inverse of {@link fftshift} (they differ for odd lengths). */
export function ifftshift(a: ArrayInput, ...args: ShiftArgs): Array {
  return shift('ifftshift', a, args, true);
}
