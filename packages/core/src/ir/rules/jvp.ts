/**
 * Forward-mode rules (MLX's `Primitive::jvp`): the tangent of a primitive's output from the
 * tangents of its inputs (`null`: that input's tangent is zero). Rules build nodes with the `ad`
 * layer (ad.ts) and the shared derivative helpers (derivatives.ts).
 *
 * Piecewise-constant primitives (comparisons, floor, ceil, round, sign, floorDivide, argmax,
 * argsort, isnan, ...) have zero tangents, as in JAX and MLX. Primitives with integer outputs
 * (argmax, randomBits, ...) have no tangent at all: the transforms never ask (an integer array's
 * tangent is structurally zero, JAX's float0); their rules here return zeros.
 */
import type { Array } from '../../array.js';
import { reshapeNode as reshape, transposeNode as transpose, broadcastNode as broadcastTo } from '../../graph.js';
import {
  argReductions,
  binaryInteger,
  binaryPredicate,
  type CompiledParams,
  type Params,
  type Primitive,
  type ScatterMode,
  unaryInteger,
  unaryPredicate,
} from '../primitives.js';
import type { JvpRule, JvpTable, MultiJvpRule } from '../rules.js';
import { table } from '../table.js';
import { ad, astype, onesLike, zerosLike } from './ad.js';
import {
  binaryPartials,
  cumprodJvp,
  extremumMask,
  inlineCompiled,
  instrParams,
  maxWeights,
  productOfOthers,
  rulesFrom,
  scanSourceIndex,
  scatterExtremumWeights,
  scatterFns,
  type ScatterLike,
  scatterMulOthers,
  unaryDerivatives,
} from './derivatives.js';
import { convolutionJvp } from './convolution.js';
import { quantizedMatmulJvp } from './quantized.js';
import { layerNormJvp, rmsNormJvp, ropeJvp } from './fast-norm.js';
import { scaledDotProductAttentionJvp } from './scaled-dot-product-attention.js';
import { distributedJvp } from './distributed.js';
import { logcumsumexpJvp, viewJvp } from './logcumsumexp.js';
import { linalgJvp } from './linalg.js';
import { complexJvp } from './complex.js';

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
    const t = (jvpRules[ins.op as Primitive] as JvpRule<any>)(
      ins.args.map((r) => regs[r]!),
      ts,
      instrParams(ins),
      y,
    );
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
  return ([a, b], [ta, tb], _p, y) => ad.sumTerms([ta ? ad.multiply(ta, da(a!, b!, y)) : null, tb ? ad.multiply(tb, db(a!, b!, y)) : null], y);
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

/** remainder = a - b * floorDivide(a, b), the quotient piecewise constant: its tangent is zero. */
const divmodJvp: MultiJvpRule<Params<'divmod'>> = (_xs, [ta, tb], _p, [q, r]) => {
  const tr = ta && tb ? ad.subtract(ta, ad.multiply(tb, q!)) : ta ? ta : tb ? ad.negative(ad.multiply(tb, q!)) : zerosLike(r!);
  return [null, tr];
};

/** The values' tangent is the input's tangent at the chosen indices; the indices have none. */
const topkJvp: MultiJvpRule<Params<'topk'>> = ([x], [t], _p, [v, idx]) => [t ? ad.gatherAxis(t, idx!, x!.ndim - 1) : zerosLike(v!), null];

/** The core primitives' forward-mode (JVP) rules. */
export const jvpRules: JvpTable = {
  ...rulesFrom(
    unaryDerivatives,
    (f): JvpRule<any> =>
      ([x], [t], _p, y) =>
        t ? f(t, x!, y) : zerosLike(y),
  ),
  ...rulesFrom(binaryPartials, ([da, db]) => chain2(da, db)),
  abs: ([x], [t], _p, y) => (!t ? zerosLike(y) : x!.dtype.isComplex ? complexJvp.abs(x!, t, y) : unaryDerivatives.abs(t, x!, y)),
  // Unary.
  sign: zeroTangent,
  floor: zeroTangent,
  ceil: zeroTangent,
  round: zeroTangent,
  ...table(unaryPredicate, zeroTangent),
  ...table(unaryInteger, zeroTangent),
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
  divmod: divmodJvp,
  topk: topkJvp,
  ...table(binaryPredicate, zeroTangent),
  ...table(binaryInteger, zeroTangent),
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
  astype: (_xs, [t], p, y) => (t && p.dtype.isInexact ? astype(t, p.dtype) : zerosLike(y)),
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
  concatenate: (xs, ts, p, y) =>
    ts.some((t) => t)
      ? ad.concatenate(
          xs.map((x, i) => tangentOr0(ts[i], x)),
          p.axis,
        )
      : zerosLike(y),
  pad: (_xs, [t], p, y) => (t ? ad.pad(t, p.low, p.high, 0) : zerosLike(y)),
  gather: ([, idx], [t], p, y) => (t ? ad.gather(t, idx!, p.axis) : zerosLike(y)),
  gatherAxis: ([, idx], [t], p, y) => (t ? ad.gatherAxis(t, idx!, p.axis) : zerosLike(y)),
  scatter: scatterJvp('scatter'),
  scatterAxis: scatterJvp('scatterAxis'),
  matmul: ([a, b], [ta, tb], _p, y) => ad.sumTerms([ta ? ad.matmul(ta, b!) : null, tb ? ad.matmul(a!, tb) : null], y),
  arange: zeroTangent,
  randomBits: zeroTangent,
  compiled: compiledJvp,
  convolution: convolutionJvp,
  quantizedMatmul: quantizedMatmulJvp,
  rmsNorm: rmsNormJvp,
  layerNorm: layerNormJvp,
  rope: ropeJvp,
  scaledDotProductAttention: scaledDotProductAttentionJvp,
  ...distributedJvp,
  logcumsumexp: logcumsumexpJvp,
  view: viewJvp,
  ...linalgJvp,
  imag: complexJvp.imag,
  conjugate: complexJvp.conjugate,
  fft: complexJvp.fft,
};
