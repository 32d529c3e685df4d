/**
 * Reductions. The reduction primitives keep reduced axes as size 1; ops reshape them away unless
 * `keepdims`. mean, var, std, ... are compositions of primitives; softmax and logsumexp over one
 * axis are primitives of their own (one read per lane), over several axes compositions.
 */
import { Array } from '../array.js';
import type { StreamOrDevice } from '../device.js';
import { bool, float32, floatResult, int32 } from '../dtype.js';
import { node } from '../graph.js';
import type { Reduction } from '../ir/primitives.js';
import { fmtShape, normalizeAxes, normalizeAxis, shapeEqual } from '../shape.js';
import { array, type ArrayInput, astype, broadcastArgs, broadcastTo, type OptArgs, parseOpts, promoteArgs, toArray } from './convert.js';
import {
  abs,
  add,
  divide,
  equal,
  exp,
  isnan,
  isneginf,
  isposinf,
  isinf,
  lessEqual,
  log,
  logicalAnd,
  logicalNot,
  logicalOr,
  multiply,
  sqrt,
  square,
  subtract,
  where,
} from './elementwise.js';

type Stream = StreamOrDevice | null | undefined;
export type Axis = number | readonly number[];
export interface ReduceOpts {
  axis?: Axis | null;
  keepdims?: boolean;
  stream?: StreamOrDevice | null;
}
export type ReduceArgs = OptArgs<[axis?: Axis | null, keepdims?: boolean], ReduceOpts>;

interface Parsed {
  x: Array;
  axes: number[];
  keepdims: boolean;
  s: Stream;
}

function parseReduce(fn: string, a: ArrayInput, args: readonly unknown[], extra: readonly string[] = []): Parsed & Record<string, any> {
  const x = toArray(fn, a);
  const o = parseOpts(fn, args, ['axis', 'keepdims', ...extra], { axis: 'ints' });
  const axes = normalizeAxes(fn, o.axis, x.ndim);
  return { ...o, x, axes, keepdims: o.keepdims ?? false, s: o.stream };
}

function dropAxes(r: Array, axes: readonly number[], keepdims: boolean, s: Stream): Array {
  if (keepdims || axes.length === 0) return r;
  const shape = r.shape.filter((_, i) => !axes.includes(i));
  return node('reshape', [r], { shape }, s);
}

/** The reduction primitive over `axes` (keeping them), then dropping them unless keepdims. */
function reduce(prim: Reduction, x: Array, axes: readonly number[], keepdims: boolean, s: Stream): Array {
  if (axes.length === 0) return x;
  return dropAxes(node(prim, [x], { axes: axes.slice() }, s), axes, keepdims, s);
}

function count(x: Array, axes: readonly number[]): number {
  return axes.reduce((n, i) => n * x.shape[i]!, 1);
}

function checkNonEmpty(fn: string, x: Array, axes: readonly number[]): void {
  for (const i of axes) {
    if (x.shape[i] === 0) throw new Error(`${fn}: cannot reduce over axis ${i} of size 0 (shape ${fmtShape(x.shape)}); the reduction has no identity`);
  }
}

/** Sum over `axis` (all axes by default); bool sums to int32. */
export function sum(a: ArrayInput, ...args: ReduceArgs): Array {
  const { x, axes, keepdims, s } = parseReduce('sum', a, args);
  return reduce('sum', x.dtype === bool ? astype(x, int32, s) : x, axes, keepdims, s);
}
/** Product over `axis` (all axes by default); bool multiplies as int32. */
export function prod(a: ArrayInput, ...args: ReduceArgs): Array {
  const { x, axes, keepdims, s } = parseReduce('prod', a, args);
  return reduce('prod', x.dtype === bool ? astype(x, int32, s) : x, axes, keepdims, s);
}
/** Maximum over `axis`; NaN propagates; an empty reduction is an error, as in MLX. */
export function max(a: ArrayInput, ...args: ReduceArgs): Array {
  const { x, axes, keepdims, s } = parseReduce('max', a, args);
  checkNonEmpty('max', x, axes);
  return reduce('max', x, axes, keepdims, s);
}
/** Minimum over `axis`; NaN propagates; an empty reduction is an error, as in MLX. */
export function min(a: ArrayInput, ...args: ReduceArgs): Array {
  const { x, axes, keepdims, s } = parseReduce('min', a, args);
  checkNonEmpty('min', x, axes);
  return reduce('min', x, axes, keepdims, s);
}
/** Whether every element over `axis` is nonzero (true for empty reductions). */
export function all(a: ArrayInput, ...args: ReduceArgs): Array {
  const { x, axes, keepdims, s } = parseReduce('all', a, args);
  return reduce('min', astype(x, bool, s), axes, keepdims, s);
}
/** Whether any element over `axis` is nonzero (false for empty reductions). */
export function any(a: ArrayInput, ...args: ReduceArgs): Array {
  const { x, axes, keepdims, s } = parseReduce('any', a, args);
  return reduce('max', astype(x, bool, s), axes, keepdims, s);
}

function meanOf(x: Array, axes: readonly number[], keepdims: boolean, s: Stream): Array {
  const xf = astype(x, floatResult(x.dtype), s);
  const total = reduce('sum', xf, axes, keepdims, s);
  const n = count(x, axes);
  const o = { stream: s ?? undefined };
  // 16-bit floats may not hold n: scale by 1/n as MLX does; wider floats divide (correctly rounded).
  return xf.dtype.size === 2 ? multiply(total, 1 / n, o) : divide(total, n, o);
}

/** Mean over `axis`; integers average in float32. */
export function mean(a: ArrayInput, ...args: ReduceArgs): Array {
  const { x, axes, keepdims, s } = parseReduce('mean', a, args);
  return meanOf(x, axes, keepdims, s);
}

export interface VarOpts extends ReduceOpts {
  ddof?: number;
}
export type VarArgs = OptArgs<[axis?: Axis | null, keepdims?: boolean, ddof?: number], VarOpts>;

/** The variance, or with `root` its square root (std). */
function varOf(fn: string, a: ArrayInput, args: readonly unknown[], root = false): Array {
  const { x, axes, keepdims, s, ddof } = parseReduce(fn, a, args, ['ddof']);
  const dd: number = ddof ?? 0;
  const xf = astype(x, floatResult(x.dtype), s);
  const o = { stream: s ?? undefined };
  // Two passes (mean, then squared deviations): stable where E[x^2] - E[x]^2 cancels.
  const mu = meanOf(xf, axes, true, s);
  const dev = reduce('sum', square(subtract(xf, mu, o), o), axes, keepdims, s);
  const v = divide(dev, Math.max(count(x, axes) - dd, 0), o);
  return root ? sqrt(v, o) : v;
}

/** Variance over `axis`, dividing by N - ddof. (`var` is a JS keyword: exported under that name for `mx.var`.) */
function var_(a: ArrayInput, ...args: VarArgs): Array {
  return varOf('var', a, args);
}
export { var_ as var };
/** Standard deviation over `axis`, dividing by N - ddof. */
export function std(a: ArrayInput, ...args: VarArgs): Array {
  return varOf('std', a, args, true);
}

export interface ArgReduceOpts {
  axis?: number | null;
  keepdims?: boolean;
  stream?: StreamOrDevice | null;
}
export type ArgReduceArgs = OptArgs<[axis?: number | null, keepdims?: boolean], ArgReduceOpts>;

function argReduce(fn: 'argmax' | 'argmin', a: ArrayInput, args: readonly unknown[]): Array {
  let x = toArray(fn, a);
  const o = parseOpts(fn, args, ['axis', 'keepdims']);
  const keepdims: boolean = o.keepdims ?? false;
  const s: Stream = o.stream;
  if (o.axis == null) {
    const nd = x.ndim;
    if (x.size === 0) throw new Error(`${fn}: cannot reduce an empty array (shape ${fmtShape(x.shape)})`);
    if (nd !== 1) x = node('reshape', [x], { shape: [x.size] }, s);
    const r = node(fn, [x], { axis: 0 }, s);
    return node('reshape', [r], { shape: keepdims ? new globalThis.Array<number>(nd).fill(1) : [] }, s);
  }
  const axis = normalizeAxis(fn, o.axis, x.ndim);
  checkNonEmpty(fn, x, [axis]);
  return dropAxes(node(fn, [x], { axis }, s), [axis], keepdims, s);
}

/** Index of the maximum along `axis` (of the flattened array by default), uint32; the first occurrence wins. */
export function argmax(a: ArrayInput, ...args: ArgReduceArgs): Array {
  return argReduce('argmax', a, args);
}
/** Index of the minimum along `axis` (of the flattened array by default), uint32; the first occurrence wins. */
export function argmin(a: ArrayInput, ...args: ArgReduceArgs): Array {
  return argReduce('argmin', a, args);
}

/** The max over axes (kept) with infinities replaced by 0, so `x - m` never computes inf - inf. */
function safeMax(x: Array, axes: readonly number[], s: Stream): Array {
  const m = node('max', [x], { axes: axes.slice() }, s);
  const o = { stream: s ?? undefined };
  return where(isinf(m, o), 0, m, o);
}

/** `log(sum(exp(a), axis))`, computed stably (correct for -inf and +inf entries). */
export function logsumexp(a: ArrayInput, ...args: ReduceArgs): Array {
  const { x, axes, keepdims, s } = parseReduce('logsumexp', a, args);
  const xf = astype(x, floatResult(x.dtype), s);
  if (axes.length === 0) return xf;
  if (axes.some((i) => xf.shape[i] === 0)) {
    // An empty sum: log(0) = -inf, as NumPy.
    const shape = xf.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    return dropAxes(broadcastTo(array(-Infinity, xf.dtype), shape, s), axes, keepdims, s);
  }
  // One axis: the fused primitive (a lane is read once); several: composed from reductions.
  if (axes.length === 1) return dropAxes(node('logsumexp', [xf], { axis: axes[0]! }, s), axes, keepdims, s);
  const o = { stream: s ?? undefined };
  const m = safeMax(xf, axes, s);
  const lse = add(log(node('sum', [exp(subtract(xf, m, o), o)], { axes }, s), o), m, o);
  return dropAxes(lse, axes, keepdims, s);
}

export interface SoftmaxOpts {
  axis?: Axis | null;
  precise?: boolean;
  stream?: StreamOrDevice | null;
}

/** `exp(a) / sum(exp(a), axis)` (all axes by default), computed stably; `precise` computes 16-bit floats in float32. */
export function softmax(a: ArrayInput, ...args: OptArgs<[axis?: Axis | null], SoftmaxOpts>): Array {
  const fn = 'softmax';
  const x = toArray(fn, a);
  const o = parseOpts(fn, args, ['axis', 'precise'], { axis: 'ints' });
  const axes = normalizeAxes(fn, o.axis, x.ndim);
  const s: Stream = o.stream;
  const so = { stream: s ?? undefined };
  const dt = floatResult(x.dtype);
  const computeDt = o.precise && dt.size === 2 ? float32 : dt;
  const xf = astype(x, computeDt, s);
  // One axis: the fused primitive (a lane is read once); several: composed from reductions.
  if (axes.length === 1) return astype(node('softmax', [xf], { axis: axes[0]! }, s), dt, s);
  const m = axes.length === 0 ? where(isinf(xf, so), 0, xf, so) : safeMax(xf, axes, s);
  const e = exp(subtract(xf, m, so), so);
  const out = divide(e, reduce('sum', e, axes, true, s), so);
  return astype(out, dt, s);
}

export interface IscloseOpts {
  rtol?: number;
  atol?: number;
  equalNan?: boolean;
  stream?: StreamOrDevice | null;
}
export type IscloseArgs = OptArgs<[rtol?: number, atol?: number, equalNan?: boolean], IscloseOpts>;

function iscloseOf(fn: string, a: ArrayInput, b: ArrayInput, args: readonly unknown[]): [Array, Stream] {
  const o = parseOpts(fn, args, ['rtol', 'atol', 'equalNan']);
  const s: Stream = o.stream;
  const so = { stream: s ?? undefined };
  const [x, y] = broadcastArgs(fn, promoteArgs(fn, [a, b], s), s) as [Array, Array];
  const rtol = o.rtol ?? 1e-5;
  const atol = o.atol ?? 1e-8;
  // |a - b| <= atol + rtol * |b|, as MLX (and NumPy).
  let out = lessEqual(abs(subtract(x, y, so), so), add(multiply(abs(y, so), rtol, so), atol, so), so);
  if (x.dtype.isFloating) {
    const anyInf = logicalOr(isinf(x, so), isinf(y, so), so);
    const bothInf = logicalOr(logicalAnd(isposinf(x, so), isposinf(y, so), so), logicalAnd(isneginf(x, so), isneginf(y, so), so), so);
    out = logicalOr(logicalAnd(out, logicalNot(anyInf, so), so), bothInf, so);
    if (o.equalNan) out = logicalOr(out, logicalAnd(isnan(x, so), isnan(y, so), so), so);
  }
  return [out, s];
}

/** Elementwise `|a - b| <= atol + rtol * |b|` (infinities equal only to themselves; NaNs equal when equalNan). */
export function isclose(a: ArrayInput, b: ArrayInput, ...args: IscloseArgs): Array {
  return iscloseOf('isclose', a, b, args)[0];
}

/** Whether `isclose` holds everywhere, as a 0-d bool Array. */
export function allclose(a: ArrayInput, b: ArrayInput, ...args: IscloseArgs): Array {
  const [c, s] = iscloseOf('allclose', a, b, args);
  return all(c, { stream: s });
}

/** Whether the arrays have one shape and equal elements (after promotion), as a 0-d bool Array. */
export function arrayEqual(
  a: ArrayInput,
  b: ArrayInput,
  ...args: OptArgs<[equalNan?: boolean], { equalNan?: boolean; stream?: StreamOrDevice | null }>
): Array {
  const fn = 'arrayEqual';
  const o = parseOpts(fn, args, ['equalNan']);
  const s: Stream = o.stream;
  const so = { stream: s ?? undefined };
  const x = toArray(fn, a);
  const y = toArray(fn, b);
  if (!shapeEqual(x.shape, y.shape)) return array(false);
  const [px, py] = promoteArgs(fn, [x, y], s) as [Array, Array];
  let eq = equal(px, py, so);
  if (o.equalNan && px.dtype.isFloating) eq = logicalOr(eq, logicalAnd(isnan(px, so), isnan(py, so), so), so);
  return all(eq, { stream: s });
}
