/**
 * Reverse-mode rules (MLX's `Primitive::vjp`): the cotangents of the inputs named in `argnums`
 * (in that order) from the output's cotangent.
 *
 * Like the JVP rules they build nodes directly with the `ad` layer (ad.ts), keeping the kernel
 * contracts, and every node they build has rules of its own, so reverse mode nests to any depth.
 *
 * Inputs with no derivative: the integer indices of gather/scatter and the key of randomBits throw
 * an Error naming the primitive and the argument (suggesting stopGradient). Piecewise-constant
 * primitives (comparisons, floor, sign, argmax, argsort, isnan, ...) give zero cotangents, as in
 * JAX and MLX. The transforms only ask for floating inputs (an integer array's cotangent is
 * structurally zero), so the throwing rules are reached only by direct calls.
 */
import type { Array } from '../../array.js';
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
import type { MultiVjpRule, VjpRule, VjpTable } from '../rules.js';
import { invertPerm } from '../../shape.js';
import { ad, onesLike, zerosLike } from './ad.js';
import {
  binaryPartials,
  cumprodVjp,
  extremumMask,
  inlineCompiled,
  instrParams,
  maxWeights,
  noDerivative,
  productOfOthers,
  rulesFrom,
  scanSourceIndex,
  scatterExtremumWeights,
  scatterFns,
  type ScatterLike,
  scatterMulOthers,
  scatterSetWinners,
  unaryDerivatives,
  unslice,
} from './derivatives.js';
import { table } from '../table.js';
import { convolutionVjp } from './convolution.js';
import { quantizedMatmulVjp } from './quantized.js';
import { layerNormVjp, rmsNormVjp, ropeVjp } from './fast-norm.js';
import { scaledDotProductAttentionVjp } from './scaled-dot-product-attention.js';
import { distributedVjp } from './distributed.js';
import { logcumsumexpVjp, viewVjp } from './logcumsumexp.js';
import { linalgVjp } from './linalg.js';
import { $inputs, $prim } from '../../array-keys.js';
import { complexVjp } from './complex.js';

type Maker = (() => Array) | null;

/** Cotangents for `argnums` from one maker per argument (`null`: no derivative, throws). */
function byArg(prim: string, argnums: readonly number[], makers: readonly Maker[], names?: readonly string[]): Array[] {
  return argnums.map((i) => {
    const m = makers[i];
    if (m === undefined) throw new Error(`${prim}: VJP asked for argument ${i}, but the primitive has ${makers.length} inputs`);
    if (m === null) throw noDerivative(prim, names?.[i] ?? `argument ${i}`, 'VJP');
    return m();
  });
}

/** All inputs have zero cotangents (piecewise-constant primitives). */
const zeroCotangent: VjpRule<any> = (primals, _g, argnums) => argnums.map((i) => zerosLike(primals[i]!));

/** A binary rule `[g * da, g * db]`. */
function chain2(da: (a: Array, b: Array, y: Array) => Array, db: (a: Array, b: Array, y: Array) => Array): VjpRule<any> {
  return ([a, b], g, argnums, _p, y) => byArg('binary', argnums, [() => ad.multiply(g, da(a!, b!, y)), () => ad.multiply(g, db(a!, b!, y))]);
}

/** Reverse mode through an inlined `compiled` program: cotangents flow back instruction by instruction. */
function compiledVjp(primals: readonly Array[], g: Array, argnums: readonly number[], p: CompiledParams): Array[] {
  const regs = inlineCompiled(primals, p);
  const ct: (Array | null)[] = regs.map(() => null);
  ct[regs.length - 1] = g;
  for (let k = p.instrs.length - 1; k >= 0; k--) {
    const ins = p.instrs[k]!;
    const r = p.nInputs + k;
    const gk = ct[r];
    if (!gk || ins.op === 'constant' || !regs[r]!.dtype.isFloating) continue;
    const xs = ins.args.map((a) => regs[a]!);
    const wanted = ins.args.flatMap((a, j) => (regs[a]!.dtype.isFloating ? [j] : []));
    if (wanted.length === 0) continue;
    const res = (vjpRules[ins.op as Primitive] as VjpRule<any>)(xs, gk, wanted, instrParams(ins), regs[r]!);
    wanted.forEach((j, i) => {
      const a = ins.args[j]!;
      const c = res[i]!.dtype === regs[a]!.dtype ? res[i]! : ad.astype(res[i]!, regs[a]!.dtype);
      ct[a] = ct[a] ? ad.add(ct[a]!, c) : c;
    });
  }
  return argnums.map((i) => ct[i] ?? zerosLike(primals[i]!));
}

function scatterVjp(prim: ScatterLike): VjpRule<{ axis: number; mode: ScatterMode }> {
  return ([a, idx, u], g, argnums, p, y) => {
    const f = scatterFns(prim, p.axis);
    const { gather, scatter } = f;
    const names = ['the array (argument 0)', 'the indices (argument 1)', 'the updates (argument 2)'];
    switch (p.mode) {
      case 'set':
        return byArg(
          prim,
          argnums,
          [() => scatter(g, idx!, zerosLike(u!), 'set'), null, () => ad.where(scatterSetWinners(gather, scatter, a!, idx!, u!), gather(g, idx!), 0)],
          names,
        );
      case 'add':
        return byArg(prim, argnums, [() => g, null, () => gather(g, idx!)], names);
      case 'multiply':
        return byArg(
          prim,
          argnums,
          [
            () => ad.multiply(g, scatter(onesLike(a!), idx!, u!, 'multiply')),
            null,
            () => ad.multiply(gather(g, idx!), scatterMulOthers(gather, scatter, a!, idx!, u!)),
          ],
          names,
        );
      case 'maximum':
      case 'minimum': {
        const { ma, mu, count } = scatterExtremumWeights(f, a!, idx!, u!, y);
        const share = ad.divide(g, count);
        return byArg(prim, argnums, [() => ad.multiply(share, ma), null, () => ad.multiply(gather(share, idx!), mu)], names);
      }
    }
  };
}

function extremumVjp(): VjpRule<{ axes: number[] }> {
  return ([x], g, argnums, p, y) =>
    argnums.map(() => {
      const { mask, count } = extremumMask(x!, y, p.axes);
      return ad.multiply(ad.broadcastTo(ad.divide(g, count), x!.shape), mask);
    });
}

function cumExtremumVjp(prim: 'cummax' | 'cummin'): VjpRule<{ axis: number; reverse: boolean; inclusive: boolean }> {
  return ([x], g, argnums, p, y) =>
    argnums.map(() => {
      const { idx, valid } = scanSourceIndex(prim, x!, p, y);
      return ad.scatterAxis(zerosLike(x!), idx, ad.where(valid, g, 0), p.axis, 'add');
    });
}

/** Only the remainder carries a derivative (a - b * q, q piecewise constant). */
const divmodVjp: MultiVjpRule<Params<'divmod'>> = ([a], [, gr], argnums, _p, [q]) =>
  argnums.map((i) => (gr ? (i === 0 ? gr : ad.negative(ad.multiply(gr, q!))) : zerosLike(a!)));

/** The values' cotangent goes back to where each value came from; the indices have none. */
const topkVjp: MultiVjpRule<Params<'topk'>> = ([x], [gv], argnums, _p, [, idx]) =>
  argnums.map(() => (gv ? ad.scatterAxis(zerosLike(x!), idx!, gv, x!.ndim - 1, 'add') : zerosLike(x!)));

/**
 * `transpose(g, perm)`, except that a matmul cotangent under a swap of its last two axes is built
 * the other way round, `(a b)ᵀ = bᵀ aᵀ`: the cotangent of a transposed matmul operand (nn.Linear's
 * weight, used as `x @ weight.T`) then comes out contiguous in the operand's own layout, where a
 * transposed view would make every elementwise consumer (an optimizer's update) read it strided.
 */
function transposedCotangent(g: Array, perm: readonly number[]): Array {
  const n = perm.length;
  const swapsLastTwo = n >= 2 && perm[n - 1] === n - 2 && perm[n - 2] === n - 1 && perm.slice(0, n - 2).every((ax, i) => ax === i);
  if (swapsLastTwo && g[$prim] === 'matmul') return ad.matmul(ad.mT(g[$inputs][1]!), ad.mT(g[$inputs][0]!));
  return ad.transpose(g, perm);
}

/** The core primitives' reverse-mode (VJP) rules. */
export const vjpRules: VjpTable = {
  ...rulesFrom(
    unaryDerivatives,
    (f): VjpRule<any> =>
      ([x], g, argnums, _p, y) =>
        argnums.map(() => f(g, x!, y)),
  ),
  ...rulesFrom(binaryPartials, ([da, db]) => chain2(da, db)),
  abs: ([x], g, argnums, _p, y) => argnums.map(() => (x!.dtype.isComplex ? complexVjp.abs(x!, g, y) : unaryDerivatives.abs(g, x!, y))),
  // Unary.
  sign: zeroCotangent,
  floor: zeroCotangent,
  ceil: zeroCotangent,
  round: zeroCotangent,
  ...table(unaryPredicate, zeroCotangent),
  ...table(unaryInteger, zeroCotangent),
  // Binary.
  add: (_xs, g, argnums) => argnums.map(() => g),
  subtract: (_xs, g, argnums) => byArg('subtract', argnums, [() => g, () => ad.negative(g)]),
  divide: ([, b], g, argnums, _p, y) => byArg('divide', argnums, [() => ad.divide(g, b!), () => ad.negative(ad.divide(ad.multiply(g, y), b!))]),
  maximum: ([a, b], g, argnums) => {
    const w = maxWeights('maximum', a!, b!);
    return argnums.map((i) => ad.multiply(g, w[i]!));
  },
  minimum: ([a, b], g, argnums) => {
    const w = maxWeights('minimum', a!, b!);
    return argnums.map((i) => ad.multiply(g, w[i]!));
  },
  floorDivide: zeroCotangent,
  divmod: divmodVjp,
  topk: topkVjp,
  ...table(binaryPredicate, zeroCotangent),
  ...table(binaryInteger, zeroCotangent),
  // Reductions (the output keeps the reduced axes as 1, so the cotangent broadcasts back).
  sum: ([x], g, argnums) => argnums.map(() => ad.broadcastTo(g, x!.shape)),
  prod: ([x], g, argnums, p) => argnums.map(() => ad.multiply(ad.broadcastTo(g, x!.shape), productOfOthers(x!, p.axes))),
  max: extremumVjp(),
  min: extremumVjp(),
  ...table(argReductions, zeroCotangent),
  // Scans: the transpose of a scan is the scan the other way.
  cumsum: (_xs, g, argnums, p) => argnums.map(() => ad.scan('cumsum', g, { ...p, reverse: !p.reverse })),
  cumprod: ([x], g, argnums, p) => argnums.map(() => cumprodVjp(x!, g, p)),
  cummax: cumExtremumVjp('cummax'),
  cummin: cumExtremumVjp('cummin'),
  // Others.
  astype: ([x], g, argnums) => argnums.map(() => (x!.dtype.isInexact ? ad.astype(g, x!.dtype) : zerosLike(x!))),
  stopGradient: zeroCotangent,
  where: ([c, a, b], g, argnums) => byArg('where', argnums, [() => zerosLike(c!), () => ad.where(c!, g, 0), () => ad.where(c!, 0, g)]),
  // The Jacobian diag(s) - s s^T is symmetric, so the cotangent rule is the tangent rule.
  logsumexp: ([x], g, argnums, _p, y) => argnums.map(() => ad.multiply(g, ad.exp(ad.subtract(x!, y)))),
  softmax: (_xs, g, argnums, p, y) => argnums.map(() => ad.multiply(y, ad.subtract(g, ad.sum(ad.multiply(y, g), [p.axis])))),
  sort: ([x], g, argnums, p) => argnums.map(() => ad.scatterAxis(zerosLike(x!), ad.argsortNode(x!, p.axis), g, p.axis, 'add')),
  argsort: zeroCotangent,
  reshape: ([x], g, argnums) => argnums.map(() => ad.reshape(g, x!.shape)),
  transpose: (_xs, g, argnums, p) => argnums.map(() => transposedCotangent(g, invertPerm(p.perm))),
  broadcastTo: ([x], g, argnums) => argnums.map(() => ad.sumTo(g, x!.shape)),
  slice: ([x], g, argnums, p) => argnums.map(() => unslice(g, x!.shape, p.start, p.step)),
  concatenate: (xs, g, argnums, p) => {
    const offsets: number[] = [];
    let off = 0;
    for (const x of xs) {
      offsets.push(off);
      off += x.shape[p.axis]!;
    }
    return argnums.map((i) => ad.sliceAxis(g, p.axis, offsets[i]!, offsets[i]! + xs[i]!.shape[p.axis]!));
  },
  pad: ([x], g, argnums, p) =>
    argnums.map(() => {
      // Negative pads crop: give the cropped elements zero cotangents, then cut the padding off.
      const restored = ad.pad(
        g,
        p.low.map((v) => Math.max(-v, 0)),
        p.high.map((v) => Math.max(-v, 0)),
        0,
      );
      return ad.slice(
        restored,
        p.low.map((v) => Math.max(v, 0)),
        x!.shape.map(() => 1),
        x!.shape,
      );
    }),
  gather: ([a, idx], g, argnums, p) =>
    byArg('gather', argnums, [() => ad.scatter(zerosLike(a!), idx!, g, p.axis, 'add'), null], ['the array (argument 0)', 'the indices (argument 1)']),
  gatherAxis: ([a, idx], g, argnums, p) =>
    byArg('gatherAxis', argnums, [() => ad.scatterAxis(zerosLike(a!), idx!, g, p.axis, 'add'), null], ['the array (argument 0)', 'the indices (argument 1)']),
  scatter: scatterVjp('scatter'),
  scatterAxis: scatterVjp('scatterAxis'),
  matmul: ([a, b], g, argnums) => byArg('matmul', argnums, [() => ad.matmul(g, ad.mT(b!)), () => ad.matmul(ad.mT(a!), g)]),
  arange: (_xs, _g, argnums) => byArg('arange', argnums, []),
  randomBits: (_xs, _g, argnums) => byArg('randomBits', argnums, [null], ['the key (argument 0)']),
  compiled: compiledVjp,
  convolution: convolutionVjp,
  quantizedMatmul: quantizedMatmulVjp,
  rmsNorm: rmsNormVjp,
  layerNorm: layerNormVjp,
  rope: ropeVjp,
  scaledDotProductAttention: scaledDotProductAttentionVjp,
  ...distributedVjp,
  logcumsumexp: logcumsumexpVjp,
  view: viewVjp,
  ...linalgVjp,
  imag: complexVjp.imag,
  conjugate: complexVjp.conjugate,
  fft: complexVjp.fft,
};
