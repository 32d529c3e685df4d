/**
 * `ad`: the few ops the transform rules need, on nodes. Unlike the public ops they never promote
 * or broadcast on their own terms: they keep the kernel contracts of DESIGN.md (inputs of one
 * shape and dtype, floating inputs to float math), so the rules never depend on how the public
 * ops evolve. Every node built here is itself a primitive with rules, so rules are
 * differentiable to any depth. Shared by the JVP, VJP and vmap rules.
 */
import type { Array } from '../../array.js';
import { type Dtype, int32 } from '../../dtype.js';
import { broadcastNode as broadcastTo, reshapeNode as reshape, transposeNode as transpose, node } from '../../graph.js';
import { array } from '../../ops/convert.js';
import { broadcastShapes, identityPerm, shapeEqual } from '../../shape.js';
import type { Scan, ScanParams, ScatterMode, SingleOutputPrimitive } from '../primitives.js';

type Num = Array | number;

/** A constant of `dtype` and `shape` (a broadcast view of one element). */
export function full(shape: readonly number[], value: number | boolean, dtype: Dtype): Array {
  const s = array(value, dtype);
  return shape.length === 0 ? s : node('broadcastTo', [s], { shape: shape.slice() });
}
export const zerosLike = (a: { shape: readonly number[]; dtype: Dtype }): Array => full(a.shape, 0, a.dtype);
export const onesLike = (a: { shape: readonly number[]; dtype: Dtype }): Array => full(a.shape, 1, a.dtype);

export function astype(a: Array, dtype: Dtype): Array {
  return a.dtype === dtype ? a : node('astype', [a], { dtype });
}
/** Two operands of a binary node: numbers take the array's dtype, shapes broadcast. */
function pair(a: Num, b: Num): [Array, Array] {
  if (typeof a === 'number' && typeof b === 'number') throw new Error('ad: internal error: two scalars');
  const like = (typeof a === 'number' ? b : a) as Array;
  const A = typeof a === 'number' ? array(a, like.dtype) : a;
  const B = typeof b === 'number' ? array(b, like.dtype) : b;
  if (A.dtype !== B.dtype) throw new Error(`ad: internal error: dtypes ${A.dtype.name} and ${B.dtype.name} mixed in a rule`);
  if (shapeEqual(A.shape, B.shape)) return [A, B];
  const shape = broadcastShapes('ad', A.shape, B.shape);
  return [broadcastTo(A, shape), broadcastTo(B, shape)];
}
function binary(prim: SingleOutputPrimitive, a: Num, b: Num): Array {
  const [A, B] = pair(a, b);
  return node(prim, [A, B], {} as never);
}
function unary(prim: SingleOutputPrimitive, a: Array): Array {
  return node(prim, [a], {} as never);
}

export const ad = {
  full,
  zerosLike,
  onesLike,
  broadcastTo,
  reshape,
  transpose,
  astype,
  add: (a: Num, b: Num) => binary('add', a, b),
  subtract: (a: Num, b: Num) => binary('subtract', a, b),
  multiply: (a: Num, b: Num) => binary('multiply', a, b),
  divide: (a: Num, b: Num) => binary('divide', a, b),
  power: (a: Num, b: Num) => binary('power', a, b),
  floorDivide: (a: Num, b: Num) => binary('floorDivide', a, b),
  equal: (a: Num, b: Num) => binary('equal', a, b),
  greater: (a: Num, b: Num) => binary('greater', a, b),
  less: (a: Num, b: Num) => binary('less', a, b),
  greaterEqual: (a: Num, b: Num) => binary('greaterEqual', a, b),
  negative: (a: Array) => unary('negative', a),
  square: (a: Array) => unary('square', a),
  rsqrt: (a: Array) => unary('rsqrt', a),
  exp: (a: Array) => unary('exp', a),
  log: (a: Array) => unary('log', a),
  sin: (a: Array) => unary('sin', a),
  cos: (a: Array) => unary('cos', a),
  sinh: (a: Array) => unary('sinh', a),
  cosh: (a: Array) => unary('cosh', a),
  sign: (a: Array) => unary('sign', a),
  /** where(cond, a, b): numbers take the other branch's dtype; shapes broadcast. */
  where(c: Array, a: Num, b: Num): Array {
    const [A, B] = pair(a, b);
    const shape = broadcastShapes('ad', c.shape, A.shape);
    return node('where', [broadcastTo(c, shape), broadcastTo(A, shape), broadcastTo(B, shape)], {});
  },
  /** Sum over `axes`, keeping them as size 1 (the primitive's form). */
  sum(a: Array, axes: readonly number[]): Array {
    return axes.length === 0 ? a : node('sum', [a], { axes: axes.slice() });
  },
  /** Sums `a` down to `shape` (the transpose of broadcasting `shape` to a's shape). */
  sumTo(a: Array, shape: readonly number[]): Array {
    if (shapeEqual(a.shape, shape)) return a;
    const lead = a.ndim - shape.length;
    const axes: number[] = [];
    for (let i = 0; i < a.ndim; i++) if (i < lead || (shape[i - lead] === 1 && a.shape[i] !== 1)) axes.push(i);
    return reshape(ad.sum(a, axes), shape);
  },
  scan(prim: Scan, a: Array, p: ScanParams): Array {
    return node(prim, [a], { axis: p.axis, reverse: p.reverse, inclusive: p.inclusive });
  },
  slice(a: Array, start: readonly number[], step: readonly number[], shape: readonly number[]): Array {
    if (shapeEqual(a.shape, shape) && step.every((s) => s === 1)) return a;
    return node('slice', [a], { start: start.slice(), step: step.slice(), shape: shape.slice() });
  },
  /** a[lo:hi] along one axis. */
  sliceAxis(a: Array, axis: number, lo: number, hi: number): Array {
    const start = a.shape.map((_, i) => (i === axis ? lo : 0));
    const shape = a.shape.map((d, i) => (i === axis ? hi - lo : d));
    return ad.slice(
      a,
      start,
      a.shape.map(() => 1),
      shape,
    );
  },
  /** a reversed along one axis. */
  reverse(a: Array, axis: number): Array {
    const n = a.shape[axis]!;
    if (n <= 1) return a;
    const start = a.shape.map((_, i) => (i === axis ? n - 1 : 0));
    const step = a.shape.map((_, i) => (i === axis ? -1 : 1));
    return ad.slice(a, start, step, a.shape);
  },
  pad(a: Array, low: readonly number[], high: readonly number[], value = 0): Array {
    if (low.every((v) => v === 0) && high.every((v) => v === 0)) return a;
    return node('pad', [a], { low: low.slice(), high: high.slice(), value });
  },
  concatenate(xs: readonly Array[], axis: number): Array {
    return xs.length === 1 ? xs[0]! : node('concatenate', xs.slice(), { axis });
  },
  gather: (a: Array, idx: Array, axis: number) => node('gather', [a, idx], { axis }),
  gatherAxis: (a: Array, idx: Array, axis: number) => node('gatherAxis', [a, idx], { axis }),
  scatter: (a: Array, idx: Array, upd: Array, axis: number, mode: ScatterMode) => node('scatter', [a, idx, upd], { axis, mode }),
  scatterAxis: (a: Array, idx: Array, upd: Array, axis: number, mode: ScatterMode) => node('scatterAxis', [a, idx, upd], { axis, mode }),
  matmul: (a: Array, b: Array) => node('matmul', [a, b], {}),
  argsortNode: (a: Array, axis: number) => node('argsort', [a], { axis }),
  /** Swaps the last two axes. */
  mT(a: Array): Array {
    const perm = identityPerm(a.ndim);
    perm[a.ndim - 1] = a.ndim - 2;
    perm[a.ndim - 2] = a.ndim - 1;
    return transpose(a, perm);
  },
  /** 0, 1, ..., n-1 along `axis`, broadcast to `shape`. */
  iotaAlong(shape: readonly number[], axis: number, dtype: Dtype = int32): Array {
    const n = shape[axis]!;
    const r = node('arange', [], { start: 0, step: 1, n, dtype });
    return broadcastTo(
      reshape(
        r,
        shape.map((d, i) => (i === axis ? n : 1)),
      ),
      shape,
    );
  },
  /** Sum of a list of optional terms; zeros of `like` when all are absent. */
  sumTerms(terms: readonly (Array | null)[], like: Array): Array {
    let acc: Array | null = null;
    for (const t of terms) if (t) acc = acc ? ad.add(acc, t) : t;
    return acc ?? zerosLike(like);
  },
};
