/** Arrays as the raw little-endian bytes files hold, and back, shared by every format. */
import { $data, type Array, type Dtype, evalArrays, fromHostData, hostArrayFor, shapeSize, type StreamOrDevice } from '@mlx-ts/core';
import type { Source } from './source.js';

/**
 * The array's elements as stored on disk: row-major, little-endian, float16/bfloat16 as their bits.
 * Read from the backend's storage as is (toTypedArray would widen 16-bit floats to float32).
 */
export function arrayBytes(a: Array): Uint8Array {
  evalArrays([a]);
  const d = a[$data]!;
  const host = d.storage.backend.toHost({ source: d.storage.source, dtype: a.dtype, shape: a.shape, strides: d.strides, offset: d.offset });
  return new Uint8Array(host.buffer, host.byteOffset, host.byteLength);
}

/** An array of `dtype` and `shape` whose row-major little-endian bytes lie at `offset` in `src`. */
export function arrayAt(src: Source, offset: number, shape: readonly number[], dtype: Dtype, stream?: StreamOrDevice | null): Array {
  const host = hostArrayFor(dtype, shapeSize(shape));
  src.readInto(new Uint8Array(host.buffer, host.byteOffset, host.byteLength), offset);
  return fromHostData(host, shape, dtype, stream);
}
