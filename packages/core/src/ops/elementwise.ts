/**
 * Elementwise ops. Each converts its arguments (arrays, JS scalars, nested arrays), promotes them
 * with MLX's weak scalar typing, broadcasts, and casts integers to float32 before float math, so a
 * kernel only sees what its primitive's contract promises.
 */
import { Array } from '../array.js';
import type { StreamOpt, StreamOrDevice } from '../device.js';
import { describeValue } from '../describe.js';
import { bool, dtypeLimits, floatResult, uint8 } from '../dtype.js';
import { multiNode, node } from '../graph.js';
import { type BinaryPredicate, binaryFloat, type BinarySameDtype, unaryFloat, type UnarySameDtype } from '../ir/primitives.js';
import { array, type ArrayInput, astype, broadcastArgs, broadcastTo, type OptArgs, parseOpts, promoteArgs, toArray } from './convert.js';

type Stream = StreamOrDevice | null | undefined;

function streamOf(fn: string, opts: StreamOpt | undefined): Stream {
  return opts === undefined ? undefined : parseOpts(fn, [opts], []).stream;
}

function binaryArgs(fn: string, a: ArrayInput, b: ArrayInput, s: Stream): [Array, Array] {
  const [x, y] = promoteArgs(fn, [a, b], s);
  const [bx, by] = broadcastArgs(fn, [x!, y!], s);
  return [bx!, by!];
}

/** The primitives of the float families: integer and bool inputs are cast to float for them. */
const floatOnly: ReadonlySet<string> = new Set([...unaryFloat, ...binaryFloat]);

function binary(fn: string, prim: BinarySameDtype, a: ArrayInput, b: ArrayInput, opts: StreamOpt | undefined): Array {
  const s = streamOf(fn, opts);
  let [x, y] = binaryArgs(fn, a, b, s);
  if (floatOnly.has(prim) && !x.dtype.isFloating) {
    const dt = floatResult(x.dtype);
    x = astype(x, dt, s);
    y = astype(y, dt, s);
  }
  return node(prim, [x, y], {}, s);
}

function compare(fn: string, prim: BinaryPredicate, a: ArrayInput, b: ArrayInput, opts: StreamOpt | undefined): Array {
  const s = streamOf(fn, opts);
  const [x, y] = binaryArgs(fn, a, b, s);
  return node(prim, [x, y], {}, s);
}

function unary(fn: string, prim: UnarySameDtype, a: ArrayInput, opts: StreamOpt | undefined): Array {
  const s = streamOf(fn, opts);
  const x = toArray(fn, a);
  return node(prim, [floatOnly.has(prim) ? astype(x, floatResult(x.dtype), s) : x], {}, s);
}

function constant(value: number | boolean, like: Array, dtype = like.dtype, s?: Stream): Array {
  return broadcastTo(array(value, dtype, s ? { stream: s } : undefined), like.shape, s);
}

// ---- arithmetic ----------------------------------------------------------------------------

/** Elementwise `a + b`, with broadcasting and type promotion (bool inputs add as integers). */
export function add(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  return binary('add', 'add', a, b, opts);
}
/** Elementwise `a - b`, with broadcasting and type promotion. */
export function subtract(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  return binary('subtract', 'subtract', a, b, opts);
}
/** Elementwise `a * b`, with broadcasting and type promotion. */
export function multiply(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  return binary('multiply', 'multiply', a, b, opts);
}
/** True division: integer inputs give float32, as in MLX. */
export function divide(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  return binary('divide', 'divide', a, b, opts);
}
/** Elementwise power; integers stay integers (a negative integer exponent gives 0 except for bases 1 and -1). */
export function power(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  return binary('power', 'power', a, b, opts);
}
/** Elementwise arctangent of `a / b`, using the signs of both to pick the quadrant. */
export function arctan2(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  return binary('arctan2', 'arctan2', a, b, opts);
}
/** Elementwise maximum; NaN propagates. */
export function maximum(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  return binary('maximum', 'maximum', a, b, opts);
}
/** Elementwise minimum; NaN propagates. */
export function minimum(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  return binary('minimum', 'minimum', a, b, opts);
}
/** Python's `//`: floor(a / b), integers stay integers. */
export function floorDivide(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  return binary('floorDivide', 'floorDivide', a, b, opts);
}
/** Python's `%`: the result has the sign of the divisor. */
export function remainder(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  return binary('remainder', 'remainder', a, b, opts);
}
/** MLX's `divmod`: `[floorDivide(a, b), remainder(a, b)]`, computed together in one pass. */
export function divmod(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): [Array, Array] {
  const s = streamOf('divmod', opts);
  const [q, r] = multiNode('divmod', binaryArgs('divmod', a, b, s), {}, s);
  return [q!, r!];
}
/** `log(exp(a) + exp(b))`, computed stably. */
export function logaddexp(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  const fn = 'logaddexp';
  const s = streamOf(fn, opts);
  let [x, y] = binaryArgs(fn, a, b, s);
  const dt = floatResult(x.dtype);
  x = astype(x, dt, s);
  y = astype(y, dt, s);
  const o = { stream: s ?? undefined };
  const m = maximum(x, y, o);
  // Where both are the same infinity, |x - y| is NaN: take m itself.
  const d = negative(abs(subtract(x, y, o), o), o);
  const out = add(m, log1p(exp(d, o), o), o);
  return where(equal(x, y, o), add(x, Math.LN2, o), out, o);
}

/** Elementwise `-a`. */
export function negative(a: ArrayInput, opts?: StreamOpt): Array {
  const fn = 'negative';
  const x = toArray(fn, a);
  if (x.dtype === bool) throw new Error(`${fn}: not supported for bool arrays; use logicalNot instead`);
  return node('negative', [x], {}, streamOf(fn, opts));
}
/** Absolute value; keeps the dtype (bool and unsigned inputs are returned as they are). */
export function abs(a: ArrayInput, opts?: StreamOpt): Array {
  const fn = 'abs';
  const x = toArray(fn, a);
  if (x.dtype === bool || x.dtype.kind === 'uint') return x;
  return node('abs', [x], {}, streamOf(fn, opts));
}
/** -1, 0 or 1 in the input's dtype; sign(NaN) is NaN; bool inputs are returned as they are. */
export function sign(a: ArrayInput, opts?: StreamOpt): Array {
  const fn = 'sign';
  const x = toArray(fn, a);
  if (x.dtype === bool) return x;
  return node('sign', [x], {}, streamOf(fn, opts));
}
/** Elementwise `a * a`. */
export function square(a: ArrayInput, opts?: StreamOpt): Array {
  return unary('square', 'square', a, opts);
}
/** Elementwise `1 / a` (integer inputs give float32). */
export function reciprocal(a: ArrayInput, opts?: StreamOpt): Array {
  const fn = 'reciprocal';
  const s = streamOf(fn, opts);
  const x = toArray(fn, a);
  const dt = floatResult(x.dtype);
  return node('divide', [constant(1, x, dt, s), astype(x, dt, s)], {}, s);
}

// ---- float math ----------------------------------------------------------------------------

/** Elementwise e^a (integer inputs give float32). */
export function exp(a: ArrayInput, opts?: StreamOpt): Array {
  return unary('exp', 'exp', a, opts);
}
/** Elementwise e^a - 1, accurate for small `a`. */
export function expm1(a: ArrayInput, opts?: StreamOpt): Array {
  return unary('expm1', 'expm1', a, opts);
}
/** Elementwise natural logarithm. */
export function log(a: ArrayInput, opts?: StreamOpt): Array {
  return unary('log', 'log', a, opts);
}
/** Elementwise log(1 + a), accurate for small `a`. */
export function log1p(a: ArrayInput, opts?: StreamOpt): Array {
  return unary('log1p', 'log1p', a, opts);
}
/** Base-2 logarithm (computed as log(a) / ln 2). */
export function log2(a: ArrayInput, opts?: StreamOpt): Array {
  const s = streamOf('log2', opts);
  const l = unary('log2', 'log', a, opts);
  return node('divide', [l, constant(Math.LN2, l, l.dtype, s)], {}, s);
}
/** Base-10 logarithm (computed as log(a) / ln 10). */
export function log10(a: ArrayInput, opts?: StreamOpt): Array {
  const s = streamOf('log10', opts);
  const l = unary('log10', 'log', a, opts);
  return node('divide', [l, constant(Math.LN10, l, l.dtype, s)], {}, s);
}
/** Elementwise sine (radians). */
export function sin(a: ArrayInput, opts?: StreamOpt): Array {
  return unary('sin', 'sin', a, opts);
}
/** Elementwise cosine (radians). */
export function cos(a: ArrayInput, opts?: StreamOpt): Array {
  return unary('cos', 'cos', a, opts);
}
/** Elementwise tangent (radians). */
export function tan(a: ArrayInput, opts?: StreamOpt): Array {
  return unary('tan', 'tan', a, opts);
}
/** Elementwise hyperbolic tangent. */
export function tanh(a: ArrayInput, opts?: StreamOpt): Array {
  return unary('tanh', 'tanh', a, opts);
}
/** Elementwise hyperbolic sine. */
export function sinh(a: ArrayInput, opts?: StreamOpt): Array {
  return unary('sinh', 'sinh', a, opts);
}
/** Elementwise hyperbolic cosine. */
export function cosh(a: ArrayInput, opts?: StreamOpt): Array {
  return unary('cosh', 'cosh', a, opts);
}
/** Elementwise inverse sine. */
export function arcsin(a: ArrayInput, opts?: StreamOpt): Array {
  return unary('arcsin', 'arcsin', a, opts);
}
/** Elementwise inverse cosine. */
export function arccos(a: ArrayInput, opts?: StreamOpt): Array {
  return unary('arccos', 'arccos', a, opts);
}
/** Elementwise inverse tangent. */
export function arctan(a: ArrayInput, opts?: StreamOpt): Array {
  return unary('arctan', 'arctan', a, opts);
}
/** Elementwise inverse hyperbolic sine. */
export function arcsinh(a: ArrayInput, opts?: StreamOpt): Array {
  return unary('arcsinh', 'arcsinh', a, opts);
}
/** Elementwise inverse hyperbolic cosine. */
export function arccosh(a: ArrayInput, opts?: StreamOpt): Array {
  return unary('arccosh', 'arccosh', a, opts);
}
/** Elementwise inverse hyperbolic tangent. */
export function arctanh(a: ArrayInput, opts?: StreamOpt): Array {
  return unary('arctanh', 'arctanh', a, opts);
}
/** Elementwise square root. */
export function sqrt(a: ArrayInput, opts?: StreamOpt): Array {
  return unary('sqrt', 'sqrt', a, opts);
}
/** Elementwise `1 / sqrt(a)`. */
export function rsqrt(a: ArrayInput, opts?: StreamOpt): Array {
  return unary('rsqrt', 'rsqrt', a, opts);
}
/** Elementwise logistic sigmoid, `1 / (1 + e^-a)`. */
export function sigmoid(a: ArrayInput, opts?: StreamOpt): Array {
  return unary('sigmoid', 'sigmoid', a, opts);
}
/** Elementwise Gauss error function. */
export function erf(a: ArrayInput, opts?: StreamOpt): Array {
  return unary('erf', 'erf', a, opts);
}
/** Elementwise inverse of `erf`. */
export function erfinv(a: ArrayInput, opts?: StreamOpt): Array {
  return unary('erfinv', 'erfinv', a, opts);
}
/** Radians to degrees. */
export function degrees(a: ArrayInput, opts?: StreamOpt): Array {
  const s = streamOf('degrees', opts);
  const x = toArray('degrees', a);
  const dt = floatResult(x.dtype);
  return node('multiply', [astype(x, dt, s), constant(180 / Math.PI, x, dt, s)], {}, s);
}
/** Degrees to radians. */
export function radians(a: ArrayInput, opts?: StreamOpt): Array {
  const s = streamOf('radians', opts);
  const x = toArray('radians', a);
  const dt = floatResult(x.dtype);
  return node('multiply', [astype(x, dt, s), constant(Math.PI / 180, x, dt, s)], {}, s);
}

// ---- rounding ------------------------------------------------------------------------------

/** Floor; integer and bool inputs are returned as they are. */
export function floor(a: ArrayInput, opts?: StreamOpt): Array {
  const x = toArray('floor', a);
  return x.dtype.isFloating ? node('floor', [x], {}, streamOf('floor', opts)) : x;
}
/** Ceiling; integer and bool inputs are returned as they are. */
export function ceil(a: ArrayInput, opts?: StreamOpt): Array {
  const x = toArray('ceil', a);
  return x.dtype.isFloating ? node('ceil', [x], {}, streamOf('ceil', opts)) : x;
}
/** Rounds half to even, to `decimals` places (as MLX: scale, round, unscale, in the input's dtype). */
export function round(a: ArrayInput, decimals?: number | ({ decimals?: number } & StreamOpt), opts?: StreamOpt): Array {
  const fn = 'round';
  const x = toArray(fn, a);
  const o = parseOpts(fn, [decimals, opts], ['decimals']);
  const d: number = o.decimals ?? 0;
  const s = o.stream;
  if (d === 0) return x.dtype.isFloating ? node('round', [x], {}, s) : x;
  const dt = floatResult(x.dtype);
  const xf = astype(x, dt, s);
  const scale = constant(10 ** Math.abs(d), xf, dt, s);
  // Dividing by 10^-d (rather than multiplying by it) keeps 10^d exact for negative d too.
  const scaled = node(d > 0 ? 'multiply' : 'divide', [xf, scale], {}, s);
  const r = node(d > 0 ? 'divide' : 'multiply', [node('round', [scaled], {}, s), scale], {}, s);
  return astype(r, x.dtype, s);
}

/** `clip(a, aMin, aMax)`: either bound may be null (not both). */
export function clip(a: ArrayInput, aMin: ArrayInput | null | undefined, aMax: ArrayInput | null | undefined, opts?: StreamOpt): Array {
  const fn = 'clip';
  if (aMin == null && aMax == null) throw new Error(`${fn}: at most one of aMin and aMax may be null`);
  const s = streamOf(fn, opts);
  const o = { stream: s ?? undefined };
  let r: Array = toArray(fn, a);
  if (aMin != null) r = binary(fn, 'maximum', r, aMin, o);
  if (aMax != null) r = binary(fn, 'minimum', r, aMax, o);
  return r;
}

// ---- selection and comparison --------------------------------------------------------------

/** `where(condition, x, y)`: x where condition is true, else y; all three broadcast, x and y promote. */
export function where(condition: ArrayInput, x: ArrayInput, y: ArrayInput, opts?: StreamOpt): Array {
  const fn = 'where';
  const s = streamOf(fn, opts);
  const c = astype(toArray(fn, condition), bool, s);
  const [a, b] = promoteArgs(fn, [x, y], s);
  const [bc, ba, bb] = broadcastArgs(fn, [c, a!, b!], s);
  return node('where', [bc!, ba!, bb!], {}, s);
}

/** Elementwise `a == b`, as bool. */
export function equal(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  return compare('equal', 'equal', a, b, opts);
}
/** Elementwise `a != b`, as bool. */
export function notEqual(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  return compare('notEqual', 'notEqual', a, b, opts);
}
/** Elementwise `a > b`, as bool. */
export function greater(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  return compare('greater', 'greater', a, b, opts);
}
/** Elementwise `a >= b`, as bool. */
export function greaterEqual(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  return compare('greaterEqual', 'greaterEqual', a, b, opts);
}
/** Elementwise `a < b`, as bool. */
export function less(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  return compare('less', 'less', a, b, opts);
}
/** Elementwise `a <= b`, as bool. */
export function lessEqual(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  return compare('lessEqual', 'lessEqual', a, b, opts);
}

function logical(fn: string, prim: 'logicalAnd' | 'logicalOr', a: ArrayInput, b: ArrayInput, opts: StreamOpt | undefined): Array {
  const s = streamOf(fn, opts);
  const x = astype(toArray(fn, a), bool, s);
  const y = astype(toArray(fn, b), bool, s);
  const [bx, by] = broadcastArgs(fn, [x, y], s);
  return node(prim, [bx!, by!], {}, s);
}
/** Elementwise logical and; nonzero inputs count as true. */
export function logicalAnd(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  return logical('logicalAnd', 'logicalAnd', a, b, opts);
}
/** Elementwise logical or; nonzero inputs count as true. */
export function logicalOr(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  return logical('logicalOr', 'logicalOr', a, b, opts);
}
/** Elementwise logical not; nonzero inputs count as true. */
export function logicalNot(a: ArrayInput, opts?: StreamOpt): Array {
  const s = streamOf('logicalNot', opts);
  return node('logicalNot', [astype(toArray('logicalNot', a), bool, s)], {}, s);
}

// ---- predicates ----------------------------------------------------------------------------

/** Whether each element is NaN (false for integer and bool inputs). */
export function isnan(a: ArrayInput, opts?: StreamOpt): Array {
  const s = streamOf('isnan', opts);
  const x = toArray('isnan', a);
  return x.dtype.isFloating ? node('isnan', [x], {}, s) : constant(false, x, bool, s);
}
/** Whether each element is +Infinity or -Infinity. */
export function isinf(a: ArrayInput, opts?: StreamOpt): Array {
  const s = streamOf('isinf', opts);
  const x = toArray('isinf', a);
  return x.dtype.isFloating ? node('isinf', [x], {}, s) : constant(false, x, bool, s);
}
/** Whether each element is +Infinity. */
export function isposinf(a: ArrayInput, opts?: StreamOpt): Array {
  const s = streamOf('isposinf', opts);
  const x = toArray('isposinf', a);
  return x.dtype.isFloating ? node('equal', [x, constant(Infinity, x, x.dtype, s)], {}, s) : constant(false, x, bool, s);
}
/** Whether each element is -Infinity. */
export function isneginf(a: ArrayInput, opts?: StreamOpt): Array {
  const s = streamOf('isneginf', opts);
  const x = toArray('isneginf', a);
  return x.dtype.isFloating ? node('equal', [x, constant(-Infinity, x, x.dtype, s)], {}, s) : constant(false, x, bool, s);
}
/** Whether each element is neither infinite nor NaN. */
export function isfinite(a: ArrayInput, opts?: StreamOpt): Array {
  const s = streamOf('isfinite', opts);
  const x = toArray('isfinite', a);
  if (!x.dtype.isFloating) return constant(true, x, bool, s);
  const bad = node('logicalOr', [node('isinf', [x], {}, s), node('isnan', [x], {}, s)], {}, s);
  return node('logicalNot', [bad], {}, s);
}

export interface NanToNumOpts {
  nan?: number;
  posinf?: number | null;
  neginf?: number | null;
  stream?: StreamOrDevice | null;
}

/** `nanToNum(a, nan=0, posinf?, neginf?)`: replaces NaN and infinities (by default with the dtype's finite extremes). */
export function nanToNum(a: ArrayInput, ...args: OptArgs<[nan?: number, posinf?: number | null, neginf?: number | null], NanToNumOpts>): Array {
  const fn = 'nanToNum';
  const x = toArray(fn, a);
  const o = parseOpts(fn, args, ['nan', 'posinf', 'neginf']);
  if (!x.dtype.isFloating) return x;
  const s = o.stream;
  const lim = dtypeLimits(x.dtype);
  let r = node('where', [node('isnan', [x], {}, s), constant(o.nan ?? 0, x, x.dtype, s), x], {}, s);
  r = node('where', [node('equal', [x, constant(Infinity, x, x.dtype, s)], {}, s), constant(o.posinf ?? lim.max, x, x.dtype, s), r], {}, s);
  r = node('where', [node('equal', [x, constant(-Infinity, x, x.dtype, s)], {}, s), constant(o.neginf ?? lim.min, x, x.dtype, s), r], {}, s);
  return r;
}

/** The input, with no gradient flowing back through it. */
export function stopGradient(a: ArrayInput, opts?: StreamOpt): Array {
  return node('stopGradient', [toArray('stopGradient', a)], {}, streamOf('stopGradient', opts));
}

// ---- bitwise (MLX's bitwise_and, ..., left_shift, right_shift, bitwise_invert) ------------------

type BitwiseBinary = 'bitwiseAnd' | 'bitwiseOr' | 'bitwiseXor';
/** What each of and, or and xor is on bool, where the bitwise and logical results agree. */
const logicalOfBitwise = { bitwiseAnd: 'logicalAnd', bitwiseOr: 'logicalOr', bitwiseXor: 'notEqual' } as const;

function integerArgs(fn: string, a: ArrayInput, b: ArrayInput, s: Stream): [Array, Array] {
  const [x, y] = binaryArgs(fn, a, b, s);
  if (!x.dtype.isInteger && x.dtype !== bool) {
    throw new Error(`${fn}: only integer and boolean types are supported, got ${describeDtypes(a, b, x)}`);
  }
  return [x, y];
}
function describeDtypes(a: ArrayInput, b: ArrayInput, promoted: Array): string {
  const dt = (v: ArrayInput) => (v instanceof Array ? v.dtype.name : typeof v === 'number' ? 'a JS number' : describeValue(v));
  return `${dt(a)} and ${dt(b)} (which promote to ${promoted.dtype.name})`;
}
function bitwiseBinary(fn: string, prim: BitwiseBinary, a: ArrayInput, b: ArrayInput, opts: StreamOpt | undefined): Array {
  const s = streamOf(fn, opts);
  const [x, y] = integerArgs(fn, a, b, s);
  return node(x.dtype === bool ? logicalOfBitwise[prim] : prim, [x, y], {}, s);
}
function shift(fn: string, prim: 'leftShift' | 'rightShift', a: ArrayInput, b: ArrayInput, opts: StreamOpt | undefined): Array {
  const s = streamOf(fn, opts);
  let [x, y] = integerArgs(fn, a, b, s);
  // As in MLX, bool shifts as uint8.
  if (x.dtype === bool) [x, y] = [astype(x, uint8, s), astype(y, uint8, s)];
  return node(prim, [x, y], {}, s);
}

/** Bitwise and of integer or bool arrays (bool gives the logical and). */
export function bitwiseAnd(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  return bitwiseBinary('bitwiseAnd', 'bitwiseAnd', a, b, opts);
}
/** Bitwise or of integer or bool arrays (bool gives the logical or). */
export function bitwiseOr(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  return bitwiseBinary('bitwiseOr', 'bitwiseOr', a, b, opts);
}
/** Bitwise exclusive or of integer or bool arrays (bool gives the logical xor). */
export function bitwiseXor(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  return bitwiseBinary('bitwiseXor', 'bitwiseXor', a, b, opts);
}
/**
 * `a << b` for integer arrays (bool shifts as uint8). Bits shifted out are lost; a count that is
 * negative or at least the dtype's width gives 0 (NumPy's result; MLX leaves it undefined).
 */
export function leftShift(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  return shift('leftShift', 'leftShift', a, b, opts);
}
/**
 * `a >> b` for integer arrays, arithmetic for signed dtypes (bool shifts as uint8). A count that
 * is negative or at least the dtype's width gives 0, or -1 for a negative `a` (NumPy's result).
 */
export function rightShift(a: ArrayInput, b: ArrayInput, opts?: StreamOpt): Array {
  return shift('rightShift', 'rightShift', a, b, opts);
}
/** `~a` for integer arrays; the logical not for bool, as in MLX. */
export function bitwiseInvert(a: ArrayInput, opts?: StreamOpt): Array {
  const fn = 'bitwiseInvert';
  const s = streamOf(fn, opts);
  const x = toArray(fn, a);
  if (x.dtype === bool) return node('logicalNot', [x], {}, s);
  if (!x.dtype.isInteger) throw new Error(`${fn}: only integer and boolean types are supported, got ${x.dtype.name}`);
  return node('bitwiseInvert', [x], {}, s);
}

export { astype };
