/**
 * Rules of the complex primitives (imag, conjugate, fft) and the complex form of abs, in JAX's
 * convention: a VJP is the transpose of the JVP's linear map, never its adjoint, so a holomorphic
 * function's VJP multiplies by f'(z) unconjugated, and the gradient of a real loss of z is the
 * conjugate of the steepest-ascent direction (`grad(|z|²)(3+4i)` is 6-8i, as in JAX).
 */
import type { Array } from '../../array.js';
import { complex64, float32 } from '../../dtype.js';
import { node } from '../../graph.js';
import { array } from '../../ops/convert.js';
import type { FftParams, Params } from '../primitives.js';
import type { JvpRule, VjpRule, VmapRule } from '../rules.js';
import { ad, astype, zerosLike } from './ad.js';

const imag = (x: Array): Array => node('imag', [x], {});
const conj = (x: Array): Array => node('conjugate', [x], {});
const fftNode = (x: Array, p: FftParams): Array => node('fft', [x], { ...p, axes: p.axes.slice(), n: p.n.slice() });
const toComplex = (x: Array): Array => astype(x, complex64);

/** conj(x) / |x|, with 0 where x is 0 (JAX replaces the zero magnitude by 1). */
function phaseConj(x: Array, y: Array): Array {
  const safe = ad.where(ad.equal(y, 0), 1, y);
  return ad.divide(conj(x), toComplex(safe));
}

export const complexJvp = {
  imag: ((_xs, [t], _p, y) => (t ? imag(t) : zerosLike(y))) as JvpRule<Params<'imag'>>,
  conjugate: ((_xs, [t], _p, y) => (t ? conj(t) : zerosLike(y))) as JvpRule<Params<'conjugate'>>,
  fft: ((_xs, [t], p, y) => (t ? fftNode(t, p) : zerosLike(y))) as JvpRule<FftParams>,
  /** d|z| = re(conj(z) dz) / |z|. */
  abs: (x: Array, t: Array, y: Array): Array => astype(ad.multiply(t, phaseConj(x, y)), float32),
};

/** The transpose of rfft: the cotangent padded to the full last axis, through the complex DFT (symmetric), real part. */
function rfftVjp(g: Array, p: FftParams): Array {
  const last = p.axes[p.axes.length - 1]!;
  const n = p.n[p.n.length - 1]!;
  const high = g.shape.map((d, i) => (i === last ? n - d : 0));
  const padded = node('pad', [g], { low: g.shape.map(() => 0), high, value: 0 });
  return astype(fftNode(padded, { ...p, real: false, inverse: false }), float32);
}

/** The transpose of irfft: rfft of the cotangent with the bins irfft counts twice doubled, scaled, conjugated (JAX's rule). */
function irfftVjp(g: Array, p: FftParams): Array {
  const last = p.axes[p.axes.length - 1]!;
  const n = p.n[p.n.length - 1]!;
  const h = Math.floor(n / 2) + 1;
  const total = p.n.reduce((a, b) => a * b, 1);
  const x = fftNode(g, { ...p, inverse: false });
  const weights = globalThis.Array.from({ length: h }, (_, k) => (k === 0 || (n % 2 === 0 && k === h - 1) ? 1 : 2) / total);
  const shape = g.shape.map((_, i) => (i === last ? h : 1));
  const mask = ad.reshape(array(weights, complex64), shape);
  return conj(ad.multiply(x, mask));
}

export const complexVjp = {
  /** imag's transpose: g -> -i g. */
  imag: ((_xs, g, argnums) => argnums.map(() => ad.multiply(toComplex(g), array({ re: 0, im: -1 }, complex64)))) as VjpRule<Params<'imag'>>,
  conjugate: ((_xs, g, argnums) => argnums.map(() => conj(g))) as VjpRule<Params<'conjugate'>>,
  fft: ((_xs, g, argnums, p) => argnums.map(() => (!p.real ? fftNode(g, p) : p.inverse ? irfftVjp(g, p) : rfftVjp(g, p)))) as VjpRule<FftParams>,
  abs: (x: Array, g: Array, y: Array): Array => ad.multiply(toComplex(g), phaseConj(x, y)),
};

const mapAxis = (i: number, ax: number): number => (i < ax ? i : i + 1);

export const complexVmap = {
  imag: (([x], [ax]) => [imag(x!), ax!]) as VmapRule<Params<'imag'>>,
  conjugate: (([x], [ax]) => [conj(x!), ax!]) as VmapRule<Params<'conjugate'>>,
  fft: (([x], [ax], p) => [fftNode(x!, { ...p, axes: p.axes.map((a) => mapAxis(a, ax!)) }), ax!]) as VmapRule<FftParams>,
};
