/**
 * Derivative helpers shared by the JVP and VJP rules, written once: elementwise derivatives (an
 * elementwise primitive's Jacobian is diagonal, so one map applies it to a tangent and to a
 * cotangent alike) and the exact, zero-safe building blocks of the reduction, scan, scatter and
 * slice rules.
 *
 * Exactness: every helper is exact where the primitive is differentiable, and exact as a function
 * (not just pointwise), so derivatives of derivatives are exact too: prod and cumprod handle zeros
 * without dividing (exclusive cumprods, a log-depth linear recurrence). At ties, maximum/minimum/
 * max/min/scatter-max split the derivative evenly (JAX's choice, which central differences agree
 * with). The one exception: scatter `multiply`'s update derivative is exact, but its own derivative
 * is not where two or more zero updates land on one position (see `scatterMulOthers`).
 */
import type { Array } from '../../array.js';
import { int32 } from '../../dtype.js';
import { broadcastNode as broadcastTo, reshapeNode as reshape, transposeNode as transpose, node } from '../../graph.js';
import { identityPerm, invertPerm, shapeSize } from '../../shape.js';
import type { CompiledParams, ScanParams, ScatterMode, SingleOutputPrimitive, UnaryInteger, UnarySameDtype } from '../primitives.js';
import { ad, astype, full, onesLike, zerosLike } from './ad.js';

type Scale = (g: Array, x: Array, y: Array) => Array;
type Partial = (a: Array, b: Array, y: Array) => Array;

const SQRT_PI = Math.sqrt(Math.PI);
const times =
  (d: (x: Array, y: Array) => Array): Scale =>
  (g, x, y) =>
    ad.multiply(g, d(x, y));

/** `g * dy/dx` for every smooth unary primitive (sign, floor, ceil, round and the integer family have zero derivatives). */
export const unaryDerivatives: Record<Exclude<UnarySameDtype, 'sign' | 'floor' | 'ceil' | 'round' | UnaryInteger>, Scale> = {
  abs: times((x) => ad.sign(x)),
  negative: (g) => ad.negative(g),
  square: times((x) => ad.multiply(x, 2)),
  exp: times((_x, y) => y),
  log: (g, x) => ad.divide(g, x),
  log1p: (g, x) => ad.divide(g, ad.add(x, 1)),
  expm1: times((_x, y) => ad.add(y, 1)),
  sin: times((x) => ad.cos(x)),
  cos: times((x) => ad.negative(ad.sin(x))),
  tan: times((_x, y) => ad.add(ad.square(y), 1)),
  tanh: times((_x, y) => ad.subtract(1, ad.square(y))),
  sinh: times((x) => ad.cosh(x)),
  cosh: times((x) => ad.sinh(x)),
  arcsin: times((x) => ad.rsqrt(ad.subtract(1, ad.square(x)))),
  arccos: times((x) => ad.negative(ad.rsqrt(ad.subtract(1, ad.square(x))))),
  arctan: (g, x) => ad.divide(g, ad.add(ad.square(x), 1)),
  arcsinh: times((x) => ad.rsqrt(ad.add(ad.square(x), 1))),
  arccosh: times((x) => ad.rsqrt(ad.subtract(ad.square(x), 1))),
  arctanh: (g, x) => ad.divide(g, ad.subtract(1, ad.square(x))),
  sqrt: (g, _x, y) => ad.divide(ad.multiply(g, 0.5), y),
  rsqrt: times((x, y) => ad.multiply(ad.divide(y, x), -0.5)),
  sigmoid: times((_x, y) => ad.multiply(y, ad.subtract(1, y))),
  erf: times((x) => ad.multiply(ad.exp(ad.negative(ad.square(x))), 2 / SQRT_PI)),
  erfinv: times((_x, y) => ad.multiply(ad.exp(ad.square(y)), SQRT_PI / 2)),
};

/** Partial derivatives [dy/da, dy/db] of the smooth binary primitives whose rules are `g * partial`. */
export const binaryPartials: Record<'multiply' | 'power' | 'arctan2' | 'remainder', readonly [Partial, Partial]> = {
  multiply: [(_a, b) => b, (a) => a],
  power: [
    (a, b) => ad.where(ad.equal(b, 0), 0, ad.multiply(b, ad.power(a, ad.subtract(b, 1)))),
    (a, _b, y) => ad.multiply(y, ad.log(ad.where(ad.equal(a, 0), 1, a))),
  ],
  arctan2: [(a, b) => ad.divide(b, ad.add(ad.square(a), ad.square(b))), (a, b) => ad.negative(ad.divide(a, ad.add(ad.square(a), ad.square(b))))],
  remainder: [(a) => onesLike(a), (a, b) => ad.negative(ad.floorDivide(a, b))],
};

/** Builds one rule per key of `table` from the shared formula. */
export function rulesFrom<K extends string, F, R>(table: Record<K, F>, make: (f: F) => R): Record<K, R> {
  return Object.fromEntries(Object.entries(table).map(([k, f]) => [k, make(f as F)])) as Record<K, R>;
}

/**
 * For each element of `x`, the product of the other elements of its slice over `axes` (the exact
 * derivative of `prod`, zeros included): exclusive cumprods from both ends, multiplied.
 */
export function productOfOthers(x: Array, axes: readonly number[]): Array {
  if (shapeSize(x.shape) === 0 || axes.length === 0) return onesLike(x);
  const kept = identityPerm(x.ndim).filter((i) => !axes.includes(i));
  const perm = [...kept, ...axes];
  const xt = transpose(x, perm);
  const keptShape = kept.map((i) => x.shape[i]!);
  const r = axes.reduce((n, i) => n * x.shape[i]!, 1);
  const flat = reshape(xt, [...keptShape, r]);
  const last = keptShape.length;
  const fwd = ad.scan('cumprod', flat, { axis: last, reverse: false, inclusive: false });
  const bwd = ad.scan('cumprod', flat, { axis: last, reverse: true, inclusive: false });
  const others = reshape(ad.multiply(fwd, bwd), xt.shape);
  return transpose(others, invertPerm(perm));
}

/**
 * `x` shifted by one along `axis` in scan order: out[i] = x[i-1] (x[i+1] when `reverse`), `fill`
 * at the first position.
 */
export function shiftPrev(x: Array, axis: number, reverse: boolean, fill: number, by = 1): Array {
  const n = x.shape[axis]!;
  if (by >= n) return full(x.shape, fill, x.dtype);
  const kept = reverse ? ad.sliceAxis(x, axis, by, n) : ad.sliceAxis(x, axis, 0, n - by);
  const low = x.shape.map((_, i) => (i === axis && !reverse ? by : 0));
  const high = x.shape.map((_, i) => (i === axis && reverse ? by : 0));
  return ad.pad(kept, low, high, fill);
}

/**
 * The first-order linear recurrence h[i] = a[i] * h[prev(i)] + b[i] along `axis` in scan order
 * (h before the first position is 0), as a log-depth associative scan of affine maps built from
 * slices, pads, multiplies and adds: exact, and differentiable to any order.
 */
export function linearRecurrence(a: Array, b: Array, axis: number, reverse: boolean): Array {
  const n = a.shape[axis]!;
  let A = a;
  let B = b;
  for (let d = 1; d < n; d *= 2) {
    B = ad.add(ad.multiply(A, shiftPrev(B, axis, reverse, 0, d)), B);
    if (2 * d < n) A = ad.multiply(A, shiftPrev(A, axis, reverse, 1, d));
  }
  return B;
}

/**
 * The JVP of cumprod: dy[i] = x[i] dy[i-1] + t[i] y_excl[i] (product rule, in scan order), then
 * shifted for an exclusive scan. No division, so it is exact with zeros, to every order.
 */
export function cumprodJvp(x: Array, t: Array, p: ScanParams): Array {
  const excl = ad.scan('cumprod', x, { ...p, inclusive: false });
  const d = linearRecurrence(x, ad.multiply(t, excl), p.axis, p.reverse);
  return p.inclusive ? d : shiftPrev(d, p.axis, p.reverse, 0);
}

/**
 * The VJP of cumprod: gx[k] = y_excl[k] * S[k] with S[k] = b[k] + x[next(k)] S[next(k)] (the
 * recurrence run the other way), b = g (inclusive) or g shifted by one (exclusive).
 */
export function cumprodVjp(x: Array, g: Array, p: ScanParams): Array {
  const excl = ad.scan('cumprod', x, { ...p, inclusive: false });
  const back = !p.reverse;
  const a = shiftPrev(x, p.axis, back, 1);
  const b = p.inclusive ? g : shiftPrev(g, p.axis, back, 0);
  return ad.multiply(excl, linearRecurrence(a, b, p.axis, back));
}

/**
 * For cummax/cummin: the index (along the axis) of the element each output position took its
 * value from, and where there is one (an exclusive scan's first position has none).
 */
export function scanSourceIndex(prim: 'cummax' | 'cummin', x: Array, p: ScanParams, output: Array): { idx: Array; valid: Array } {
  const inclusive = p.inclusive ? output : ad.scan(prim, x, { ...p, inclusive: true });
  const mask = ad.equal(x, inclusive);
  const n = x.shape[p.axis]!;
  const pos = ad.iotaAlong(x.shape, p.axis, int32);
  let src: Array;
  let valid: Array;
  if (!p.reverse) {
    src = ad.scan('cummax', ad.where(mask, pos, -1), { axis: p.axis, reverse: false, inclusive: p.inclusive });
    valid = ad.greaterEqual(src, 0);
  } else {
    src = ad.scan('cummin', ad.where(mask, pos, n), { axis: p.axis, reverse: true, inclusive: p.inclusive });
    valid = ad.less(src, n);
  }
  return { idx: ad.where(valid, src, 0), valid };
}

/**
 * Weights that split a derivative between the arguments of maximum/minimum: 1 to the strictly
 * chosen one, 0.5 each on a tie (JAX's balanced rule, which central differences agree with).
 */
export function maxWeights(prim: 'maximum' | 'minimum', a: Array, b: Array): [Array, Array] {
  const win = astype(prim === 'maximum' ? ad.greater(a, b) : ad.less(a, b), a.dtype);
  const tie = astype(ad.equal(a, b), a.dtype);
  const wa = ad.add(win, ad.multiply(tie, 0.5));
  return [wa, ad.subtract(1, wa)];
}

/** Mask (as a's dtype) of the elements equal to their slice's reduced value, and the count per slice. */
export function extremumMask(x: Array, y: Array, axes: readonly number[]): { mask: Array; count: Array } {
  const mask = astype(ad.equal(x, broadcastTo(y, x.shape)), x.dtype);
  return { mask, count: ad.sum(mask, axes) };
}

/**
 * The derivative of each scatter-multiply update: a times the product of the other updates
 * landing on the same position (exact with zeros among them).
 */
export function scatterMulOthers(
  gatherFn: (a: Array, idx: Array) => Array,
  scatterFn: (a: Array, idx: Array, u: Array, mode: ScatterMode) => Array,
  a: Array,
  idx: Array,
  u: Array,
): Array {
  const zero = ad.equal(u, 0);
  const uSafe = ad.where(zero, 1, u);
  // A nonzero update: the whole product (zeros included) divided by it.
  const all = gatherFn(ad.multiply(a, scatterFn(onesLike(a), idx, u, 'multiply')), idx);
  const ifNonzero = ad.divide(all, uSafe);
  // A zero update: the product of the others, which is 0 unless it is the only zero there.
  const zeros = gatherFn(scatterFn(zerosLike(a), idx, astype(zero, a.dtype), 'add'), idx);
  const nonzeroProd = gatherFn(ad.multiply(a, scatterFn(onesLike(a), idx, uSafe, 'multiply')), idx);
  const ifZero = ad.where(ad.equal(zeros, 1), nonzeroProd, 0);
  return ad.where(zero, ifZero, ifNonzero);
}

/**
 * For scatter `set` with duplicate indices (the last wins): which updates land, as a bool mask
 * of the updates' shape.
 */
export function scatterSetWinners(
  gatherFn: (a: Array, idx: Array) => Array,
  scatterFn: (a: Array, idx: Array, u: Array, mode: ScatterMode) => Array,
  a: Array,
  idx: Array,
  u: Array,
): Array {
  const ids = reshape(node('arange', [], { start: 0, step: 1, n: shapeSize(u.shape), dtype: int32 }), u.shape);
  const landed = scatterFn(full(a.shape, -1, int32), idx, ids, 'set');
  return ad.equal(gatherFn(landed, idx), ids);
}

/** The inverse of a normalized slice: `g` placed into zeros of `inShape` at the sliced positions. */
export function unslice(g: Array, inShape: readonly number[], start: readonly number[], step: readonly number[]): Array {
  if (shapeSize(g.shape) === 0) return full(inShape, 0, g.dtype);
  let r = g;
  for (let ax = 0; ax < inShape.length; ax++) {
    const n = inShape[ax]!;
    const m = r.shape[ax]!;
    let s = step[ax]!;
    let st = start[ax]!;
    if (s < 0) {
      r = ad.reverse(r, ax);
      st = st + (m - 1) * s;
      s = -s;
    }
    if (s > 1 && m > 1) {
      // Interleave s-1 zeros after each element, then drop the trailing ones.
      const before = r.shape.slice(0, ax + 1);
      const after = r.shape.slice(ax + 1);
      const expanded = reshape(r, [...before, 1, ...after]);
      const low = expanded.shape.map(() => 0);
      const high = expanded.shape.map((_, i) => (i === ax + 1 ? s - 1 : 0));
      const spread = reshape(ad.pad(expanded, low, high), [...r.shape.slice(0, ax), m * s, ...after]);
      r = ad.sliceAxis(spread, ax, 0, (m - 1) * s + 1);
    }
    const len = (m - 1) * s + 1;
    const low = r.shape.map((_, i) => (i === ax ? st : 0));
    const high = r.shape.map((_, i) => (i === ax ? n - st - len : 0));
    r = ad.pad(r, low, high);
  }
  return r;
}

/** The params an instruction's primitive takes. */
export const instrParams = (ins: CompiledParams['instrs'][number]): never => (ins.op === 'astype' ? { dtype: ins.dtype } : {}) as never;

/** The error a rule throws for an argument with no derivative. */
export function noDerivative(prim: string, arg: string, mode: 'JVP' | 'VJP'): Error {
  return new Error(
    `${prim}: cannot compute the ${mode} with respect to ${arg}, which has no derivative; ` +
      `wrap it in stopGradient(...) (or build it from integers) to differentiate through the other arguments`,
  );
}

/**
 * The ordinary nodes a `compiled` program stands for, one per register: the inputs, then one node
 * per instruction (all of the inputs' shape). The rules of `compiled` inline it and apply the
 * rules of these nodes.
 */
export function inlineCompiled(inputs: readonly Array[], p: CompiledParams): Array[] {
  const regs = inputs.slice();
  const shape = inputs[0]!.shape;
  for (const ins of p.instrs) {
    const args = ins.args.map((r) => regs[r]!);
    regs.push(ins.op === 'constant' ? full(shape, ins.value!, ins.dtype) : node(ins.op as SingleOutputPrimitive, args, instrParams(ins)));
  }
  return regs;
}

export type ScatterLike = 'scatter' | 'scatterAxis';
/** Gather and scatter along `axis` in the form of `prim`. */
export function scatterFns(prim: ScatterLike, axis: number) {
  const g = prim === 'scatter' ? ad.gather : ad.gatherAxis;
  const s = prim === 'scatter' ? ad.scatter : ad.scatterAxis;
  return {
    gather: (a: Array, idx: Array) => g(a, idx, axis),
    scatter: (a: Array, idx: Array, u: Array, mode: ScatterMode) => s(a, idx, u, axis, mode),
  };
}

/**
 * Where a scatter maximum/minimum's result came from: `ma` marks array entries equal to it, `mu`
 * updates equal to it, `count` how many tied at each position (ties share the derivative).
 */
export function scatterExtremumWeights(f: ReturnType<typeof scatterFns>, a: Array, idx: Array, u: Array, y: Array): { ma: Array; mu: Array; count: Array } {
  const ma = astype(ad.equal(a, y), y.dtype);
  const mu = astype(ad.equal(u, f.gather(y, idx)), y.dtype);
  return { ma, mu, count: ad.add(ma, f.scatter(zerosLike(a), idx, mu, 'add')) };
}
