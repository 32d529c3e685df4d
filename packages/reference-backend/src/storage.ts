/**
 * The reference backend's storage: one Float64Array of contiguous elements per buffer, whatever
 * the dtype, each value already rounded to the dtype. float16/bfloat16 hold the rounded number
 * (not its bits), bool holds 0/1, and int64 holds doubles (exact to 2^53, see rounding.ts).
 */
import {
  bfloat16BitsToNumber,
  type Dtype,
  float16BitsToNumber,
  float32ToBfloat16Bits,
  hostArrayFor,
  type HostTypedArray,
  numberToFloat16Bits,
} from '@mlx-ts/core';
import { int64ToBigInt, roundInPlace } from './rounding.js';

export class ReferenceStorage {
  constructor(
    /** null once released */
    public data: Float64Array | null,
    readonly dtype: Dtype,
  ) {}
}

/** A handle this backend made, still holding its data; throws on a foreign or released handle. */
export function liveStorage(handle: unknown): ReferenceStorage & { data: Float64Array } {
  if (!(handle instanceof ReferenceStorage)) throw new Error('reference: a view names storage that another backend owns');
  if (handle.data === null) throw new Error(`reference: a view reads ${handle.dtype.name} storage that was released`);
  return handle as ReferenceStorage & { data: Float64Array };
}

/** Decodes host data (float16/bfloat16 as raw bits, int64 as BigInt64Array) into rounded doubles. */
export function decodeHost(host: HostTypedArray, dtype: Dtype): Float64Array {
  const out = new Float64Array(host.length);
  if (dtype.name === 'float16' || dtype.name === 'bfloat16') {
    const decode = dtype.name === 'float16' ? float16BitsToNumber : bfloat16BitsToNumber;
    for (let i = 0; i < host.length; i++) out[i] = decode(Number(host[i]));
  } else {
    for (let i = 0; i < host.length; i++) out[i] = Number(host[i]);
  }
  // Host arrays of the wrong width (a Float64Array for float32, say) still store rounded values.
  roundInPlace(out, dtype);
  return out;
}

/** The dtype's host typed array for rounded doubles: float16/bfloat16 as bits, int64 as BigInt64Array, bool as 0/1. */
export function encodeHost(values: Float64Array, dtype: Dtype): HostTypedArray {
  // Complex values are already interleaved pairs.
  if (dtype.isComplex) return Float32Array.from(values);
  const out = hostArrayFor(dtype, values.length);
  switch (dtype.name) {
    case 'float16':
    case 'bfloat16': {
      const encode = dtype.name === 'float16' ? numberToFloat16Bits : float32ToBfloat16Bits;
      for (let i = 0; i < values.length; i++) out[i] = encode(values[i]!);
      break;
    }
    case 'int64': {
      const o = out as BigInt64Array;
      for (let i = 0; i < values.length; i++) o[i] = int64ToBigInt(values[i]!);
      break;
    }
    default:
      (out as Exclude<HostTypedArray, BigInt64Array>).set(values);
  }
  return out;
}
