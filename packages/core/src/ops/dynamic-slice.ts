/**
 * MLX's dynamic slices: `slice(a, startIndices, axes, sliceSize)` and `sliceUpdate(src, update,
 * startIndices, axes)`, whose start is an array (computed, so a compiled or traced function can
 * move the window without retracing). Compositions of gather and where, so they differentiate
 * (with respect to the arrays, not the start) and batch through their parts.
 *
 * A start too large for the window is clamped so the window fits (JAX's `dynamic_slice`; MLX
 * leaves it undefined), and a negative one to 0. A start given as JS numbers is checked instead:
 * out of range is an Error.
 */
import { Array } from '../array.js';
import { describeValue } from '../describe.js';
import type { StreamOrDevice } from '../device.js';
import { int32 } from '../dtype.js';
import { node } from '../graph.js';
import { fmtShape } from '../shape.js';
import { array, type ArrayInput, astype, toArray, parseOpts } from './convert.js';
import { integerArray } from './integer-args.js';

type Stream = StreamOrDevice | null | undefined;

/** MLX's checks of the start and axes (normalize_dynamic_slice_inputs): the axes come back non-negative. */
function startAndAxes(fn: string, ndim: number, startIndices: ArrayInput, axes: readonly number[]): { start: Array; axes: number[]; fixed: number[] | null } {
  if (!globalThis.Array.isArray(axes) || !axes.every((ax) => Number.isInteger(ax))) {
    throw new Error(`${fn}: expected axes to be a list of integers, got ${describeValue(axes)}`);
  }
  const start = integerArray(fn, 'the starting indices', startIndices);
  if (start.size > ndim) throw new Error(`${fn}: ${start.size} starting positions for an array of dimension ${ndim}`);
  if (start.ndim > 1) throw new Error(`${fn}: the starting indices must be 0- or 1-dimensional, got shape ${fmtShape(start.shape)}`);
  if (start.size !== axes.length) throw new Error(`${fn}: ${start.size} starting indices for ${axes.length} axes (${describeValue(axes)})`);
  const norm = axes.map((ax) => {
    const a = ax < 0 ? ax + ndim : ax;
    if (a < 0 || a >= ndim) throw new Error(`${fn}: axis ${ax} is out of range for an array of dimension ${ndim}`);
    return a;
  });
  if (new Set(norm).size !== norm.length) throw new Error(`${fn}: repeated axes are not allowed, got ${describeValue(axes)}`);
  const fixed = startIndices instanceof Array ? null : [...start.toTypedArray()].map(Number);
  return { start: start.ndim === 0 ? node('reshape', [start], { shape: [1] }) : start, axes: norm, fixed };
}

/** The start along the k-th listed axis as a 0-d int32, clamped to [0, dim - size]. */
function startAt(start: Array, k: number, dim: number, size: number, s: Stream): Array {
  const v = node('reshape', [node('slice', [start], { start: [k], step: [1], shape: [1] }, s)], { shape: [] }, s);
  const i = astype(v, int32, s);
  return node('minimum', [node('maximum', [i, array(0, int32)], {}, s), array(dim - size, int32)], {}, s);
}

/** Positions first + 0..n-1 along an axis of an ndim array, as an int32 vector. */
function positions(first: Array, n: number, s: Stream): Array {
  const r = node('arange', [], { start: 0, step: 1, n, dtype: int32 }, s);
  return node('add', [r, node('broadcastTo', [first], { shape: [n] }, s)], {}, s);
}

function checkFixed(fn: string, fixed: number[] | null, axes: readonly number[], dims: readonly number[], sizes: readonly number[], what: string): void {
  if (fixed === null) return;
  fixed.forEach((v, k) => {
    const ax = axes[k]!;
    if (v < 0 || v + sizes[ax]! > dims[ax]!) {
      throw new Error(`${fn}: start ${v} on axis ${ax} puts ${what} of size ${sizes[ax]} outside [0, ${dims[ax]})`);
    }
  });
}

/**
 * The sub-array of `a` of shape `sliceSize` starting at `startIndices` along `axes` and at 0
 * along the others (MLX's `mx.slice`, a slice whose start is an array). The window is clamped
 * to fit inside `a` when the start is an array; JS numbers out of range are an Error.
 *
 * @example mx.slice(mx.array([[1, 2, 3], [4, 5, 6]]), mx.array([1]), [1], [2, 2]) // [[2, 3], [5, 6]]
 */
export function slice(
  a: ArrayInput,
  startIndices: ArrayInput,
  axes: readonly number[],
  sliceSize: readonly number[],
  opts?: { stream?: StreamOrDevice | null },
): Array {
  const fn = 'slice';
  const s = parseOpts(fn, [opts], []).stream;
  const x = toArray(fn, a);
  const { start, axes: ax, fixed } = startAndAxes(fn, x.ndim, startIndices, axes);
  if (!globalThis.Array.isArray(sliceSize) || sliceSize.length !== x.ndim || !sliceSize.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new Error(
      `${fn}: expected sliceSize to be ${x.ndim} non-negative integers (one per axis of shape ${fmtShape(x.shape)}), got ${describeValue(sliceSize)}`,
    );
  }
  sliceSize.forEach((d, i) => {
    if (d > x.shape[i]!) throw new Error(`${fn}: slice size ${fmtShape(sliceSize)} is larger than the array's shape ${fmtShape(x.shape)}`);
  });
  checkFixed(fn, fixed, ax, x.shape, sliceSize, 'a slice');
  // The axes with a fixed start of 0 are one static slice; then one gather per dynamic axis.
  let out = node(
    'slice',
    [x],
    { start: x.shape.map(() => 0), step: x.shape.map(() => 1), shape: x.shape.map((d, i) => (ax.includes(i) ? d : sliceSize[i]!)) },
    s,
  );
  ax.forEach((axis, k) => {
    const size = sliceSize[axis]!;
    if (size === x.shape[axis]) return;
    out = node('gather', [out, positions(startAt(start, k, x.shape[axis]!, size, s), size, s)], { axis }, s);
  });
  return out;
}

/**
 * `src` with `update` written at `startIndices` along `axes` (and from 0 along the others), MLX's
 * `sliceUpdate` with an array start. `update` is cast to `src`'s dtype; with fewer dimensions it
 * counts from the last axis (the leading axes of `src` among `axes` take a window of 1), and each
 * of its axes broadcasts or fits inside `src`'s. The window is clamped to fit when the start is an
 * array; JS numbers out of range are an Error. Differentiable with respect to `src` and `update`.
 *
 * @example mx.sliceUpdate(mx.zeros([3, 3]), mx.ones([1, 2]), mx.array([1, 1]), [0, 1]) // row 1, columns 1..2 set
 */
export function sliceUpdate(
  src: ArrayInput,
  update: ArrayInput,
  startIndices: ArrayInput,
  axes: readonly number[],
  opts?: { stream?: StreamOrDevice | null },
): Array {
  const fn = 'sliceUpdate';
  const s = parseOpts(fn, [opts], []).stream;
  const x = toArray(fn, src);
  const u0 = toArray(fn, update);
  const { start, axes: ax, fixed } = startAndAxes(fn, x.ndim, startIndices, axes);
  if (u0.ndim > x.ndim) throw new Error(`${fn}: an update of shape ${fmtShape(u0.shape)} has more dimensions than the array of shape ${fmtShape(x.shape)}`);
  // MLX's window: the update's shape right-aligned, capped by src's, a window of 1 on missing leading axes among `axes`.
  const lead = x.ndim - u0.ndim;
  const win = x.shape.map((d, i) => (i < lead ? (ax.includes(i) ? 1 : d) : Math.min(u0.shape[i - lead]!, d)));
  u0.shape.forEach((d, j) => {
    const w = win[j + lead]!;
    if (d !== w && d !== 1)
      throw new Error(
        `${fn}: an update of shape ${fmtShape(u0.shape)} does not fit the array of shape ${fmtShape(x.shape)} (axis ${j + lead}: ${d} > ${x.shape[j + lead]})`,
      );
  });
  checkFixed(fn, fixed, ax, x.shape, win, 'an update');
  const u = node(
    'broadcastTo',
    [node('reshape', [astype(u0, x.dtype, s)], { shape: [...new globalThis.Array<number>(lead).fill(1), ...u0.shape] }, s)],
    { shape: win },
    s,
  );
  if (win.some((d) => d === 0)) return x;
  // For each axis: r = i - start (the update's index at src's index i), kept where 0 <= r < window.
  let placed = u;
  let keep: Array | null = null;
  const vec = (v: number, n: number) => node('broadcastTo', [array(v, int32)], { shape: [n] }, s);
  for (let axis = 0; axis < x.ndim; axis++) {
    const dim = x.shape[axis]!;
    const k = ax.indexOf(axis);
    const w = win[axis]!;
    if (k < 0 && w === dim) continue;
    const first = k < 0 ? array(0, int32) : startAt(start, k, dim, w, s);
    const r = positions(node('negative', [first], {}, s), dim, s);
    const valid = node('logicalAnd', [node('greaterEqual', [r, vec(0, dim)], {}, s), node('less', [r, vec(w, dim)], {}, s)], {}, s);
    const clamped = node('minimum', [node('maximum', [r, vec(0, dim)], {}, s), vec(w - 1, dim)], {}, s);
    placed = node('gather', [placed, clamped], { axis }, s);
    const along = node('broadcastTo', [node('reshape', [valid], { shape: x.shape.map((d, i) => (i === axis ? d : 1)) }, s)], { shape: x.shape.slice() }, s);
    keep = keep === null ? along : node('logicalAnd', [keep, along], {}, s);
  }
  if (keep === null) return placed;
  return node('where', [keep, placed, x], {}, s);
}
