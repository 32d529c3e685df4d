/** MLX's complex parts: `real`, `imag`, `conjugate` (and its alias `conj`). Real inputs follow NumPy. */
import type { Array } from '../array.js';
import type { StreamOpt } from '../device.js';
import { float32 } from '../dtype.js';
import { node } from '../graph.js';
import { type ArrayInput, astype, parseOpts, toArray } from './convert.js';
import { zerosLike } from './creation.js';

const streamOf = (fn: string, opts: StreamOpt | undefined) => (opts === undefined ? undefined : parseOpts(fn, [opts], []).stream);

/** The real part of a complex64 array, as float32 (MLX's complex -> real cast); a real array is returned as it is. */
export function real(a: ArrayInput, opts?: StreamOpt): Array {
  const x = toArray('real', a);
  const s = streamOf('real', opts);
  return x.dtype.isComplex ? astype(x, float32, s) : x;
}

/** The imaginary part of a complex64 array, as float32; a real array gives zeros of its shape and dtype. */
export function imag(a: ArrayInput, opts?: StreamOpt): Array {
  const x = toArray('imag', a);
  const s = streamOf('imag', opts);
  return x.dtype.isComplex ? node('imag', [x], {}, s) : zerosLike(x, s ? { stream: s } : undefined);
}

/** The complex conjugate (the imaginary part negated); a real array is returned as it is, as NumPy and MLX do. */
export function conjugate(a: ArrayInput, opts?: StreamOpt): Array {
  return conjugateAs('conjugate', a, opts);
}

function conjugateAs(fn: string, a: ArrayInput, opts: StreamOpt | undefined): Array {
  const x = toArray(fn, a);
  const s = streamOf(fn, opts);
  return x.dtype.isComplex ? node('conjugate', [x], {}, s) : x;
}

/** MLX's alias of {@link conjugate}. */
export function conj(a: ArrayInput, opts?: StreamOpt): Array {
  return conjugateAs('conj', a, opts);
}
