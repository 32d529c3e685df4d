/** Building steps by hand and reading results back, as the evaluator would. */
import {
  bfloat16BitsToNumber,
  contiguousStrides,
  type Dtype,
  encodeHost,
  float16BitsToNumber,
  type HostTypedArray,
  shapeSize,
  type Source,
  type Step,
  type View,
} from '@mlx-ts/core';
import { referenceBackend as ref } from '@mlx-ts/reference-backend';

/** A contiguous view onto new storage holding `values` (rounded to `dtype` on the way in). */
export function stored(values: readonly (number | boolean | bigint)[], dtype: Dtype, shape: readonly number[] = [values.length]): View {
  if (shapeSize(shape) !== values.length) throw new Error(`helper: ${values.length} values for shape [${shape}]`);
  const handle = ref.fromHost(encodeHost(values, dtype), dtype);
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
