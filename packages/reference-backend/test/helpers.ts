/** Building steps by hand and reading results back, as the evaluator would. */
import {
  bfloat16BitsToNumber,
  contiguousStrides,
  type Dtype,
  float16BitsToNumber,
  float32ToBfloat16Bits,
  hostArrayFor,
  type HostTypedArray,
  numberToFloat16Bits,
  shapeSize,
  type Source,
  type Step,
  type View,
} from '@mlx-ts/core';
import { referenceBackend as ref } from '@mlx-ts/reference-backend';

/** Host data as the evaluator passes it: float16/bfloat16 as bits, int64 as BigInt64Array, bool as 0/1. */
export function encode(values: readonly (number | boolean | bigint)[], dtype: Dtype): HostTypedArray {
  const out = hostArrayFor(dtype, values.length);
  values.forEach((v, i) => {
    if (dtype.name === 'int64') (out as BigInt64Array)[i] = BigInt(v);
    else if (dtype.name === 'float16') out[i] = numberToFloat16Bits(Number(v));
    else if (dtype.name === 'bfloat16') out[i] = float32ToBfloat16Bits(Number(v));
    else out[i] = Number(v);
  });
  return out;
}

/** A contiguous view onto new storage holding `values` (rounded to `dtype` on the way in). */
export function stored(values: readonly (number | boolean | bigint)[], dtype: Dtype, shape: readonly number[] = [values.length]): View {
  if (shapeSize(shape) !== values.length) throw new Error(`helper: ${values.length} values for shape [${shape}]`);
  const handle = ref.fromHost(encode(values, dtype), dtype);
  return { source: { kind: 'storage', handle }, dtype, shape, strides: contiguousStrides(shape), offset: 0 };
}

/** The same storage seen through other strides. */
export function restride(v: View, shape: readonly number[], strides: readonly number[], offset: number): View {
  return { ...v, shape, strides, offset };
}

/** A view of an earlier step's contiguous output. */
export function stepOutput(index: number, dtype: Dtype, shape: readonly number[]): View {
  const source: Source = { kind: 'step', index };
  return { source, dtype, shape, strides: contiguousStrides(shape), offset: 0 };
}

export function step(prim: string, params: unknown, inputs: readonly View[], shape: readonly number[], dtype: Dtype): Step {
  return { prim, params, inputs, shape, dtype };
}

/** Host values of a contiguous handle as numbers (float16/bfloat16 decoded, int64 via Number). */
export function read(handle: unknown, dtype: Dtype, shape: readonly number[]): number[] {
  const host = ref.toHost({ source: { kind: 'storage', handle }, dtype, shape, strides: contiguousStrides(shape), offset: 0 });
  const decode = dtype.name === 'float16' ? float16BitsToNumber : dtype.name === 'bfloat16' ? bfloat16BitsToNumber : Number;
  return Array.from(host as ArrayLike<number | bigint>, (v) => decode(v as number));
}

/** Runs one step and reads its output. */
export function run(prim: string, params: unknown, inputs: readonly View[], shape: readonly number[], dtype: Dtype): number[] {
  const [out] = ref.execute([step(prim, params, inputs, shape, dtype)]);
  return read(out, dtype, shape);
}

/** The elements of a host typed array, whichever kind it is. */
export function elements(host: HostTypedArray): (number | bigint)[] {
  return Array.from(host as ArrayLike<number | bigint>);
}
