/** What a kernel of this backend sees and returns. */
import type { Aval, Dtype, KernelPrimitive, MultiOutputPrimitive, Params, Shape } from '@mlx-ts/core';

/** One input of a step, contiguous and row-major, every value already rounded to `dtype`. Read-only. */
export interface Operand {
  readonly data: Float64Array;
  readonly shape: Shape;
  readonly dtype: Dtype;
}

export interface KernelCall<P> {
  readonly inputs: readonly Operand[];
  readonly params: P;
  /** The output's shape and dtype, as the primitive's output rule gave them. */
  readonly shape: Shape;
  readonly dtype: Dtype;
}

/**
 * Computes a step's output in float64: a new row-major array of the output's size (never an
 * input's data). The backend rounds it to the output dtype afterwards, so a kernel only rounds
 * itself where intermediate results must wrap (integer accumulation).
 */
export type Kernel<P = unknown> = (call: KernelCall<P>) => Float64Array;

/** A multi-output primitive's kernel: one new array per output (`outputs`, in order). */
export type MultiKernel<P = unknown> = (call: KernelCall<P> & { readonly outputs: readonly Aval[] }) => Float64Array[];

/** One kernel per core primitive: a primitive added to core without a kernel here is a compile error. */
export type KernelTable = { readonly [P in KernelPrimitive]: P extends MultiOutputPrimitive ? MultiKernel<Params<P>> : Kernel<Params<P>> };
