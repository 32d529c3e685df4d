/**
 * Matrix products. `matmul` follows NumPy's rules (1-D operands promoted and the added axis
 * removed, batch axes broadcast); the primitive itself sees [...B, M, K] x [...B, K, N] of one
 * floating dtype with equal batch axes.
 */
import { Array } from '../array.js';
import { describeValue } from '../describe.js';
import type { StreamOpt, StreamOrDevice } from '../device.js';
import { int32, promoteTypes, toDtype } from '../dtype.js';
import { reshapeNode as reshapeTo, node } from '../graph.js';
import { broadcastShapes, checkShape, fmtShape, normalizeAxis, shapeSize } from '../shape.js';
import { type ArrayInput, astype, broadcastTo, type DtypeLike, matchesKind, type OptArgs, parseOpts, promoteArgs, toArray } from './convert.js';
import { multiply } from './elementwise.js';
import { sum } from './reduction.js';

type Stream = StreamOrDevice | null | undefined;

function matmulImpl(fn: string, a: ArrayInput, b: ArrayInput, s: Stream): Array {
  let x = toArray(fn, a);
  let y = toArray(fn, b);
  if (x.ndim === 0 || y.ndim === 0) {
    throw new Error(`${fn}: expected arrays of at least one dimension, got shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`);
  }
  const dt = promoteTypes(x.dtype, y.dtype);
  if (!dt.isInexact) {
    throw new Error(`${fn}: only floating-point and complex64 arrays are supported, got ${x.dtype.name} and ${y.dtype.name} (cast with astype first)`);
  }
  const shapeA = x.shape;
  const shapeB = y.shape;
  const k1 = shapeA[shapeA.length - 1]!;
  const k2 = y.ndim === 1 ? shapeB[0]! : shapeB[shapeB.length - 2]!;
  if (k1 !== k2) throw new Error(`${fn}: shapes ${fmtShape(shapeA)} and ${fmtShape(shapeB)} are incompatible: ${k1} != ${k2}`);
  x = astype(x, dt, s);
  y = astype(y, dt, s);
  const aVec = x.ndim === 1;
  const bVec = y.ndim === 1;
  if (aVec) x = reshapeTo(x, [1, k1], s);
  if (bVec) y = reshapeTo(y, [k2, 1], s);
  const batch = broadcastShapes(fn, x.shape.slice(0, -2), y.shape.slice(0, -2));
  const [m, n] = [x.shape[x.ndim - 2]!, y.shape[y.ndim - 1]!];
  x = broadcastTo(x, [...batch, m, k1], s);
  y = broadcastTo(y, [...batch, k1, n], s);
  let out = node('matmul', [x, y], {}, s);
  if (aVec || bVec) out = reshapeTo(out, [...batch, ...(aVec ? [] : [m]), ...(bVec ? [] : [n])], s);
  return out;
}

/** Matrix product with NumPy's rules for 1-D operands and batch broadcasting; floating dtypes only (as MLX). */
export function matmul(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  return matmulImpl('matmul', a, b, parseOpts('matmul', [opts], []).stream);
}

/** Inner product over the last axes (scalar operands multiply). */
export function inner(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  const fn = 'inner';
  const s = parseOpts(fn, [opts], []).stream;
  const x = toArray(fn, a);
  const y = toArray(fn, b);
  if (x.ndim === 0 || y.ndim === 0) return multiply(x, y, { stream: s ?? undefined });
  const k1 = x.shape[x.ndim - 1]!;
  const k2 = y.shape[y.ndim - 1]!;
  if (k1 !== k2) throw new Error(`${fn}: shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)} are incompatible: last axes ${k1} != ${k2}`);
  return tensordotImpl(fn, x, y, [x.ndim - 1], [y.ndim - 1], s);
}

/** Outer product of the flattened inputs: [a.size, b.size] (integers allowed, as a multiply). */
export function outer(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  const fn = 'outer';
  const s = parseOpts(fn, [opts], []).stream;
  const [x, y] = promoteArgs(fn, [a, b], s) as [Array, Array];
  return multiply(reshapeTo(x, [x.size, 1], s), reshapeTo(y, [y.size], s), { stream: s ?? undefined });
}

function tensordotImpl(fn: string, x: Array, y: Array, axesA: number[], axesB: number[], s: Stream): Array {
  if (axesA.length !== axesB.length) throw new Error(`${fn}: the axes lists must have the same length, got ${axesA.length} and ${axesB.length}`);
  const ax = axesA.map((i) => normalizeAxis(fn, i, x.ndim));
  const bx = axesB.map((i) => normalizeAxis(fn, i, y.ndim));
  if (new Set(ax).size !== ax.length || new Set(bx).size !== bx.length)
    throw new Error(`${fn}: repeated axis in ${describeValue(axesA)} or ${describeValue(axesB)}`);
  ax.forEach((i, k) => {
    if (x.shape[i] !== y.shape[bx[k]!]) {
      throw new Error(
        `${fn}: shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)} are incompatible: axis ${i} (${x.shape[i]}) != axis ${bx[k]} (${y.shape[bx[k]!]})`,
      );
    }
  });
  const freeA = [...globalThis.Array(x.ndim).keys()].filter((i) => !ax.includes(i));
  const freeB = [...globalThis.Array(y.ndim).keys()].filter((i) => !bx.includes(i));
  const kk = shapeSize(ax.map((i) => x.shape[i]!));
  const ms = freeA.map((i) => x.shape[i]!);
  const ns = freeB.map((i) => y.shape[i]!);
  const permA = [...freeA, ...ax];
  const permB = [...bx, ...freeB];
  const ta = permA.every((p, i) => p === i) ? x : node('transpose', [x], { perm: permA }, s);
  const tb = permB.every((p, i) => p === i) ? y : node('transpose', [y], { perm: permB }, s);
  const prod = matmulImpl(fn, reshapeTo(ta, [shapeSize(ms), kk], s), reshapeTo(tb, [kk, shapeSize(ns)], s), s);
  return reshapeTo(prod, [...ms, ...ns], s);
}

const tensordotAxes = {
  what: 'an integer or [axesA, axesB] (each an integer or a list of integers)',
  test: (v: unknown) => Number.isInteger(v) || (globalThis.Array.isArray(v) && v.length === 2 && v.every((e) => matchesKind('ints', e))),
};

/**
 * `tensordot(a, b, axes=2)`: sums over the last `axes` axes of a and the first of b, or over the
 * axes listed as `[axesA, axesB]`. Floating dtypes only, like matmul.
 */
export function tensordot(
  a: ArrayInput,
  b: ArrayInput,
  ...args: OptArgs<
    [axes?: number | readonly [number | readonly number[], number | readonly number[]]],
    { axes?: number | readonly [number | readonly number[], number | readonly number[]]; stream?: StreamOrDevice | null }
  >
): Array {
  const fn = 'tensordot';
  const o = parseOpts(fn, args, ['axes'], { axes: tensordotAxes });
  const x = toArray(fn, a);
  const y = toArray(fn, b);
  const axes = o.axes ?? 2;
  let axesA: number[];
  let axesB: number[];
  if (typeof axes === 'number') {
    if (axes < 0 || axes > x.ndim || axes > y.ndim) {
      throw new Error(`${fn}: axes=${axes} needs a non-negative integer no larger than both dimensions (${x.ndim}, ${y.ndim})`);
    }
    axesA = [...globalThis.Array(axes).keys()].map((i) => x.ndim - axes + i);
    axesB = [...globalThis.Array(axes).keys()];
  } else {
    const list = (v: number | readonly number[]): number[] => (typeof v === 'number' ? [v] : v.slice());
    axesA = list(axes[0]);
    axesB = list(axes[1]);
  }
  return tensordotImpl(fn, x, y, axesA, axesB, o.stream);
}

/** `addmm(c, a, b, alpha=1, beta=1)`: `beta * c + alpha * (a @ b)`. */
export function addmm(
  c: ArrayInput,
  a: ArrayInput,
  b: ArrayInput,
  ...args: OptArgs<[alpha?: number, beta?: number], { alpha?: number; beta?: number; stream?: StreamOrDevice | null }>
): Array {
  const fn = 'addmm';
  const o = parseOpts(fn, args, ['alpha', 'beta']);
  const s = o.stream;
  const so = { stream: s ?? undefined };
  const alpha: number = o.alpha ?? 1;
  const beta: number = o.beta ?? 1;
  let p = matmulImpl(fn, a, b, s);
  if (alpha !== 1) p = multiply(p, alpha, so);
  let cc = toArray(fn, c);
  if (beta !== 1) cc = multiply(cc, beta, so);
  const [x, y] = promoteArgs(fn, [cc, p], s) as [Array, Array];
  const shape = broadcastShapes(fn, x.shape, y.shape);
  return node('add', [broadcastTo(x, shape, s), broadcastTo(y, shape, s)], {}, s);
}

export interface DiagonalOpts {
  offset?: number;
  axis1?: number;
  axis2?: number;
  stream?: StreamOrDevice | null;
}

function diagonalImpl(fn: string, x: Array, offset: number, axis1: number, axis2: number, s: Stream): Array {
  if (x.ndim < 2) throw new Error(`${fn}: expected an array of at least 2 dimensions, got shape ${fmtShape(x.shape)}`);
  const a1 = normalizeAxis(fn, axis1, x.ndim);
  const a2 = normalizeAxis(fn, axis2, x.ndim);
  if (a1 === a2) throw new Error(`${fn}: axis1 and axis2 cannot be the same axis (${a1})`);
  const others = [...globalThis.Array(x.ndim).keys()].filter((i) => i !== a1 && i !== a2);
  const perm = [...others, a1, a2];
  const t = perm.every((p, i) => p === i) ? x : node('transpose', [x], { perm }, s);
  const batch = others.map((i) => x.shape[i]!);
  const n = x.shape[a1]!;
  const m = x.shape[a2]!;
  const len = Math.max(0, offset >= 0 ? Math.min(n, m - offset) : Math.min(n + offset, m));
  if (len === 0) return broadcastTo(astype(toArray(fn, 0), x.dtype, s), [...batch, 0], s);
  const flat = reshapeTo(t, [...batch, n * m], s);
  const start = offset >= 0 ? offset : -offset * m;
  const step = m + 1;
  return node('slice', [flat], { start: [...batch.map(() => 0), start], step: [...batch.map(() => 1), step], shape: [...batch, len] }, s);
}

/** `diagonal(a, offset=0, axis1=0, axis2=1)`: the diagonal of the (axis1, axis2) planes, as the last axis. */
export function diagonal(a: ArrayInput, ...args: OptArgs<[offset?: number, axis1?: number, axis2?: number], DiagonalOpts>): Array {
  const fn = 'diagonal';
  const o = parseOpts(fn, args, ['offset', 'axis1', 'axis2']);
  return diagonalImpl(fn, toArray(fn, a), o.offset ?? 0, o.axis1 ?? 0, o.axis2 ?? 1, o.stream);
}

/** `diag(a, k=0)`: the k-th diagonal of a 2-D array, or a 2-D array with the 1-D `a` on diagonal k. */
export function diag(a: ArrayInput, ...args: OptArgs<[k?: number], { k?: number; stream?: StreamOrDevice | null }>): Array {
  const fn = 'diag';
  const x = toArray(fn, a);
  const o = parseOpts(fn, args, ['k']);
  const k: number = o.k ?? 0;
  const s = o.stream;
  if (x.ndim === 2) return diagonalImpl(fn, x, k, 0, 1, s);
  if (x.ndim !== 1) throw new Error(`${fn}: expected a 1-D or 2-D array, got shape ${fmtShape(x.shape)}`);
  const n = x.shape[0]! + Math.abs(k);
  checkShape(fn, [n, n]);
  const padded = n === x.shape[0] ? x : node('pad', [x], { low: [0], high: [Math.abs(k)], value: 0 }, s);
  // out[i, j] = a[i] on diagonal k >= 0 (indexed by row), a[j] below it (indexed by column).
  const vals = broadcastTo(reshapeTo(padded, k >= 0 ? [n, 1] : [1, n], s), [n, n], s);
  const rows = node('arange', [], { start: k, step: 1, n, dtype: int32 }, s);
  const cols = node('arange', [], { start: 0, step: 1, n, dtype: int32 }, s);
  const mask = node('equal', [broadcastTo(reshapeTo(rows, [n, 1], s), [n, n], s), broadcastTo(reshapeTo(cols, [1, n], s), [n, n], s)], {}, s);
  const zero = broadcastTo(astype(toArray(fn, 0), x.dtype, s), [n, n], s);
  return node('where', [mask, vals, zero], {}, s);
}

/** `trace(a, offset=0, axis1=0, axis2=1, dtype?)`: the sum of a diagonal. */
export function trace(
  a: ArrayInput,
  ...args: OptArgs<[offset?: number, axis1?: number, axis2?: number, dtype?: DtypeLike | null], DiagonalOpts & { dtype?: DtypeLike | null }>
): Array {
  const fn = 'trace';
  const x = toArray(fn, a);
  const o = parseOpts(fn, args, ['offset', 'axis1', 'axis2', 'dtype']);
  const d = diagonalImpl(fn, x, o.offset ?? 0, o.axis1 ?? 0, o.axis2 ?? 1, o.stream);
  const dt = o.dtype == null ? x.dtype : toDtype(o.dtype, fn);
  return astype(sum(d, -1, false, { stream: o.stream ?? undefined }), dt, o.stream);
}

/**
 * MLX's `kron(a, b)`: the Kronecker product, block (i, j, ...) is `a[i, j, ...] * b`; the operand
 * of fewer dimensions gets leading 1s. A composition (interleaved reshapes and a broadcast multiply).
 */
export function kron(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  const fn = 'kron';
  const s = parseOpts(fn, [opts], []).stream;
  const [x, y] = promoteArgs(fn, [a, b], s) as [Array, Array];
  const nd = Math.max(x.ndim, y.ndim);
  const xs = [...new globalThis.Array<number>(nd - x.ndim).fill(1), ...x.shape];
  const ys = [...new globalThis.Array<number>(nd - y.ndim).fill(1), ...y.shape];
  const xi = reshapeTo(
    x,
    xs.flatMap((d) => [d, 1]),
    s,
  );
  const yi = reshapeTo(
    y,
    ys.flatMap((d) => [1, d]),
    s,
  );
  return reshapeTo(
    multiply(xi, yi, s ? { stream: s } : undefined),
    xs.map((d, i) => d * ys[i]!),
    s,
  );
}
