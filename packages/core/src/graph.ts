/** Building graph nodes: the one place an op turns into an Array. */
import { Array } from './array.js';
import { resolveStream, type StreamOrDevice } from './device.js';
import { getPrimitiveDef } from './ir/registry.js';
import type { Params, Primitive } from './ir/primitives.js';

/** A node of a core primitive; inputs must already satisfy the primitive's rule (ops check them). */
export function node<P extends Primitive>(prim: P, inputs: Array[], params: Params<P>, stream?: StreamOrDevice | null): Array {
  return customNode(prim, inputs, params, stream);
}

/** A node of any registered primitive, core or not. */
export function customNode(prim: string, inputs: Array[], params: unknown, stream?: StreamOrDevice | null): Array {
  const out = getPrimitiveDef(prim).output(inputs, params as never);
  return new Array(out.shape, out.dtype, prim, params, inputs, resolveStream(stream));
}
