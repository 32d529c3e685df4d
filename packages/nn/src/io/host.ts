/** Raw little-endian bytes of arrays and back, shared by the safetensors and npz codecs. */
import { type Array, type Dtype, encodeHost, fromHostData, hostArrayFor, shapeSize } from '@mlx-ts/core';

/** The array's elements as stored on disk: row-major, little-endian, float16/bfloat16 as their bits. */
export function arrayBytes(a: Array): Uint8Array {
  let host = a.toTypedArray();
  // toTypedArray widens 16-bit floats to float32; files hold their bits.
  if (a.dtype.name === 'float16' || a.dtype.name === 'bfloat16') host = encodeHost(host as Float32Array, a.dtype);
  return new Uint8Array(host.buffer, host.byteOffset, host.byteLength);
}

/** An array of `dtype` and `shape` from its row-major little-endian bytes (copied, so any alignment works). */
export function arrayFromBytes(bytes: Uint8Array, shape: readonly number[], dtype: Dtype): Array {
  const host = hostArrayFor(dtype, shapeSize(shape));
  new Uint8Array(host.buffer).set(bytes);
  return fromHostData(host, shape, dtype);
}
