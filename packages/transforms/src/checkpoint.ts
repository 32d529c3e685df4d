/**
 * `checkpoint(f)`: recompute f in the backward pass instead of keeping its intermediate arrays.
 * A `customFunction` whose VJP re-runs f on the primals and differentiates that fresh graph, so
 * the gradient graph never references the forward pass's intermediates (MLX's `mx.checkpoint`).
 * Forward mode and vmap fall back to f's own graph.
 */
import { enterTrace, exitTrace, flattenTree, treeUnflatten, describeValue } from '@mlx-ts/core';
import { backward, tracerCopy, zerosLike } from './autodiff.js';
import { makeCustom } from './custom.js';

/** The cotangents of every array leaf of `args` (static leaves kept), given the outputs' cotangents. */
function recomputeVjp(f: (...args: any[]) => any, args: unknown[], cotangents: unknown): unknown[] {
  enterTrace();
  try {
    const [leaves, def] = flattenTree('checkpoint', args);
    const copies = leaves.map(tracerCopy);
    const out = f(...treeUnflatten<unknown[]>(def, copies));
    const [outLeaves] = flattenTree('checkpoint', out);
    const [cts] = flattenTree('checkpoint', cotangents);
    if (cts.length !== outLeaves.length) throw new Error(`checkpoint: the function returned ${outLeaves.length} arrays on recomputation, ${cts.length} before`);
    const grads = backward(outLeaves, cts, copies);
    return treeUnflatten<unknown[]>(
      def,
      copies.map((c, i) => grads[i] ?? zerosLike(c)),
    );
  } finally {
    exitTrace();
  }
}

/**
 * f, recomputed in the backward pass; it keeps f's type.
 * @typeParam F - The type of `f`.
 */
export function checkpoint<F extends (...args: any[]) => any>(f: F): F {
  if (typeof f !== 'function') throw new Error(`checkpoint: expected a function, got ${describeValue(f)}`);
  const cf = makeCustom(f, true, (primals: unknown[], cotangents: unknown) => recomputeVjp(f, primals, cotangents));
  Object.defineProperty(cf, 'name', { value: `checkpoint(${f.name || 'f'})` });
  return cf;
}
