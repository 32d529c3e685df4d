/** Building graph nodes: the one place an op turns into an Array. */
import { Array } from './array.js';
import { resolveStream, type StreamOrDevice } from './device.js';
import { getPrimitiveDef } from './ir/registry.js';
import { complexPrimitives, type MultiOutputPrimitive, type Params, type PrimitiveDef, primitives, type SingleOutputPrimitive } from './ir/primitives.js';
import { identityPerm, shapeEqual } from './shape.js';
import { $siblings, $stream, $view } from './array-keys.js';

/** The core table as a Map: one hash lookup per node instead of a dictionary-mode object's two. Core primitives never change. */
const coreDefs: ReadonlyMap<string, PrimitiveDef<any>> = new Map(Object.entries(primitives) as [string, PrimitiveDef<any>][]);

/** A node of a core primitive; inputs must already satisfy the primitive's rule (ops check them). */
export function node<P extends SingleOutputPrimitive>(prim: P, inputs: Array[], params: Params<P>, stream?: StreamOrDevice | null): Array {
  return customNode(prim, inputs, params, stream);
}

/** A node of any registered single-output primitive, core or not. */
export function customNode(prim: string, inputs: Array[], params: unknown, stream?: StreamOrDevice | null): Array {
  const def = coreDefs.get(prim) ?? getPrimitiveDef(prim);
  if (def.outputs) throw new Error(`${prim}: the primitive has several outputs; build it with multiNode`);
  const out = def.output(inputs, params as never);
  if (out.dtype.isComplex || inputs.some((x) => x.dtype.isComplex)) checkComplex(prim);
  const a = new Array(out.shape, out.dtype, prim, params, inputs, resolveStream(stream));
  a[$view] = def.kind === 'view';
  return a;
}

/** The outputs of one node of a multi-output primitive (core or registered), siblings of each other. */
export function multiNode<P extends MultiOutputPrimitive>(prim: P, inputs: Array[], params: Params<P>, stream?: StreamOrDevice | null): Array[];
export function multiNode(prim: string, inputs: Array[], params: unknown, stream?: StreamOrDevice | null): Array[];
export function multiNode(prim: string, inputs: Array[], params: unknown, stream?: StreamOrDevice | null): Array[] {
  const def = coreDefs.get(prim) ?? getPrimitiveDef(prim);
  if (!def.outputs) throw new Error(`${prim}: the primitive has one output; build it with node`);
  if (inputs.some((x) => x.dtype.isComplex)) checkComplex(prim);
  const s = resolveStream(stream);
  const view = def.kind === 'view';
  const outs = def.outputs(inputs, params as never).map((o) => {
    const a = new Array(o.shape, o.dtype, prim, params, inputs, s);
    a[$view] = view;
    return a;
  });
  for (const a of outs) a[$siblings] = outs;
  return outs;
}

/** The one dtype gate for complex64: a primitive outside `complexPrimitives` never gets a complex node. */
function checkComplex(prim: string): void {
  if (!complexPrimitives.has(prim))
    throw new Error(`${prim}: complex64 is not supported by this op (mlx-ts has complex64 for ${[...complexPrimitives].join(', ')})`);
}

// View nodes that ops and rules build internally, skipped where they would change nothing.
export function reshapeNode(a: Array, shape: readonly number[], stream?: StreamOrDevice | null): Array {
  return shapeEqual(a.shape, shape) ? a : node('reshape', [a], { shape: shape.slice() }, stream);
}
export function broadcastNode(a: Array, shape: readonly number[], stream?: StreamOrDevice | null): Array {
  return shapeEqual(a.shape, shape) ? a : node('broadcastTo', [a], { shape: shape.slice() }, stream);
}
export function transposeNode(a: Array, perm: readonly number[], stream?: StreamOrDevice | null): Array {
  return perm.every((p, i) => p === i) ? a : node('transpose', [a], { perm: perm.slice() }, stream);
}
/** Moves axis `from` of `a` to position `to` (a transpose view on a's stream; nothing when they agree). */
export function moveAxisNode(a: Array, from: number, to: number): Array {
  if (from === to) return a;
  const perm = identityPerm(a.ndim);
  perm.splice(from, 1);
  perm.splice(to, 0, from);
  return node('transpose', [a], { perm }, a[$stream]);
}
