/** Sorting: sort, argsort, topk, partition, argpartition. */
import type { Array } from '../array.js';
import type { StreamOrDevice } from '../device.js';
import { moveAxisNode, multiNode, node } from '../graph.js';
import { describeValue } from '../describe.js';
import { normalizeAxis } from '../shape.js';
import { type ArrayInput, parseOpts, toArray } from './convert.js';

export interface SortOpts {
  /** The axis to sort along (default -1); null sorts the flattened array. */
  axis?: number | null;
  stream?: StreamOrDevice;
}

/** Resolves `axis` (default -1; null flattens) and returns the array to work on and the axis. */
function prepare(fn: string, x: ArrayInput, axis: number | null | undefined, stream: StreamOrDevice | null | undefined): [Array, number] {
  let a = toArray(fn, x);
  if (axis === null) {
    if (a.ndim !== 1) a = node('reshape', [a], { shape: [a.size] }, stream);
    return [a, 0];
  }
  if (axis === undefined) axis = -1;
  if (a.ndim === 0) throw new Error(`${fn}: axis ${axis} is out of bounds for an array of dimension 0`);
  return [a, normalizeAxis(fn, axis, a.ndim)];
}

/** Elements [start, start + n) of `a` along `axis`, as a view. */
function sliceAxis(a: Array, axis: number, start: number, n: number, stream: StreamOrDevice | null | undefined): Array {
  if (start === 0 && n === a.shape[axis]) return a;
  const starts = a.shape.map(() => 0);
  starts[axis] = n === 0 ? 0 : start;
  const shape = a.shape.slice();
  shape[axis] = n;
  return node('slice', [a], { start: starts, step: a.shape.map(() => 1), shape }, stream);
}

function checkK(fn: string, what: string, k: unknown): void {
  if (typeof k !== 'number' || !Number.isInteger(k)) throw new Error(`${fn}: expected ${what} to be an integer, got ${describeValue(k)}`);
}

type SortRest = [axis?: number | null | SortOpts, opts?: SortOpts];

/** Sorts along `axis` (default -1; null flattens), ascending, stable, NaN last. */
export function sort(a: ArrayInput, ...rest: SortRest): Array {
  const o = parseOpts('sort', rest, ['axis'] as const);
  const [x, axis] = prepare('sort', a, o.axis, o.stream);
  return node('sort', [x], { axis }, o.stream);
}

/** The indices (uint32) that sort `a` along `axis` (default -1; null flattens); stable. */
export function argsort(a: ArrayInput, ...rest: SortRest): Array {
  const o = parseOpts('argsort', rest, ['axis'] as const);
  const [x, axis] = prepare('argsort', a, o.axis, o.stream);
  return node('argsort', [x], { axis }, o.stream);
}

type KRest = [axis?: number | null | SortOpts, opts?: SortOpts];

/**
 * The `k` largest elements along `axis` (default -1; null flattens). MLX leaves their order
 * unspecified; mlx-ts returns them ascending (the last `k` of a sort).
 */
export function topk(a: ArrayInput, k: number, ...rest: KRest): Array {
  const fn = 'topk';
  const o = parseOpts(fn, rest, ['axis'] as const);
  const [x, axis] = prepare(fn, a, o.axis, o.stream);
  const n = x.shape[axis]!;
  checkK(fn, 'k', k);
  if (k < 0 || k > n) throw new Error(`${fn}: k must be in [0, ${n}] for an axis of size ${n}, got ${k}`);
  return sliceAxis(node('sort', [x], { axis }, o.stream), axis, n - k, k, o.stream);
}

/**
 * The `k` largest elements along `axis` (default -1; null flattens) and their indices, largest
 * first, in one pass (JAX's `lax.top_k`): `[values, indices]`, indices uint32. NaN counts as the
 * largest value; equal values come in index order.
 */
export function topkWithIndices(a: ArrayInput, k: number, ...rest: KRest): [Array, Array] {
  const fn = 'topkWithIndices';
  const o = parseOpts(fn, rest, ['axis'] as const);
  const [x, axis] = prepare(fn, a, o.axis, o.stream);
  const n = x.shape[axis]!;
  checkK(fn, 'k', k);
  if (k < 0 || k > n) throw new Error(`${fn}: k must be in [0, ${n}] for an axis of size ${n}, got ${k}`);
  const last = x.ndim - 1;
  const [values, indices] = multiNode('topk', [moveAxisNode(x, axis, last)], { k }, o.stream);
  return [moveAxisNode(values!, last, axis), moveAxisNode(indices!, last, axis)];
}

function kthIndex(fn: string, kth: number, n: number): number {
  checkK(fn, 'kth', kth);
  const k = kth < 0 ? kth + n : kth;
  if (k < 0 || k >= n) throw new Error(`${fn}: kth ${kth} is out of range for an axis of size ${n}`);
  return k;
}

/**
 * Rearranges `a` along `axis` (default -1; null flattens) so that the element at `kth` is where a
 * sort would put it, smaller ones before it and larger ones after. mlx-ts returns a full sort,
 * which satisfies this.
 */
export function partition(a: ArrayInput, kth: number, ...rest: KRest): Array {
  const fn = 'partition';
  const o = parseOpts(fn, rest, ['axis'] as const);
  const [x, axis] = prepare(fn, a, o.axis, o.stream);
  kthIndex(fn, kth, x.shape[axis]!);
  return node('sort', [x], { axis }, o.stream);
}

/** The indices (uint32) that partition `a` around `kth` along `axis` (default -1; null flattens); see `partition`. */
export function argpartition(a: ArrayInput, kth: number, ...rest: KRest): Array {
  const fn = 'argpartition';
  const o = parseOpts(fn, rest, ['axis'] as const);
  const [x, axis] = prepare(fn, a, o.axis, o.stream);
  kthIndex(fn, kth, x.shape[axis]!);
  return node('argsort', [x], { axis }, o.stream);
}
