/**
 * complex64 on the reference backend. A complex operand's data holds interleaved (re, im) doubles,
 * 2 per element, and so does a complex kernel's result. Primitives that act on the two parts
 * independently (element moves, add, subtract, negative, sum) run their real kernel once per part
 * (`separable`); the others compute here. The fft kernel is a direct O(n²) DFT per axis in float64:
 * the oracle the CPU backend's fast transforms are checked against.
 */
import { complex64, type FftParams, float32, type Params, shapeSize, type Shape } from '@mlx-ts/core';
import type { Kernel, KernelCall, Operand } from '../kernel.js';
import { eigvalsKernel } from './eig.js';
import { matmulKernel } from './matmul.js';

/** The primitives whose complex result is the real kernel applied to real parts and to imaginary parts. */
export const separable: ReadonlySet<string> = new Set(['add', 'subtract', 'negative', 'sum', 'where', 'concatenate', 'pad', 'gather', 'gatherAxis']);

/** Runs a real kernel on each part of the complex operands (others are shared) and interleaves. */
export function runSeparable(kernel: Kernel, call: KernelCall<unknown>, prim: string): Float64Array {
  const part = (k: 0 | 1): Operand[] => call.inputs.map((x) => (x.dtype === complex64 ? { ...x, data: deinterleave(x.data, k), dtype: float32 } : x));
  const params = prim === 'pad' ? { ...(call.params as Params<'pad'>), value: 0 } : call.params;
  const re = kernel({ ...call, inputs: part(0), dtype: float32 });
  const im = kernel({ ...call, inputs: part(1), dtype: float32, params });
  return interleave(re, im);
}

function deinterleave(data: Float64Array, k: 0 | 1): Float64Array {
  const out = new Float64Array(data.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = data[2 * i + k]!;
  return out;
}

function interleave(re: Float64Array, im: Float64Array): Float64Array {
  const out = new Float64Array(2 * re.length);
  for (let i = 0; i < re.length; i++) {
    out[2 * i] = re[i]!;
    out[2 * i + 1] = im[i]!;
  }
  return out;
}

type C = [number, number];
const at = (d: Float64Array, i: number): C => [d[2 * i]!, d[2 * i + 1]!];
const mul = ([a, b]: C, [c, d]: C): C => [a * c - b * d, a * d + b * c];
function div([a, b]: C, [c, d]: C): C {
  // Smith's algorithm: no overflow of c² + d² on the way.
  if (Math.abs(c) >= Math.abs(d)) {
    if (c === 0 && d === 0) return [a / 0, b / 0];
    const r = d / c,
      t = c + d * r;
    return [(a + b * r) / t, (b - a * r) / t];
  }
  const r = c / d,
    t = c * r + d;
  return [(a * r + b) / t, (b * r - a) / t];
}

/** An elementwise complex kernel: f of each element (or pair) into `width` output values. */
function map(width: 1 | 2, f: (...xs: C[]) => C | number): Kernel {
  return ({ inputs, shape }) => {
    const n = shapeSize(shape);
    const out = new Float64Array(width * n);
    for (let i = 0; i < n; i++) {
      const r = f(...inputs.map((x) => at(x.data, i)));
      if (typeof r === 'number') out[i] = r;
      else {
        out[2 * i] = r[0];
        out[2 * i + 1] = r[1];
      }
    }
    return out;
  };
}

const astype: Kernel = ({ inputs: [x], dtype }) => {
  if (x!.dtype === complex64 && dtype === complex64) return x!.data.slice();
  if (dtype === complex64) return interleave(x!.data, new Float64Array(x!.data.length));
  // MLX's complex -> real cast keeps the real part.
  return deinterleave(x!.data, 0);
};

const matmul: Kernel = (call) => {
  const [a, b] = call.inputs;
  const re = (x: Operand) => ({ ...x, data: deinterleave(x.data, 0), dtype: float32 });
  const im = (x: Operand) => ({ ...x, data: deinterleave(x.data, 1), dtype: float32 });
  const mm = (x: Operand, y: Operand) => matmulKernel({ ...call, inputs: [x, y], dtype: float32, params: {} });
  const rr = mm(re(a!), re(b!)),
    ii = mm(im(a!), im(b!)),
    ri = mm(re(a!), im(b!)),
    ir = mm(im(a!), re(b!));
  return interleave(
    rr.map((v, i) => v - ii[i]!),
    ri.map((v, i) => v + ir[i]!),
  );
};

/** Strides of a row-major shape. */
function rowMajor(shape: Shape): number[] {
  const s = new globalThis.Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) s[d] = s[d + 1]! * shape[d + 1]!;
  return s;
}

/** One direct DFT along `axis` of interleaved data of `shape` (sign -1 forward, +1 inverse, with 1/n). */
function dftAxis(data: Float64Array, shape: Shape, axis: number, inverse: boolean): Float64Array {
  const n = shape[axis]!;
  const stride = rowMajor(shape)[axis]!;
  const size = shapeSize(shape);
  const out = new Float64Array(2 * size);
  const sign = inverse ? 1 : -1;
  const cos = new Float64Array(n),
    sin = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = sign * Math.sin((2 * Math.PI * k) / n);
  }
  for (let base = 0; base < size; base++) {
    if (Math.floor(base / stride) % n !== 0) continue; // one visit per line, at its first element
    for (let k = 0; k < n; k++) {
      let re = 0,
        im = 0;
      for (let j = 0; j < n; j++) {
        const [a, b] = at(data, base + j * stride);
        const t = (j * k) % n;
        re += a * cos[t]! - b * sin[t]!;
        im += a * sin[t]! + b * cos[t]!;
      }
      out[2 * (base + k * stride)] = inverse ? re / n : re;
      out[2 * (base + k * stride) + 1] = inverse ? im / n : im;
    }
  }
  return out;
}

export const fftKernel: Kernel<FftParams> = ({ inputs: [x], params: p, shape }) => {
  const last = p.axes[p.axes.length - 1]!;
  const nLast = p.n[p.n.length - 1]!;
  if (!p.real) return p.axes.reduce((d, ax) => dftAxis(d, shape, ax, p.inverse), x!.data);
  if (!p.inverse) {
    const full = dftAxis(interleave(x!.data, new Float64Array(x!.data.length)), x!.shape, last, false);
    const half = cut(full, x!.shape, last, Math.floor(nLast / 2) + 1);
    return p.axes.slice(0, -1).reduce((d, ax) => dftAxis(d, shape, ax, false), half);
  }
  // irfft: the complex inverse over the other axes, then each line's Hermitian extension.
  const inner = p.axes.slice(0, -1).reduce((d, ax) => dftAxis(d, x!.shape, ax, true), x!.data);
  const fullShape = shape;
  const ext = extendHermitian(inner, x!.shape, last, nLast);
  return deinterleave(dftAxis(ext, fullShape, last, true), 0);
};

/** The first `len` entries along `axis`. */
function cut(data: Float64Array, shape: Shape, axis: number, len: number): Float64Array {
  const outShape = shape.map((d, i) => (i === axis ? len : d));
  const [si, so] = [rowMajor(shape), rowMajor(outShape)];
  const out = new Float64Array(2 * shapeSize(outShape));
  for (let o = 0; o < shapeSize(outShape); o++) {
    let src = 0;
    for (let d = 0; d < shape.length; d++) src += (Math.floor(o / so[d]!) % outShape[d]!) * si[d]!;
    out[2 * o] = data[2 * src]!;
    out[2 * o + 1] = data[2 * src + 1]!;
  }
  return out;
}

/** Bins 0..n/2 along `axis` extended to n by X[n-k] = conj(X[k]); bin 0's and bin n/2's imaginary parts dropped. */
function extendHermitian(data: Float64Array, shape: Shape, axis: number, n: number): Float64Array {
  const h = shape[axis]!;
  const outShape = shape.map((d, i) => (i === axis ? n : d));
  const [si, so] = [rowMajor(shape), rowMajor(outShape)];
  const out = new Float64Array(2 * shapeSize(outShape));
  for (let o = 0; o < shapeSize(outShape); o++) {
    let src = 0;
    let k = 0;
    for (let d = 0; d < shape.length; d++) {
      const i = Math.floor(o / so[d]!) % outShape[d]!;
      if (d === axis) k = i;
      else src += i * si[d]!;
    }
    const mirrored = k >= h;
    const kk = mirrored ? n - k : k;
    const re = data[2 * (src + kk * si[axis]!)]!;
    let im = data[2 * (src + kk * si[axis]!) + 1]!;
    if (kk === 0 || (n % 2 === 0 && kk === n / 2)) im = 0;
    out[2 * o] = re;
    out[2 * o + 1] = mirrored ? -im : im;
  }
  return out;
}

export const imagKernel: Kernel = map(1, ([, b]) => b);
export const conjugateKernel: Kernel = map(2, ([a, b]) => [a, -b]);

/** The kernels of every complex-aware primitive that is not separable. */
export const complexKernels: Readonly<Record<string, Kernel<never>>> = {
  multiply: map(2, mul),
  divide: map(2, div),
  square: map(2, (a) => mul(a, a)),
  exp: map(2, ([a, b]) => [Math.exp(a) * (b === 0 ? 1 : Math.cos(b)), b === 0 ? b : Math.exp(a) * Math.sin(b)]),
  abs: map(1, ([a, b]) => Math.hypot(a, b)),
  equal: map(1, ([a, b], [c, d]) => (a === c && b === d ? 1 : 0)),
  notEqual: map(1, ([a, b], [c, d]) => (a === c && b === d ? 0 : 1)),
  imag: imagKernel,
  conjugate: conjugateKernel,
  astype,
  matmul,
  fft: fftKernel as Kernel<never>,
  eigvals: eigvalsKernel as Kernel<never>,
};
