/**
 * Forward-mode rules (MLX's `Primitive::jvp`): the tangent of a primitive's output from the
 * tangents of its inputs (`null`: that input's tangent is zero).
 *
 * Rules build nodes directly (`node` from graph.ts) and keep the kernel contracts of DESIGN.md
 * (inputs of one shape and dtype, floating inputs to float math), so they never depend on how the
 * public ops promote and broadcast. Every node they build is itself a primitive with rules, so
 * rules are differentiable: `grad(grad(f))`, `jvp(grad(f))` work to any depth.
 *
 * The small op layer `ad` below is shared with the VJP rules (vjp.ts).
 *
 * Piecewise-constant primitives (comparisons, floor, ceil, round, sign, floorDivide, argmax,
 * argsort, isnan, ...) have zero tangents, as in JAX and MLX. Primitives with integer outputs
 * (argmax, randomBits, ...) have no tangent at all: the transforms never ask (an integer array's
 * tangent is structurally zero, JAX's float0); their rules here return zeros.
 *
 * Exactness: every rule is exact where the primitive is differentiable, and the rules are exact
 * as functions (not just pointwise), so their own derivatives are exact too: prod and cumprod
 * handle zeros without dividing (exclusive cumprods, a log-depth linear recurrence). At ties,
 * maximum/minimum/max/min/scatter-max split the derivative evenly (JAX's choice, which central
 * differences agree with). The one exception: the derivative of scatter `multiply` with respect to
 * its updates is exact, but its own derivative is not where two or more zero updates land on one
 * position (it divides by the update where that is nonzero; see `scatterMulOthers`).
 */
import type { Array } from '../../array.js';
import { type Dtype, float32, int32 } from '../../dtype.js';
import { broadcastNode as broadcastTo, reshapeNode as reshape, transposeNode as transpose, node } from '../../graph.js';
import { array } from '../../ops/convert.js';
import { broadcastShapes, shapeEqual, shapeSize } from '../../shape.js';
import {
  argReductions,
  binaryPredicate,
  type CompiledParams,
  type Params,
  type Primitive,
  type ScanParams,
  type ScatterMode,
  unaryPredicate,
} from '../primitives.js';
import type { JvpRule, JvpTable } from '../rules.js';
import { binaryPartials, rulesFrom, unaryDerivatives } from './derivatives.js';
import { table } from '../table.js';

// ---------------------------------------------------------------------------------------------
// `ad`: the few ops the rules need, on nodes, keeping the kernel contracts.
// ---------------------------------------------------------------------------------------------

type Num = Array | number;

const iota = (n: number): number[] => [...globalThis.Array(n).keys()];

/** A constant of `dtype` and `shape` (a broadcast view of one element). */
export function full(shape: readonly number[], value: number | boolean, dtype: Dtype): Array {
  const s = array(value, dtype);
  return shape.length === 0 ? s : node('broadcastTo', [s], { shape: shape.slice() });
}
export const zerosLike = (a: { shape: readonly number[]; dtype: Dtype }): Array => full(a.shape, 0, a.dtype);
export const onesLike = (a: { shape: readonly number[]; dtype: Dtype }): Array => full(a.shape, 1, a.dtype);

function astype(a: Array, dtype: Dtype): Array {
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
function binary(prim: Primitive, a: Num, b: Num): Array {
  const [A, B] = pair(a, b);
  return node(prim, [A, B], {} as never);
}
function unary(prim: Primitive, a: Array): Array {
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
  scan(prim: 'cumsum' | 'cumprod' | 'cummax' | 'cummin', a: Array, p: ScanParams): Array {
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
    return ad.slice(a, start, a.shape.map(() => 1), shape);
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
    const perm = iota(a.ndim);
    perm[a.ndim - 1] = a.ndim - 2;
    perm[a.ndim - 2] = a.ndim - 1;
    return transpose(a, perm);
  },
  /** 0, 1, ..., n-1 along `axis`, broadcast to `shape`. */
  iotaAlong(shape: readonly number[], axis: number, dtype: Dtype = int32): Array {
    const n = shape[axis]!;
    const r = node('arange', [], { start: 0, step: 1, n, dtype });
    return broadcastTo(reshape(r, shape.map((d, i) => (i === axis ? n : 1))), shape);
  },
  /** Sum of a list of optional terms; zeros of `like` when all are absent. */
  sumTerms(terms: readonly (Array | null)[], like: Array): Array {
    let acc: Array | null = null;
    for (const t of terms) if (t) acc = acc ? ad.add(acc, t) : t;
    return acc ?? zerosLike(like);
  },
};

/** The inverse permutation. */
export function invertPerm(perm: readonly number[]): number[] {
  const inv: number[] = new globalThis.Array(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/**
 * For each element of `x`, the product of the other elements of its slice over `axes` (the exact
 * derivative of `prod`, zeros included): exclusive cumprods from both ends, multiplied.
 */
export function productOfOthers(x: Array, axes: readonly number[]): Array {
  if (shapeSize(x.shape) === 0 || axes.length === 0) return onesLike(x);
  const kept = iota(x.ndim).filter((i) => !axes.includes(i));
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
    regs.push(ins.op === 'constant' ? full(shape, ins.value!, ins.dtype) : node(ins.op as Primitive, args, instrParams(ins)));
  }
  return regs;
}

/** Forward mode through an inlined program: the tangent of each instruction in order. */
function compiledJvp(inputs: readonly Array[], tangents: readonly (Array | null)[], p: CompiledParams, output: Array): Array {
  const regs = inlineCompiled(inputs, p);
  const tan: (Array | null)[] = inputs.map((x, i) => (x.dtype.isFloating ? (tangents[i] ?? null) : null));
  p.instrs.forEach((ins, k) => {
    const y = regs[p.nInputs + k]!;
    const ts = ins.args.map((r) => tan[r] ?? null);
    if (!y.dtype.isFloating || ins.op === 'constant' || ts.every((t) => t === null)) {
      tan.push(null);
      return;
    }
    const t = (jvpRules[ins.op as Primitive] as JvpRule<any>)(ins.args.map((r) => regs[r]!), ts, instrParams(ins), y);
    tan.push(t.dtype === y.dtype ? t : astype(t, y.dtype));
  });
  return tan[tan.length - 1] ?? zerosLike(output);
}

// ---------------------------------------------------------------------------------------------
// The JVP table.
// ---------------------------------------------------------------------------------------------

const zeroTangent: JvpRule<any> = (_p, _t, _params, output) => zerosLike(output);

/** A binary rule `ta * da(a, b, y) + tb * db(a, b, y)`. */
function chain2(da: (a: Array, b: Array, y: Array) => Array, db: (a: Array, b: Array, y: Array) => Array): JvpRule<any> {
  return ([a, b], [ta, tb], _p, y) =>
    ad.sumTerms([ta ? ad.multiply(ta, da(a!, b!, y)) : null, tb ? ad.multiply(tb, db(a!, b!, y)) : null], y);
}

const tangentOr0 = (t: Array | null | undefined, like: Array): Array => t ?? zerosLike(like);


// Ties split the derivative evenly (JAX's choice), for elementwise, reduced and scanned extrema alike.
function elementwiseExtremumJvp(prim: 'maximum' | 'minimum'): JvpRule<Params<'maximum'>> {
  return ([a, b], [ta, tb], _p, y) => {
    const [wa, wb] = maxWeights(prim, a!, b!);
    return ad.sumTerms([ta ? ad.multiply(ta, wa) : null, tb ? ad.multiply(tb, wb) : null], y);
  };
}
const reducedExtremumJvp: JvpRule<Params<'max'>> = ([x], [t], p, y) => {
  if (!t) return zerosLike(y);
  const { mask, count } = extremumMask(x!, y, p.axes);
  return ad.divide(ad.sum(ad.multiply(t, mask), p.axes), count);
};
function scanExtremumJvp(prim: 'cummax' | 'cummin'): JvpRule<Params<'cummax'>> {
  return ([x], [t], p, y) => {
    if (!t) return zerosLike(y);
    const { idx, valid } = scanSourceIndex(prim, x!, p, y);
    return ad.where(valid, ad.gatherAxis(t, idx, p.axis), 0);
  };
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

function scatterJvp(prim: ScatterLike): JvpRule<{ axis: number; mode: ScatterMode }> {
  return ([a, idx, u], [ta, , tu], p, y) => {
    const f = scatterFns(prim, p.axis);
    switch (p.mode) {
      case 'set':
      case 'add':
        return f.scatter(tangentOr0(ta, a!), idx!, tangentOr0(tu, u!), p.mode);
      case 'multiply': {
        const terms: (Array | null)[] = [];
        if (ta) terms.push(ad.multiply(ta, f.scatter(onesLike(a!), idx!, u!, 'multiply')));
        if (tu) terms.push(f.scatter(zerosLike(a!), idx!, ad.multiply(tu, scatterMulOthers(f.gather, f.scatter, a!, idx!, u!)), 'add'));
        return ad.sumTerms(terms, y);
      }
      case 'maximum':
      case 'minimum': {
        const { ma, mu, count } = scatterExtremumWeights(f, a!, idx!, u!, y);
        const terms: (Array | null)[] = [];
        if (ta) terms.push(ad.multiply(ta, ma));
        if (tu) terms.push(f.scatter(zerosLike(a!), idx!, ad.multiply(tu, mu), 'add'));
        return ad.divide(ad.sumTerms(terms, y), count);
      }
    }
  };
}

export const jvpRules: JvpTable = {
  ...rulesFrom(unaryDerivatives, (f): JvpRule<any> => ([x], [t], _p, y) => (t ? f(t, x!, y) : zerosLike(y))),
  ...rulesFrom(binaryPartials, ([da, db]) => chain2(da, db)),
  // Unary.
  sign: zeroTangent,
  floor: zeroTangent,
  ceil: zeroTangent,
  round: zeroTangent,
  ...table(unaryPredicate, zeroTangent),
  // Binary.
  add: ([a, b], [ta, tb], _p, y) => (ta && tb ? ad.add(ta, tb) : (ta ?? tb ?? zerosLike(y))),
  subtract: (_xs, [ta, tb], _p, y) => (ta && tb ? ad.subtract(ta, tb) : ta ? ta : tb ? ad.negative(tb) : zerosLike(y)),
  divide: ([, b], [ta, tb], _p, y) => {
    // (ta - tb * y) / b
    const num = ta && tb ? ad.subtract(ta, ad.multiply(tb, y)) : ta ? ta : tb ? ad.negative(ad.multiply(tb, y)) : null;
    return num ? ad.divide(num, b!) : zerosLike(y);
  },
  maximum: elementwiseExtremumJvp('maximum'),
  minimum: elementwiseExtremumJvp('minimum'),
  floorDivide: zeroTangent,
  ...table(binaryPredicate, zeroTangent),
  // Reductions.
  sum: ([x], [t], p, y) => (t ? ad.sum(t, p.axes) : zerosLike(y)),
  prod: ([x], [t], p, y) => (t ? ad.sum(ad.multiply(t, productOfOthers(x!, p.axes)), p.axes) : zerosLike(y)),
  max: reducedExtremumJvp,
  min: reducedExtremumJvp,
  ...table(argReductions, zeroTangent),
  // Scans.
  cumsum: (_xs, [t], p, y) => (t ? ad.scan('cumsum', t, p) : zerosLike(y)),
  cumprod: ([x], [t], p, y) => (t ? cumprodJvp(x!, t, p) : zerosLike(y)),
  cummax: scanExtremumJvp('cummax'),
  cummin: scanExtremumJvp('cummin'),
  // Others.
  astype: (_xs, [t], p, y) => (t && p.dtype.isFloating ? astype(t, p.dtype) : zerosLike(y)),
  stopGradient: zeroTangent,
  where: ([c, a, b], [, ta, tb], _p, y) => (ta || tb ? ad.where(c!, tangentOr0(ta, a!), tangentOr0(tb, b!)) : zerosLike(y)),
  // d lse = sum(softmax(x) * t), softmax(x) = exp(x - lse).
  logsumexp: ([x], [t], p, y) => (t ? ad.sum(ad.multiply(ad.exp(ad.subtract(x!, y)), t), [p.axis]) : zerosLike(y)),
  // d softmax = s * (t - sum(s * t)) along the axis.
  softmax: (_xs, [t], p, y) => (t ? ad.multiply(y, ad.subtract(t, ad.sum(ad.multiply(y, t), [p.axis]))) : zerosLike(y)),
  sort: ([x], [t], p, y) => (t ? ad.gatherAxis(t, ad.argsortNode(x!, p.axis), p.axis) : zerosLike(y)),
  argsort: zeroTangent,
  reshape: (_xs, [t], p, y) => (t ? reshape(t, p.shape) : zerosLike(y)),
  transpose: (_xs, [t], p, y) => (t ? transpose(t, p.perm) : zerosLike(y)),
  broadcastTo: (_xs, [t], p, y) => (t ? broadcastTo(t, p.shape) : zerosLike(y)),
  slice: (_xs, [t], p, y) => (t ? ad.slice(t, p.start, p.step, p.shape) : zerosLike(y)),
  concatenate: (xs, ts, p, y) => (ts.some((t) => t) ? ad.concatenate(xs.map((x, i) => tangentOr0(ts[i], x)), p.axis) : zerosLike(y)),
  pad: (_xs, [t], p, y) => (t ? ad.pad(t, p.low, p.high, 0) : zerosLike(y)),
  gather: ([, idx], [t], p, y) => (t ? ad.gather(t, idx!, p.axis) : zerosLike(y)),
  gatherAxis: ([, idx], [t], p, y) => (t ? ad.gatherAxis(t, idx!, p.axis) : zerosLike(y)),
  scatter: scatterJvp('scatter'),
  scatterAxis: scatterJvp('scatterAxis'),
  matmul: ([a, b], [ta, tb], _p, y) => ad.sumTerms([ta ? ad.matmul(ta, b!) : null, tb ? ad.matmul(a!, tb) : null], y),
  arange: zeroTangent,
  randomBits: zeroTangent,
  compiled: compiledJvp,
};

