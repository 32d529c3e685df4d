/**
 * The shapes of the three transformation rules every primitive carries (MLX's `jvp`, `vjp`,
 * `vmap` members). The tables that hold them are typed `{ [P in Primitive]: ... }`, so a
 * primitive without a rule does not compile; a multi-output primitive's rules take and return
 * one array per output (the `Multi...` forms), which the table types demand of exactly those.
 */
import type { Array } from '../array.js';
import type { MultiOutputPrimitive, Params, Primitive } from './primitives.js';

/** Tangent of the output, given tangents of the inputs (`null`: that input's tangent is zero). */
export type JvpRule<P = unknown> = (primals: readonly Array[], tangents: readonly (Array | null)[], params: P, output: Array) => Array;

/**
 * Cotangents of the inputs named in `argnums` (same order), given the output's cotangent.
 * A rule for an input with no derivative throws, naming the primitive and argument.
 */
export type VjpRule<P = unknown> = (primals: readonly Array[], cotangent: Array, argnums: readonly number[], params: P, output: Array) => Array[];

/** Batched output and its batch axis, given inputs and their batch axes (`null`: not batched). */
export type VmapRule<P = unknown> = (inputs: readonly Array[], axes: readonly (number | null)[], params: P) => [Array, number];

/** One tangent per output (`null`: zero, e.g. for an integer output). */
export type MultiJvpRule<P = unknown> = (
  primals: readonly Array[],
  tangents: readonly (Array | null)[],
  params: P,
  outputs: readonly Array[],
) => (Array | null)[];
/** Cotangents of the inputs named in `argnums`, given one cotangent per output (`null`: zero; at least one is not). */
export type MultiVjpRule<P = unknown> = (
  primals: readonly Array[],
  cotangents: readonly (Array | null)[],
  argnums: readonly number[],
  params: P,
  outputs: readonly Array[],
) => Array[];
/** Batched outputs and their batch axes. */
export type MultiVmapRule<P = unknown> = (inputs: readonly Array[], axes: readonly (number | null)[], params: P) => [Array[], number[]];

export type JvpTable = { readonly [P in Primitive]: P extends MultiOutputPrimitive ? MultiJvpRule<Params<P>> : JvpRule<Params<P>> };
export type VjpTable = { readonly [P in Primitive]: P extends MultiOutputPrimitive ? MultiVjpRule<Params<P>> : VjpRule<Params<P>> };
export type VmapTable = { readonly [P in Primitive]: P extends MultiOutputPrimitive ? MultiVmapRule<Params<P>> : VmapRule<Params<P>> };
