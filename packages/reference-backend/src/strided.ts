/**
 * Walking strided views. A view's strides count elements and may be 0 (broadcast) or negative
 * (reversed slices); its offset is where element [0, 0, ...] lives.
 */
import { type Shape, shapeSize } from '@mlx-ts/core';

/** The offset of every element of a strided view, in row-major order of `shape`. */
export function stridedOffsets(shape: Shape, strides: readonly number[], offset: number): Float64Array {
  const n = shapeSize(shape);
  const out = new Float64Array(n);
  const ndim = shape.length;
  const index = new Array<number>(ndim).fill(0);
  let at = offset;
  for (let i = 0; i < n; i++) {
    out[i] = at;
    // Odometer: bump the last axis, carrying into earlier axes when one wraps.
    for (let d = ndim - 1; d >= 0; d--) {
      if (++index[d]! < shape[d]!) {
        at += strides[d]!;
        break;
      }
      index[d] = 0;
      at -= strides[d]! * (shape[d]! - 1);
    }
  }
  return out;
}

function isRowMajor(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] === 1) continue;
    if (strides[d] !== expected) return false;
    expected *= shape[d]!;
  }
  return true;
}

/**
 * The view's elements, contiguous and row-major. A view that already is contiguous comes back
 * as a window onto `data` without a copy, so callers must not write to the result.
 */
export function readStrided(data: Float64Array, shape: Shape, strides: readonly number[], offset: number): Float64Array {
  const n = shapeSize(shape);
  if (n === 0) return new Float64Array(0);
  if (isRowMajor(shape, strides)) return data.subarray(offset, offset + n);
  const offsets = stridedOffsets(shape, strides, offset);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = data[offsets[i]!]!;
  return out;
}

/**
 * A contiguous shape seen as [outer, len, inner] around `axis`: element (o, k, i) sits at
 * (o * len + k) * inner + i. Axis kernels (scans, sorts, gathers) all index this way.
 */
export function splitAtAxis(shape: Shape, axis: number): [outer: number, len: number, inner: number] {
  return [shapeSize(shape.slice(0, axis)), shape[axis]!, shapeSize(shape.slice(axis + 1))];
}
