/**
 * MLX's `gatherMm` (matrix products of matrices picked by index) and `blockMaskedMm` (a product
 * with blocks of the operands and of the output masked), as compositions of gather, where,
 * multiply and matmul, so every transform differentiates and batches them through their parts.
 */
import { Array } from '../array.js';
import type { StreamOrDevice } from '../device.js';
import { bool, type Dtype, int32, promoteTypes } from '../dtype.js';
import { node } from '../graph.js';
import { broadcastShapes, fmtShape, shapeEqual, shapeSize } from '../shape.js';
import { type ArrayInput, astype, broadcastArgs, type OptArgs, parseOpts, toArray } from './convert.js';
import { matmul } from './linalg.js';
import { integerArray } from './integer-args.js';

type Stream = StreamOrDevice | null | undefined;
const opt = (s: Stream) => (s == null ? undefined : { stream: s });

/** The shared start of both ops: 1-D operands made matrices, K checked, one floating dtype. */
function operands(fn: string, a: ArrayInput, b: ArrayInput, s: Stream): { x: Array; y: Array; aVec: boolean; bVec: boolean; dt: Dtype } {
  let x = toArray(fn, a);
  let y = toArray(fn, b);
  if (x.ndim === 0 || y.ndim === 0) {
    throw new Error(`${fn}: expected inputs of at least one dimension, got shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`);
  }
  const aVec = x.ndim === 1,
    bVec = y.ndim === 1;
  if (aVec) x = node('reshape', [x], { shape: [1, x.shape[0]!] }, s);
  if (bVec) y = node('reshape', [y], { shape: [y.shape[0]!, 1] }, s);
  if (x.shape[x.ndim - 1] !== y.shape[y.ndim - 2]) {
    throw new Error(
      `${fn}: the last axis of the first input (shape ${fmtShape(x.shape)}) must match the second to last of the second (shape ${fmtShape(y.shape)})`,
    );
  }
  const dt = promoteTypes(x.dtype, y.dtype);
  if (!dt.isFloating) {
    throw new Error(`${fn}: only real floating-point types are supported, got ${x.dtype.name} and ${y.dtype.name} (which promote to ${dt.name})`);
  }
  return { x: astype(x, dt, s), y: astype(y, dt, s), aVec, bVec, dt };
}

/** Drops the axes 1-D operands gained. */
function squeezeVectors(out: Array, aVec: boolean, bVec: boolean, s: Stream): Array {
  if (!aVec && !bVec) return out;
  const n = out.ndim;
  const shape = out.shape.filter((_, i) => !((aVec && i === n - 2) || (bVec && i === n - 1)));
  return node('reshape', [out], { shape }, s);
}

/** Options of {@link gatherMm}. */
export interface GatherMmOpts {
  /** Flat indices into the batch axes of `a` (default: every matrix in order). */
  lhsIndices?: ArrayInput | null;
  /** Flat indices into the batch axes of `b` (default: every matrix in order). */
  rhsIndices?: ArrayInput | null;
  /** A hint that the one index array given is sorted (MLX may run faster; the result is the same). */
  sortedIndices?: boolean;
  stream?: StreamOrDevice | null;
}

/** An index array of integers (MLX casts them to uint32), or the default: arange over the batch, shaped as it. */
function batchIndices(fn: string, slot: string, v: ArrayInput | null | undefined, m: Array, s: Stream): Array {
  const batch = m.shape.slice(0, -2);
  if (v == null) {
    const n = shapeSize(batch);
    return node('reshape', [node('arange', [], { start: 0, step: 1, n, dtype: int32 }, s)], { shape: batch }, s);
  }
  const idx = integerArray(fn, slot, v);
  const n = shapeSize(batch);
  if (!(v instanceof Array)) {
    for (const i of idx.toTypedArray()) {
      if (Number(i) < 0 || Number(i) >= n) throw new Error(`${fn}: ${slot} holds ${i}, outside the ${n} matrices of a batch of shape ${fmtShape(batch)}`);
    }
  }
  return idx;
}

/**
 * Matrix products of matrices picked by index (MLX's `gatherMm`): for `a` [...A, M, K] and `b`
 * [...B, K, N], `lhsIndices` and `rhsIndices` hold flat indices into A's and B's batch axes,
 * broadcast against each other to a shape I, and the result [...I, M, N] is at each i of I the
 * product a[lhsIndices[i]] @ b[rhsIndices[i]]. An omitted index array takes every matrix in
 * order; with neither it is `matmul(a, b)`. 1-D operands work as in matmul. Indices out of range
 * clamp (MLX leaves them undefined). Differentiable with respect to `a` and `b`.
 *
 * @example mx.gatherMm(experts_in, weights, null, expertIds) // one weight matrix per token
 */
export function gatherMm(
  a: ArrayInput,
  b: ArrayInput,
  ...args: OptArgs<[lhsIndices?: ArrayInput | null, rhsIndices?: ArrayInput | null, sortedIndices?: boolean], GatherMmOpts>
): Array {
  const fn = 'gatherMm';
  const o = parseOpts(fn, args, ['lhsIndices', 'rhsIndices', 'sortedIndices'], { lhsIndices: 'array', rhsIndices: 'array', sortedIndices: 'bool' });
  const s = o.stream;
  if (o.lhsIndices == null && o.rhsIndices == null) return matmul(toArray(fn, a), toArray(fn, b), opt(s));
  const { x, y, aVec, bVec } = operands(fn, a, b, s);
  const [li, ri] = broadcastArgs(fn, [batchIndices(fn, 'lhsIndices', o.lhsIndices, x, s), batchIndices(fn, 'rhsIndices', o.rhsIndices, y, s)], s);
  const [m, k, n] = [x.shape[x.ndim - 2]!, x.shape[x.ndim - 1]!, y.shape[y.ndim - 1]!];
  const pick = (mat: Array, idx: Array, rows: number, cols: number): Array => {
    const flat = node('reshape', [mat], { shape: [shapeSize(mat.shape.slice(0, -2)), rows, cols] }, s);
    return node('gather', [flat, idx], { axis: 0 }, s);
  };
  return squeezeVectors(matmul(pick(x, li!, m, k), pick(y, ri!, k, n), opt(s)), aVec, bVec, s);
}

/** Options of {@link blockMaskedMm}. */
export interface BlockMaskedMmOpts {
  /** The side of the square blocks the masks cover: 32 or 64 (default 64). */
  blockSize?: number;
  /** Mask of the output's blocks, [..., ceil(M / blockSize), ceil(N / blockSize)]. */
  maskOut?: ArrayInput | null;
  /** Mask of `a`'s blocks, [..., ceil(M / blockSize), ceil(K / blockSize)]. */
  maskLhs?: ArrayInput | null;
  /** Mask of `b`'s blocks, [..., ceil(K / blockSize), ceil(N / blockSize)]. */
  maskRhs?: ArrayInput | null;
  stream?: StreamOrDevice | null;
}

/**
 * Each entry of `mask` [..., ceil(rows / bs), ceil(cols / bs)] repeated over its bs x bs block,
 * cut to [..., rows, cols], then applied to `x`: a bool mask keeps or zeroes the block (a masked
 * block contributes 0 even when it holds inf or NaN), a floating one scales it.
 */
function applyBlockMask(x: Array, mask: Array, bs: number, s: Stream): Array {
  const [rows, cols] = [x.shape[x.ndim - 2]!, x.shape[x.ndim - 1]!];
  const lead = mask.shape.slice(0, -2);
  const [tr, tc] = [mask.shape[mask.ndim - 2]!, mask.shape[mask.ndim - 1]!];
  let m = node('reshape', [mask], { shape: [...lead, tr, 1, tc, 1] }, s);
  m = node('broadcastTo', [m], { shape: [...lead, tr, bs, tc, bs] }, s);
  m = node('reshape', [m], { shape: [...lead, tr * bs, tc * bs] }, s);
  if (tr * bs !== rows || tc * bs !== cols) {
    m = node('slice', [m], { start: m.shape.map(() => 0), step: m.shape.map(() => 1), shape: [...lead, rows, cols] }, s);
  }
  if (mask.dtype === bool) return node('where', [m, x, node('broadcastTo', [astype(0, x.dtype, s)], { shape: x.shape.slice() }, s)], {}, s);
  return node('multiply', [m, x], {}, s);
}

/**
 * A (batched) matrix product with blocks masked (MLX's `blockMaskedMm`): for `a` [..., M, K] and
 * `b` [..., K, N], `maskLhs` masks blocks of `a`, `maskRhs` blocks of `b` and `maskOut` blocks of
 * the product, each mask holding one entry per `blockSize` x `blockSize` block (the last block
 * of an axis may be partial), broadcast over the batch axes. A bool entry keeps or zeroes its
 * block; a floating one multiplies it. With no mask it is `matmul(a, b)`. Differentiable with
 * respect to `a`, `b` and floating masks.
 *
 * @example mx.blockMaskedMm(a, b, 32, mx.array([[true, false]])) // a: [32, K], b: [K, 64]
 */
export function blockMaskedMm(
  a: ArrayInput,
  b: ArrayInput,
  ...args: OptArgs<[blockSize?: number, maskOut?: ArrayInput | null, maskLhs?: ArrayInput | null, maskRhs?: ArrayInput | null], BlockMaskedMmOpts>
): Array {
  const fn = 'blockMaskedMm';
  const o = parseOpts(fn, args, ['blockSize', 'maskOut', 'maskLhs', 'maskRhs'], { blockSize: 'int', maskOut: 'array', maskLhs: 'array', maskRhs: 'array' });
  const s = o.stream;
  if (o.maskOut == null && o.maskLhs == null && o.maskRhs == null) return matmul(toArray(fn, a), toArray(fn, b), opt(s));
  const bs: number = o.blockSize ?? 64;
  if (bs !== 32 && bs !== 64) throw new Error(`${fn}: only block sizes 32 and 64 are supported, got ${bs}`);
  const ops = operands(fn, a, b, s);
  const { aVec, bVec, dt } = ops;
  let { x, y } = ops;
  const batch = broadcastShapes(fn, x.shape.slice(0, -2), y.shape.slice(0, -2));
  const [m, k, n] = [x.shape[x.ndim - 2]!, x.shape[x.ndim - 1]!, y.shape[y.ndim - 1]!];
  const fit = (t: Array, shape: number[]) => (shapeEqual(t.shape, shape) ? t : node('broadcastTo', [t], { shape }, s));
  x = fit(x, [...batch, m, k]);
  y = fit(y, [...batch, k, n]);
  const [tm, tn, tk] = [m, n, k].map((d) => Math.ceil(d / bs)) as [number, number, number];
  /** A mask as given (1-D operands' axes added), cast, and broadcast to [...batch, rows, cols] of blocks. */
  const prepare = (slot: string, v: ArrayInput, expand: number[], rows: number, cols: number, dtype: Dtype): Array => {
    let t = toArray(fn, v);
    if (expand.length > 0) {
      // expandDims with several negative axes: each counts from the end of the final shape.
      const shape = t.shape.slice();
      const final = shape.length + expand.length;
      for (const at of expand.map((ax) => ax + final).sort((p, q) => p - q)) shape.splice(at, 0, 1);
      t = node('reshape', [t], { shape }, s);
    }
    const want = [...batch, rows, cols];
    let ok = t.ndim <= want.length;
    for (let i = 1; ok && i <= t.ndim; i++) ok = t.shape[t.ndim - i] === 1 || t.shape[t.ndim - i] === want[want.length - i];
    if (!ok) throw new Error(`${fn}: ${slot} of shape ${fmtShape(t.shape)} does not broadcast to the ${fmtShape(want)} blocks of ${blockSizeText(bs)}`);
    return fit(astype(t, dtype, s), want);
  };
  if (o.maskLhs != null || o.maskRhs != null) {
    const lhs = o.maskLhs == null ? null : toArray(fn, o.maskLhs);
    const rhs = o.maskRhs == null ? null : toArray(fn, o.maskRhs);
    const maskDt = (lhs === null || lhs.dtype === bool) && (rhs === null || rhs.dtype === bool) ? bool : dt;
    if (lhs !== null) x = applyBlockMask(x, prepare('maskLhs', lhs, aVec ? [-2] : [], tm, tk, maskDt), bs, s);
    if (rhs !== null) y = applyBlockMask(y, prepare('maskRhs', rhs, bVec ? [-1] : [], tk, tn, maskDt), bs, s);
  }
  let out = node('matmul', [x, y], {}, s);
  if (o.maskOut != null) {
    const mo = toArray(fn, o.maskOut);
    const expand = [...(aVec ? [-2] : []), ...(bVec ? [-1] : [])];
    out = applyBlockMask(out, prepare('maskOut', mo, expand, tm, tn, mo.dtype === bool ? bool : dt), bs, s);
  }
  return squeezeVectors(out, aVec, bVec, s);
}

const blockSizeText = (bs: number) => `${bs} x ${bs}`;
