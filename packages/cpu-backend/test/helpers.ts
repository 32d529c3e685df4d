/** Hand-built steps for driving cpuBackend.execute directly. */
import { cpuBackend } from '@mlx-ts/cpu-backend';
import { contiguousStrides, type Dtype, float32, type HostTypedArray, int32, type Shape, type Step, type View } from '@mlx-ts/core';

export const backend = cpuBackend;

/** Stores host data; float16/bfloat16 take raw bits. */
export function store(data: HostTypedArray, dtype: Dtype): unknown {
  return cpuBackend.fromHost(data, dtype);
}

/** A view onto stored data (contiguous unless strides/offset say otherwise). */
export function view(handle: unknown, dtype: Dtype, shape: Shape, strides: readonly number[] = contiguousStrides(shape), offset = 0): View {
  return { source: { kind: 'storage', handle }, dtype, shape, strides, offset };
}

/** A view of host data stored for the occasion. */
export function input(data: HostTypedArray, dtype: Dtype, shape: Shape, strides?: readonly number[], offset?: number): View {
  return view(store(data, dtype), dtype, shape, strides, offset);
}

/** The output of an earlier step in the same list. */
export function stepOutput(index: number, dtype: Dtype, shape: Shape, strides: readonly number[] = contiguousStrides(shape), offset = 0): View {
  return { source: { kind: 'step', index }, dtype, shape, strides, offset };
}

export function step(prim: string, inputs: readonly View[], shape: Shape, dtype: Dtype, params: unknown = {}): Step {
  return { prim, params, inputs, shape, dtype };
}

export function read(handle: unknown, dtype: Dtype, shape: Shape): HostTypedArray {
  return cpuBackend.toHost(view(handle, dtype, shape));
}

/** A host array's elements as numbers (int64 too). */
export function values(host: HostTypedArray): number[] {
  return Array.from(host as ArrayLike<number | bigint>, Number);
}

/** Runs one step and returns its output as a plain array of numbers. */
export function run(prim: string, inputs: readonly View[], shape: Shape, dtype: Dtype, params: unknown = {}): number[] {
  const [out] = cpuBackend.execute([step(prim, inputs, shape, dtype, params)]);
  return values(read(out, dtype, shape));
}

/** float32 / int32 inputs from JS numbers (any strides and offset). */
export const f32 = (xs: ArrayLike<number>, shape = [xs.length], strides?: number[], offset?: number) =>
  input(Float32Array.from(xs), float32, shape, strides, offset);
export const i32 = (xs: ArrayLike<number>, shape = [xs.length], strides?: number[], offset?: number) =>
  input(Int32Array.from(xs), int32, shape, strides, offset);
