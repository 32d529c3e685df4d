/** Shape arithmetic shared by ops, rules and backends. Every check names the calling function. */
import { describeValue } from './describe.js';

export type Shape = readonly number[];

/** The number of elements of an array of this shape. */
export function shapeSize(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Whether two shapes are the same. */
export function shapeEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** A shape as text, `[2,3]`, for messages. */
export function fmtShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/** Row-major strides, in elements. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** Whether strides lay a shape out row-major contiguously (axes of length 1 may have any stride). */
export function isRowContiguous(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!;
    if (n === 1) continue;
    if (strides[d] !== expected) return false;
    expected *= n;
  }
  return true;
}

/** The shape NumPy's broadcasting gives `shapes`; an Error naming `fn` when they do not broadcast. */
export function broadcastShapes(fn: string, ...shapes: Shape[]): number[] {
  const ndim = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(ndim).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = ndim - s.length + i;
      const d = s[i]!;
      if (d === out[o]) continue;
      if (out[o] === 1) out[o] = d;
      else if (d !== 1) {
        throw new Error(`${fn}: shapes ${shapes.map(fmtShape).join(' and ')} cannot be broadcast together (${out[o]} != ${d} at axis ${o - ndim})`);
      }
    }
  }
  return out;
}

/**
 * The most elements an array may have: its byte count in the widest dtype (8 bytes) stays an
 * exact JS integer, so sizes and offsets never round. Larger shapes are refused when the op is
 * built, not when something tries to allocate them.
 */
export const MAX_ELEMENTS = 2 ** 50;

/** Checks that `shape` is a list of non-negative integers with at most `MAX_ELEMENTS` elements in all, and copies it. */
export function checkShape(fn: string, shape: unknown): number[] {
  if (!globalThis.Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new Error(`${fn}: expected a shape (an array of non-negative integers), got ${describeValue(shape)}`);
  }
  let n = 1;
  for (const d of shape as number[]) n *= d;
  if (n > MAX_ELEMENTS) throw new Error(`${fn}: shape ${fmtShape(shape as number[])} has ${n.toExponential(3)} elements; an array holds at most 2^50`);
  return shape.slice();
}

/** An axis in [-ndim, ndim) as a non-negative one; an Error naming `fn` when it is out of bounds or not an integer. */
export function normalizeAxis(fn: string, axis: number, ndim: number): number {
  if (!Number.isInteger(axis)) throw new Error(`${fn}: an axis must be an integer, got ${describeValue(axis)}`);
  if (axis < -ndim || axis >= ndim) {
    throw new Error(`${fn}: axis ${axis} is out of bounds for an array of dimension ${ndim}`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/** Normalizes, sorts, and rejects repeats. `undefined` means all axes. */
export function normalizeAxes(fn: string, axis: number | readonly number[] | undefined | null, ndim: number): number[] {
  if (axis === undefined || axis === null) return [...Array(ndim).keys()];
  const list = typeof axis === 'number' ? [axis] : [...axis];
  const out = list.map((a) => normalizeAxis(fn, a, ndim)).sort((x, y) => x - y);
  for (let i = 1; i < out.length; i++) {
    if (out[i] === out[i - 1]) throw new Error(`${fn}: repeated axis ${out[i]} in ${describeValue(list)}`);
  }
  return out;
}

/** A permutation is valid when it names every axis once. */
export function checkPermutation(fn: string, perm: readonly number[], ndim: number): number[] {
  if (perm.length !== ndim) {
    throw new Error(`${fn}: axes ${describeValue(perm)} do not match an array of dimension ${ndim}`);
  }
  const out = perm.map((a) => normalizeAxis(fn, a, ndim));
  if (new Set(out).size !== ndim) throw new Error(`${fn}: repeated axis in ${describeValue(perm)}`);
  return out;
}

/** The identity permutation of n axes: 0, 1, ..., n-1. */
export function identityPerm(n: number): number[] {
  return [...globalThis.Array(n).keys()];
}

/** The inverse permutation: `invertPerm(p)[p[i]] === i`. */
export function invertPerm(perm: readonly number[]): number[] {
  const inv: number[] = new globalThis.Array(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}
