/**
 * The shapes of the three transformation rules every primitive carries (MLX's `jvp`, `vjp`,
 * `vmap` members). The tables that hold them are typed `{ [P in Primitive]: ... }`, so a
 * primitive without a rule does not compile.
 */
import type { Array } from '../array.js';
import type { Params, Primitive } from './primitives.js';

/** Tangent of the output, given tangents of the inputs (`null`: that input's tangent is zero). */
export type JvpRule<P = unknown> = (primals: readonly Array[], tangents: readonly (Array | null)[], params: P, output: Array) => Array;

/**
 * Cotangents of the inputs named in `argnums` (same order), given the output's cotangent.
 * A rule for an input with no derivative throws, naming the primitive and argument.
 */
export type VjpRule<P = unknown> = (
  primals: readonly Array[],
  cotangent: Array,
  argnums: readonly number[],
  params: P,
  output: Array,
) => Array[];

/** Batched output and its batch axis, given inputs and their batch axes (`null`: not batched). */
export type VmapRule<P = unknown> = (inputs: readonly Array[], axes: readonly (number | null)[], params: P) => [Array, number];

export type JvpTable = { readonly [P in Primitive]: JvpRule<Params<P>> };
export type VjpTable = { readonly [P in Primitive]: VjpRule<Params<P>> };
export type VmapTable = { readonly [P in Primitive]: VmapRule<Params<P>> };
