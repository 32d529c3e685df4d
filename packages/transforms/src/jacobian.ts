/**
 * Jacobians and Hessians (beyond MLX, which lacks them; JAX's forms).
 *
 * `jacrev(f, argnums)` (reverse mode, one backward walk per output element) and `jacfwd(f, argnums)`
 * (forward mode, one forward walk per input element) trace f once and walk its graph once per
 * basis vector. For an output leaf of shape O and an input leaf of shape I the block has shape
 * [...O, ...I]. The result mirrors f's output; at each output leaf sits the structure of the
 * differentiated arguments (one tree for a single argnum, a JS array of trees for several).
 * `hessian(f, argnums)` is `jacfwd(jacrev(f, argnums), argnums)` (forward-over-reverse).
 */
import { Array, array, enterTrace, exitTrace, node, treeFlatten, treeUnflatten } from '@mlx-ts/core';
import { backward, forward, settle, zerosLike } from './autodiff.js';
import { describe, type GradOptions, parseArgnums, traceArgs } from './grad.js';

type Argnums = number | readonly number[];

function basis(shape: readonly number[], e: number, like: Array): Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const host = new Float64Array(n);
  host[e] = 1;
  const flat = array(host, like.dtype);
  return node('reshape', [flat], { shape: shape.slice() });
}

/** Stacks blocks of shape S along a new axis at `at` (0 or S.length). */
function stack(blocks: readonly Array[], shape: readonly number[], at: number, dtype: Array): Array {
  const withOne = shape.slice();
  withOne.splice(at, 0, 1);
  const parts = blocks.map((b) => node('reshape', [b], { shape: withOne.slice() }));
  if (parts.length === 0) {
    const s = shape.slice();
    s.splice(at, 0, 0);
    return zerosLike(node('broadcastTo', [array(0, dtype.dtype)], { shape: s }));
  }
  return parts.length === 1 ? parts[0]! : node('concatenate', parts, { axis: at });
}

function checkOutputs(fn: string, out: unknown): [Array[], ReturnType<typeof treeFlatten>[1]] {
  const [leaves, def] = treeFlatten(out);
  const hasStatic = (d: typeof def): boolean => d.kind === 'static' || ((d.kind === 'list' || d.kind === 'dict') && d.children.some(hasStatic));
  if (hasStatic(def)) throw new Error(`${fn}: the function must return an array or a tree of arrays, got ${describe(out)}`);
  for (const l of leaves) if (!l.dtype.isFloating) throw new Error(`${fn}: the function's outputs must be floating arrays, got ${l.dtype.name}`);
  return [leaves, def];
}

function jacobian(fn: string, mode: 'rev' | 'fwd', f: (...args: any[]) => any, argnums: Argnums | GradOptions | undefined) {
  if (typeof f !== 'function') throw new Error(`${fn}: expected a function, got ${describe(f)}`);
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
      if (mode === 'rev') {
        outs.forEach((o, k) => {
          const rows: Array[][] = roots.map(() => []);
          for (let e = 0; e < o.size; e++) {
            const g = backward([o], [basis(o.shape, e, o)], roots);
            g.forEach((x, r) => rows[r]!.push(x ?? zerosLike(roots[r]!)));
          }
          roots.forEach((r, ri) => {
            const st = stack(rows[ri]!, r.shape, 0, r);
            blocks[k]![ri] = node('reshape', [st], { shape: [...o.shape, ...r.shape] });
          });
        });
      } else {
        const cols: Array[][][] = outs.map(() => roots.map(() => []));
        roots.forEach((r, ri) => {
          for (let e = 0; e < r.size; e++) {
            const ts = roots.map((x) => (x === r ? basis(r.shape, e, r) : null));
            const t = forward(outs, roots, ts);
            t.forEach((x, k) => cols[k]![ri]!.push(x ?? zerosLike(outs[k]!)));
          }
        });
        outs.forEach((o, k) => {
          roots.forEach((r, ri) => {
            const st = stack(cols[k]![ri]!, o.shape, o.ndim, o);
            blocks[k]![ri] = node('reshape', [st], { shape: [...o.shape, ...r.shape] });
          });
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

/** The Jacobian by reverse mode. Called as `jacrev(f, argnums = 0)` or `jacrev(f, { argnums })`. */
export function jacrev<F extends (...args: any[]) => any>(f: F, argnums?: Argnums | GradOptions): (...args: Parameters<F>) => any {
  return jacobian('jacrev', 'rev', f, argnums);
}

/** The Jacobian by forward mode. Called as `jacfwd(f, argnums = 0)` or `jacfwd(f, { argnums })`. */
export function jacfwd<F extends (...args: any[]) => any>(f: F, argnums?: Argnums | GradOptions): (...args: Parameters<F>) => any {
  return jacobian('jacfwd', 'fwd', f, argnums);
}

/** The Hessian of a scalar function, forward-over-reverse: `jacfwd(jacrev(f, argnums), argnums)`. */
export function hessian<F extends (...args: any[]) => any>(f: F, argnums?: Argnums | GradOptions): (...args: Parameters<F>) => any {
  if (typeof f !== 'function') throw new Error(`hessian: expected a function, got ${describe(f)}`);
  const inner = jacrev(f, argnums);
  return jacobian('hessian', 'fwd', inner, argnums);
}
