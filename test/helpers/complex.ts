/**
 * Complex values for tests whose inputs and outputs stay real (the property kit, the conformance
 * runner): a complex64 array built from two real ones, and a complex64 array's parts stacked.
 */
import * as mx from 'mlx-ts/internals';

/** re + i im, as complex64. */
export function complexFrom(re: mx.Array, im: mx.Array): mx.Array {
  return mx.add(mx.astype(re, mx.complex64), mx.multiply(mx.astype(im, mx.complex64), { re: 0, im: 1 }));
}

/** [real(z), imag(z)] stacked on a new first axis (float32). */
export function parts(z: mx.Array): mx.Array {
  return mx.stack([mx.real(z), mx.imag(z)]);
}
