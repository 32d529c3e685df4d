/**
 * Jacobians and Hessians (beyond MLX, which lacks them; JAX's forms).
 *
 * `jacrev(f, argnums)` (reverse mode) and `jacfwd(f, argnums)` (forward mode) trace f once and
 * vmap one backward walk per output leaf (forward walk per argument leaf) over the basis vectors,
 * as JAX does. For an output leaf of shape O and an input leaf of shape I the block has shape
 * [...O, ...I]. The result mirrors f's output; at each output leaf sits the structure of the
 * differentiated arguments (one tree for a single argnum, a JS array of trees for several).
 * `hessian(f, argnums)` is `jacfwd(jacrev(f, argnums), argnums)` (forward-over-reverse).
 */
import { Array, array, enterTrace, exitTrace, flattenTree, identity, type MapLeaves, node, treeFlatten, treeUnflatten, describeValue } from '@mlx-ts/core';
import { backward, forward, settle, zerosLike } from './autodiff.js';
import { type Argnums, firstStatic, type GradOptions, type GradsOf, parseArgnums, traceArgs } from './grad.js';
import { vmap } from './vmap.js';

/** The n x n identity of `like`'s dtype as n basis vectors of shape `shape` (n = its size). */
function basis(shape: readonly number[], like: Array): Array {
  const n = like.size;
  return node('reshape', [identity(n, like.dtype)], { shape: [n, ...shape] });
}

/** A block of zeros for a Jacobian with no elements (vmap needs a nonempty batch). */
const emptyBlock = (shape: readonly number[], like: Array): Array => zerosLike(node('broadcastTo', [array(0, like.dtype)], { shape: shape.slice() }));

function checkOutputs(fn: string, out: unknown): [Array[], ReturnType<typeof treeFlatten>[1]] {
  const [leaves, def] = flattenTree(fn, out);
  if (firstStatic(def)) throw new Error(`${fn}: the function must return an array or a tree of arrays, got ${describeValue(out)}`);
  for (const l of leaves) if (!l.dtype.isFloating) throw new Error(`${fn}: the function's outputs must be floating arrays, got ${l.dtype.name}`);
  return [leaves, def];
}

function jacobian(fn: string, mode: 'rev' | 'fwd', f: (...args: any[]) => any, argnums: Argnums | GradOptions | undefined) {
  if (typeof f !== 'function') throw new Error(`${fn}: expected a function, got ${describeValue(f)}`);
  const { list, single } = parseArgnums(fn, argnums);
  return (...args: unknown[]): any => {
    let result: unknown;
    enterTrace();
    try {
      const d = traceArgs(fn, args, list);
      const out = f(...d.args);
      const [outs, outDef] = checkOutputs(fn, out);
      const roots = d.roots;
      // blocks[k][r]: the Jacobian block of output leaf k with respect to root r.
      const blocks: Array[][] = outs.map(() => []);
      // One batched walk per output leaf (rev) or root (fwd): vmap over the basis vectors.
      if (mode === 'rev') {
        outs.forEach((o, k) => {
          const shapeOf = (r: Array) => [...o.shape, ...r.shape];
          if (o.size === 0) {
            roots.forEach((r, ri) => (blocks[k]![ri] = emptyBlock(shapeOf(r), r)));
            return;
          }
          const rows = vmap((ct: Array) => backward([o], [ct], roots).map((x, r) => x ?? zerosLike(roots[r]!)))(basis(o.shape, o)) as Array[];
          roots.forEach((r, ri) => (blocks[k]![ri] = node('reshape', [rows[ri]!], { shape: shapeOf(r) })));
        });
      } else {
        roots.forEach((r, ri) => {
          const shapeOf = (o: Array) => [...o.shape, ...r.shape];
          if (r.size === 0) {
            outs.forEach((o, k) => (blocks[k]![ri] = emptyBlock(shapeOf(o), o)));
            return;
          }
          const cols = vmap(
            (t: Array) =>
              forward(
                outs,
                roots,
                roots.map((x) => (x === r ? t : null)),
              ).map((x, k) => x ?? zerosLike(outs[k]!)),
            0,
            outs.map((o) => o.ndim),
          )(basis(r.shape, r)) as Array[];
          outs.forEach((o, k) => (blocks[k]![ri] = node('reshape', [cols[k]!], { shape: shapeOf(o) })));
        });
      }
      const perOut = blocks.map((bs) => {
        const trees = d.parts.map(({ def, start, end }) => treeUnflatten(def, bs.slice(start, end)));
        return single ? trees[0] : trees;
      });
      result = treeUnflatten(outDef, perOut);
    } finally {
      exitTrace();
    }
    settle(treeFlatten(result)[0]);
    return result;
  };
}

/**
 * The Jacobian's type for a function F and `argnums` A: F's output with, at each array, the
 * structure of the differentiated arguments (`GradsOf`).
 * @typeParam F - The type of `f`.
 * @typeParam A - The type of `argnums` (which arguments are differentiated).
 */
export type JacobianOf<F extends (...args: any[]) => unknown, A> = MapLeaves<ReturnType<F>, GradsOf<Parameters<F>, A>>;

/**
 * The Hessian's type: the Jacobian of the Jacobian, i.e. the gradients' structure nested in itself.
 * @typeParam F - The type of `f`.
 * @typeParam A - The type of `argnums` (which arguments are differentiated).
 */
export type HessianOf<F extends (...args: any[]) => unknown, A> = MapLeaves<JacobianOf<F, A>, GradsOf<Parameters<F>, A>>;

/**
 * The Jacobian by reverse mode. Called as `jacrev(f, argnums = 0)` or `jacrev(f, { argnums })`.
 * @typeParam F - The type of `f`.
 * @typeParam A - The type of `argnums` (which arguments are differentiated).
 */
export function jacrev<F extends (...args: any[]) => unknown, const A extends Argnums | GradOptions | undefined = undefined>(
  f: F,
  argnums?: A,
): (...args: Parameters<F>) => JacobianOf<F, A> {
  return jacobian('jacrev', 'rev', f, argnums);
}

/**
 * The Jacobian by forward mode. Called as `jacfwd(f, argnums = 0)` or `jacfwd(f, { argnums })`.
 * @typeParam F - The type of `f`.
 * @typeParam A - The type of `argnums` (which arguments are differentiated).
 */
export function jacfwd<F extends (...args: any[]) => unknown, const A extends Argnums | GradOptions | undefined = undefined>(
  f: F,
  argnums?: A,
): (...args: Parameters<F>) => JacobianOf<F, A> {
  return jacobian('jacfwd', 'fwd', f, argnums);
}

/**
 * The Hessian of a scalar function, forward-over-reverse: `jacfwd(jacrev(f, argnums), argnums)`.
 * @typeParam F - The type of `f`.
 * @typeParam A - The type of `argnums` (which arguments are differentiated).
 */
export function hessian<F extends (...args: any[]) => unknown, const A extends Argnums | GradOptions | undefined = undefined>(
  f: F,
  argnums?: A,
): (...args: Parameters<F>) => HessianOf<F, A> {
  if (typeof f !== 'function') throw new Error(`hessian: expected a function, got ${describeValue(f)}`);
  // Checked here so a bad argnums is reported as hessian's, not the inner jacrev's.
  parseArgnums('hessian', argnums);
  const inner = jacrev(f, argnums);
  return jacobian('hessian', 'fwd', inner, argnums);
}
