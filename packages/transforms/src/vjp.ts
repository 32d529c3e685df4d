/**
 * `vjp(f, primals, cotangents)` and `jvp(f, primals, tangents)`: MLX's `mx.vjp` / `mx.jvp`.
 *
 * `primals` is the JS array of f's arguments (each an array or a tree of arrays). f returns an
 * array or a tree of arrays. `outputs` come back as a JS array when f returns one array (as in
 * MLX), else in f's structure; cotangents (vjp) are given in that same form, one per output.
 * `vjps` has one tree per primal; `jvps` has the outputs' form.
 */
import { Array, enterTrace, exitTrace, flattenTree, fmtShape, node, treeDefEqual, treeFlatten, treeUnflatten, type TreeDef, describeValue } from '@mlx-ts/core';
import { backward, forward, settle, zerosLike } from './autodiff.js';
import { firstStatic, gradTrees, type TangentsOf, traceArgs } from './grad.js';

function checkPrimals(fn: string, primals: unknown): unknown[] {
  if (!globalThis.Array.isArray(primals)) {
    throw new Error(`${fn}: primals must be a JS array with one entry per argument of the function, got ${describeValue(primals)}`);
  }
  return primals;
}

/** f's outputs: flat leaves, their treedef, and what the caller sees (a single array becomes [array]). */
function outputsOf(fn: string, out: unknown): { leaves: Array[]; def: TreeDef; single: boolean } {
  const [leaves, def] = flattenTree(fn, out);
  const bad = firstStatic(def);
  if (bad) throw new Error(`${fn}: the function must return an array or a tree of arrays, got ${describeValue(bad.value)}`);
  return { leaves, def, single: out instanceof Array };
}

/** Leaves of a user-given tree that must match `def` (the outputs' or a primal's), conformed to `like`. */
function matchLeaves(fn: string, what: string, given: unknown, def: TreeDef, like: readonly Array[]): Array[] {
  const [leaves, gdef] = flattenTree(fn, given);
  if (leaves.length !== like.length || firstStatic(gdef) !== null || !treeDefEqual(gdef, def)) {
    throw new Error(`${fn}: ${what} must match the structure of ${like.length === 1 ? 'its array' : `its ${like.length} arrays`}, got ${describeValue(given)}`);
  }
  return leaves.map((g, i) => {
    const ref = like[i]!;
    if (g.shape.length !== ref.shape.length || g.shape.some((d, j) => d !== ref.shape[j])) {
      throw new Error(`${fn}: ${what} ${i} has shape ${fmtShape(g.shape)}, expected ${fmtShape(ref.shape)}`);
    }
    return g.dtype === ref.dtype ? g : node('astype', [g], { dtype: ref.dtype });
  });
}

/** How vjp and jvp return f's outputs `R` (and jvp their tangents): a JS array of one when f returns one array. */
export type OutputsOf<R> = R extends Array ? [R] : R;

/**
 * Reverse mode: `[outputs, vjps]`, the cotangents of the primals given those of the outputs.
 * @typeParam F - The type of `f`.
 */
export function vjp<F extends (...args: any[]) => unknown>(
  f: F,
  primals: Parameters<F>,
  cotangents: ReturnType<F> | OutputsOf<ReturnType<F>>,
): [OutputsOf<ReturnType<F>>, TangentsOf<Parameters<F>>] {
  const fn = 'vjp';
  if (typeof f !== 'function') throw new Error(`${fn}: expected a function, got ${describeValue(f)}`);
  const args = checkPrimals(fn, primals);
  let outputs: unknown;
  let vjps: unknown[];
  enterTrace();
  try {
    const d = traceArgs(
      fn,
      args,
      args.map((_, i) => i),
    );
    const out = f(...d.args);
    const o = outputsOf(fn, out);
    let given = cotangents;
    // One output: the cotangent may come alone or as a list of one.
    if (o.single && globalThis.Array.isArray(cotangents) && cotangents.length === 1) given = cotangents[0];
    const cts = matchLeaves(fn, 'cotangents', given, o.def, o.leaves);
    vjps = gradTrees(d, backward(o.leaves, cts, d.roots));
    outputs = o.single ? [out] : out;
  } finally {
    exitTrace();
  }
  settle([...treeFlatten(outputs)[0], ...treeFlatten(vjps)[0]]);
  return [outputs as OutputsOf<ReturnType<F>>, vjps as TangentsOf<Parameters<F>>];
}

/**
 * Forward mode: `[outputs, jvps]`, the tangents of the outputs given those of the primals.
 * @typeParam F - The type of `f`.
 */
export function jvp<F extends (...args: any[]) => unknown>(
  f: F,
  primals: Parameters<F>,
  tangents: TangentsOf<Parameters<F>>,
): [OutputsOf<ReturnType<F>>, OutputsOf<ReturnType<F>>] {
  const fn = 'jvp';
  if (typeof f !== 'function') throw new Error(`${fn}: expected a function, got ${describeValue(f)}`);
  const args = checkPrimals(fn, primals);
  if (!globalThis.Array.isArray(tangents) || tangents.length !== args.length) {
    throw new Error(`${fn}: tangents must be a JS array with one entry per primal (${args.length}), got ${describeValue(tangents)}`);
  }
  let outputs: unknown;
  let jvps: unknown;
  enterTrace();
  try {
    const d = traceArgs(
      fn,
      args,
      args.map((_, i) => i),
    );
    const ts: Array[] = [];
    d.parts.forEach((p, i) => ts.push(...matchLeaves(fn, `tangents[${i}]`, tangents[i], p.def, d.roots.slice(p.start, p.end))));
    const out = f(...d.args);
    const o = outputsOf(fn, out);
    const res = forward(o.leaves, d.roots, ts).map((t, i) => t ?? zerosLike(o.leaves[i]!));
    outputs = o.single ? [out] : out;
    jvps = o.single ? res : treeUnflatten(o.def, res);
  } finally {
    exitTrace();
  }
  settle([...treeFlatten(outputs)[0], ...treeFlatten(jvps)[0]]);
  return [outputs as OutputsOf<ReturnType<F>>, jvps as OutputsOf<ReturnType<F>>];
}
