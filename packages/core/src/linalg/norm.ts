/** mx.linalg's norm and cross: compositions of elementwise ops, reductions and (for the spectral norms) the SVD. */
import type { Array } from '../array.js';
import type { StreamOrDevice } from '../device.js';
import { type Dtype, float32, float64 } from '../dtype.js';
import { describeValue } from '../describe.js';
import { multiNode } from '../graph.js';
import { broadcastShapes, fmtShape, normalizeAxis } from '../shape.js';
import { type ArrayInput, astype, broadcastTo, matchesKind, type OptArgs, parseOpts, promoteArgs, toArray } from '../ops/convert.js';
import { zerosLike } from '../ops/creation.js';
import { abs, multiply, negative, notEqual, power, sqrt, square, subtract } from '../ops/elementwise.js';
import { max, min, sum } from '../ops/reduction.js';
import { concatenate, expandDims, moveaxis, reshape, split } from '../ops/shape.js';
import type { LinalgOpts } from './decompositions.js';

type Stream = StreamOrDevice | null | undefined;
/** A norm's order: a number (including ±Infinity) or 'fro'/'f'/'nuc' (MLX's `ord`). */
export type NormOrd = number | 'fro' | 'f' | 'nuc';

const ordKind = {
  what: "a number or one of 'fro', 'f', 'nuc'",
  test: (v: unknown) => (typeof v === 'number' && !Number.isNaN(v)) || v === 'fro' || v === 'f' || v === 'nuc',
};
const axisKind = { what: 'an integer or a list of integers', test: (v: unknown) => Number.isInteger(v) || matchesKind('ints', v) };

const atLeastFloat = (d: Dtype): Dtype => (d.isFloating ? d : float32);

function l2(x: Array, axes: number[], keepdims: boolean, s: Stream): Array {
  return sqrt(sum(square(x, { stream: s ?? undefined }), { axis: axes, keepdims, stream: s ?? undefined }), { stream: s ?? undefined });
}

function vectorNorm(x: Array, ord: number, axes: number[], keepdims: boolean, s: Stream): Array {
  const so = { stream: s ?? undefined };
  const r = { axis: axes, keepdims, stream: s ?? undefined };
  const dt = atLeastFloat(x.dtype);
  if (ord === 0) return astype(sum(notEqual(x, 0, so), r), dt, s);
  if (ord === 1) return astype(sum(abs(x, so), r), dt, s);
  if (ord === 2) return l2(x, axes, keepdims, s);
  if (ord === Infinity) return astype(max(abs(x, so), r), dt, s);
  if (ord === -Infinity) return astype(min(abs(x, so), r), dt, s);
  return power(sum(power(abs(x, so), toArray('linalg.norm', ord, dt), so), r), toArray('linalg.norm', 1 / ord, dt), so);
}

/** The singular values of the (row, col) matrices, batched over the other axes. */
function singularValues(fn: string, x: Array, row: number, col: number, s: Stream): Array {
  if (x.dtype !== float32 && x.dtype !== float64) {
    throw new Error(`${fn}: the spectral and nuclear norms need a float32 or float64 array, got ${x.dtype.name} (cast with astype first)`);
  }
  const so = { stream: s ?? undefined };
  const m = row > col ? moveaxis(moveaxis(x, row, -1, so), col, -1, so) : moveaxis(moveaxis(x, col, -1, so), row, -2, so);
  return multiNode('svd', [m], {}, s)[1]!;
}

function matrixNorm(fn: string, x: Array, ord: NormOrd, axes: number[], keepdims: boolean, s: Stream): Array {
  const so = { stream: s ?? undefined };
  const dt = atLeastFloat(x.dtype);
  let row = normalizeAxis(fn, axes[0]!, x.ndim);
  let col = normalizeAxis(fn, axes[1]!, x.ndim);
  if (row === col) throw new Error(`${fn}: the two axes must differ, got ${describeValue(axes)}`);
  const spectral = (reduce: (v: Array) => Array): Array => {
    let v = reduce(singularValues(fn, x, row, col, s));
    if (keepdims) v = expandDims(v, [Math.min(row, col), Math.max(row, col)], so);
    return astype(v, dt, s);
  };
  // The first reduction drops its axis unless keepdims, which shifts the second's index.
  const colSums = (pick: typeof max) => {
    if (!keepdims && col > row) col -= 1;
    return astype(pick(sum(abs(x, so), { axis: row, keepdims, stream: s ?? undefined }), { axis: col, keepdims, stream: s ?? undefined }), dt, s);
  };
  const rowSums = (pick: typeof max) => {
    if (!keepdims && row > col) row -= 1;
    return astype(pick(sum(abs(x, so), { axis: col, keepdims, stream: s ?? undefined }), { axis: row, keepdims, stream: s ?? undefined }), dt, s);
  };
  if (ord === 'fro' || ord === 'f') return l2(x, [row, col], keepdims, s);
  if (ord === 'nuc') return spectral((v) => sum(v, { axis: -1, stream: s ?? undefined }));
  if (ord === 1) return colSums(max);
  if (ord === -1) return colSums(min);
  if (ord === Infinity) return rowSums(max);
  if (ord === -Infinity) return rowSums(min);
  if (ord === 2) return spectral((v) => max(v, { axis: -1, stream: s ?? undefined }));
  if (ord === -2) return spectral((v) => min(v, { axis: -1, stream: s ?? undefined }));
  throw new Error(`${fn}: ord ${String(ord)} is not a matrix norm (expected 'fro', 'f', 'nuc', 1, -1, 2, -2, Infinity or -Infinity)`);
}

/**
 * MLX's `linalg.norm(a, ord=null, axis=null, keepdims=false)`. With `ord` null: the 2-norm over
 * `axis` (one axis, or the Frobenius norm over two; every axis, flattened, when `axis` is null).
 * Otherwise a vector norm over one axis (`ord` 0: the count of nonzeros, ±Infinity: max/min of
 * |a|, p: (Σ|a|^p)^(1/p)) or a matrix norm over two ('fro'/'f', 'nuc': the sum of the singular
 * values, 1/-1: max/min column sum of |a|, Infinity/-Infinity: max/min row sum, 2/-2: the
 * largest/smallest singular value); with `axis` null, `a` must then be 1-D or 2-D. Integer inputs
 * give float32.
 */
export function norm(
  a: ArrayInput,
  ...args: OptArgs<
    [ord?: NormOrd | null, axis?: number | readonly number[] | null, keepdims?: boolean],
    LinalgOpts & { ord?: NormOrd | null; axis?: number | readonly number[] | null; keepdims?: boolean }
  >
): Array {
  const fn = 'linalg.norm';
  const o = parseOpts(fn, args, ['ord', 'axis', 'keepdims'], { ord: ordKind, axis: axisKind });
  const x = toArray(fn, a);
  const s: Stream = o.stream;
  const keepdims: boolean = o.keepdims ?? false;
  const ord: NormOrd | null = o.ord ?? null;
  const given: number[] | null = o.axis == null ? null : typeof o.axis === 'number' ? [o.axis] : [...(o.axis as number[])];
  if (ord === null) {
    if (given === null) {
      const out = l2(reshape(x, [x.size], { stream: s ?? undefined }), [0], keepdims, s);
      return keepdims
        ? reshape(
            out,
            x.shape.map(() => 1),
            { stream: s ?? undefined },
          )
        : out;
    }
    if (given.length > 2) throw new Error(`${fn}: expected one or two axes, got ${describeValue(given)}`);
    return l2(x, given, keepdims, s);
  }
  const axes = given ?? [...globalThis.Array(x.ndim).keys()];
  if (typeof ord === 'string') {
    if (axes.length !== 2) throw new Error(`${fn}: ord '${ord}' is a matrix norm and needs two axes, got ${axes.length} (shape ${fmtShape(x.shape)})`);
    return matrixNorm(fn, x, ord, axes, keepdims, s);
  }
  if (axes.length === 1) return vectorNorm(x, ord, [normalizeAxis(fn, axes[0]!, x.ndim)], keepdims, s);
  if (axes.length === 2) return matrixNorm(fn, x, ord, axes, keepdims, s);
  throw new Error(`${fn}: a norm with ord ${String(ord)} needs one or two axes, got ${axes.length} (shape ${fmtShape(x.shape)}; pass axis)`);
}

/**
 * MLX's `linalg.cross(a, b, axis=-1)`: the cross product of 3-vectors (or 2-vectors, taken with a
 * zero third component) along `axis`; the other axes broadcast. The result has 3 entries there.
 */
export function cross(a: ArrayInput, b: ArrayInput, ...args: OptArgs<[axis?: number], LinalgOpts & { axis?: number }>): Array {
  const fn = 'linalg.cross';
  const o = parseOpts(fn, args, ['axis']);
  const s: Stream = o.stream;
  const so = { stream: s ?? undefined };
  const axis: number = o.axis ?? -1;
  const x0 = toArray(fn, a);
  const y0 = toArray(fn, b);
  for (const v of [x0, y0]) {
    const ax = normalizeAxis(fn, axis, v.ndim);
    if (v.shape[ax]! < 2 || v.shape[ax]! > 3) throw new Error(`${fn}: the axis must have size 2 or 3, got shape ${fmtShape(v.shape)} at axis ${axis}`);
  }
  const [x, y] = promoteArgs(fn, [x0, y0], s) as [Array, Array];
  const with3 = (v: Array) => v.shape.map((d, i) => (i === normalizeAxis(fn, axis, v.ndim) ? 3 : d));
  const shape = broadcastShapes(fn, with3(x), with3(y));
  const ax = normalizeAxis(fn, axis, shape.length);
  const parts = (v: Array) => {
    const n = v.shape[normalizeAxis(fn, axis, v.ndim)]!;
    return split(
      broadcastTo(
        v,
        shape.map((d, i) => (i === ax ? n : d)),
        s,
      ),
      n,
      { axis: ax, stream: s ?? undefined },
    );
  };
  const [a0, a1, a2] = parts(x);
  const [b0, b1, b2] = parts(y);
  const mul = (p: Array, q: Array) => multiply(p, q, so);
  const z = subtract(mul(a0!, b1!), mul(a1!, b0!), so);
  let c0: Array, c1: Array;
  if (!a2 && !b2) c0 = c1 = zerosLike(z, so);
  else if (!b2) [c0, c1] = [negative(mul(a2!, b1!), so), mul(a2!, b0!)];
  else if (!a2) [c0, c1] = [mul(a1!, b2), negative(mul(a0!, b2), so)];
  else [c0, c1] = [subtract(mul(a1!, b2), mul(a2, b1!), so), subtract(mul(a2, b0!), mul(a0!, b2), so)];
  return concatenate([c0, c1, z], ax, so);
}
