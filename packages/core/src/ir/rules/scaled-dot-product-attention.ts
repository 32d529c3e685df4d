/**
 * The scaledDotProductAttention primitive's transform rules, as compositions of matmul, softmax
 * and elementwise primitives (so they nest to any order). They rebuild the scores and the softmax
 * (the [Tq, Tk] matrix the fused forward never holds): correctness over memory for derivatives,
 * as MLX's fallback VJP. Grouped-query heads are a [Hkv, R] split of the query heads, with keys
 * and values broadcast over R (summed back over R in their cotangents). float16/bfloat16 compute
 * in float32 and round once, as the kernels do.
 */
import type { Array } from '../../array.js';
import { bool, type Dtype, dtypeLimits, float32 } from '../../dtype.js';
import { moveAxisNode, node, reshapeNode as reshape } from '../../graph.js';
import type { ScaledDotProductAttentionParams } from '../primitives.js';
import type { JvpRule, VjpRule, VmapRule } from '../rules.js';
import { ad } from './ad.js';

type P = ScaledDotProductAttentionParams;

/** The forward in [B, Hkv, R, T, .] pieces, in the computation's dtype, that every rule reuses. */
interface Attention {
  /** The queries times the scale, [B, Hkv, R, Tq, D]. */
  q: Array;
  /** Keys and values broadcast over R. */
  k: Array;
  v: Array;
  /** Where the scores are kept (a bool mask or causal), or null. */
  keep: Array | null;
  /** softmax of the masked scores, [B, Hkv, R, Tq, Tk]. */
  p: Array;
  /** A query-side [B, Hq, ...] array (a query, an output, a mask) as [B, Hkv, R, ...]. */
  split: (x: Array) => Array;
  /** A key-side [B, Hkv, ...] array broadcast over R. */
  spread: (x: Array) => Array;
  /** Back from [B, Hkv, R, ...] to [B, Hq, ...], in the primal dtype. */
  merge: (x: Array) => Array;
  /** A key-side cotangent summed over R, in the primal dtype. */
  reduce: (x: Array) => Array;
}

function attention([q, k, v, mask]: readonly Array[], p: P): Attention {
  const dtype: Dtype = q!.dtype;
  const c = dtype.size < 4 ? float32 : dtype;
  const [b, hq, tq] = q!.shape as [number, number, number, number];
  const [, hkv, tk] = k!.shape as [number, number, number, number];
  const r = hq / hkv;
  const split = (x: Array) => reshape(ad.astype(x, x.dtype === bool ? bool : c), [b, hkv, r, ...x.shape.slice(2)]);
  const spread = (x: Array) => ad.broadcastTo(reshape(ad.astype(x, c), [b, hkv, 1, ...x.shape.slice(2)]), [b, hkv, r, ...x.shape.slice(2)]);
  const q5 = ad.multiply(split(q!), p.scale);
  const k5 = spread(k!),
    v5 = spread(v!);
  let scores = ad.matmul(q5, ad.mT(k5));
  let keep: Array | null = null;
  if (p.causal) {
    const shape = [tq, tk];
    // Key j is visible to query i when j <= i + Tk - Tq: the queries are the last Tq positions.
    keep = ad.greaterEqual(ad.add(ad.iotaAlong(shape, 0), tk - tq), ad.iotaAlong(shape, 1));
  } else if (mask && mask.dtype === bool) keep = split(mask);
  if (keep) scores = ad.where(keep, scores, dtypeLimits(dtype).min);
  else if (mask) scores = ad.add(scores, split(mask));
  return {
    q: q5,
    k: k5,
    v: v5,
    keep,
    p: node('softmax', [scores], { axis: 4 }),
    split,
    spread,
    merge: (x) => ad.astype(reshape(x, [b, hq, ...x.shape.slice(3)]), dtype),
    reduce: (x) => ad.astype(reshape(ad.sum(x, [2]), [b, hkv, ...x.shape.slice(3)]), dtype),
  };
}

/** d softmax along the keys: p * (t - sum(p * t)). */
const softmaxTangent = (p: Array, t: Array): Array => ad.multiply(p, ad.subtract(t, ad.sum(ad.multiply(p, t), [4])));
/** A scores tangent or cotangent with the masked-out scores (constants) zeroed. */
const keptOnly = (a: Attention, t: Array): Array => (a.keep ? ad.where(a.keep, t, 0) : t);

export const scaledDotProductAttentionJvp: JvpRule<P> = (xs, [tq, tk, tv, tm], p, y) => {
  const a = attention(xs, p);
  const additive = tm && xs[3]!.dtype !== bool ? a.split(tm) : null;
  const scoreTerms = [tq ? ad.matmul(ad.multiply(a.split(tq), p.scale), ad.mT(a.k)) : null, tk ? ad.matmul(a.q, ad.mT(a.spread(tk))) : null, additive];
  const outTerms: (Array | null)[] = [tv ? ad.matmul(a.p, a.spread(tv)) : null];
  if (scoreTerms.some((t) => t)) {
    const ts = keptOnly(a, ad.sumTerms(scoreTerms, a.p));
    outTerms.push(ad.matmul(softmaxTangent(a.p, ts), a.v));
  }
  return outTerms.some((t) => t) ? a.merge(ad.sumTerms(outTerms, a.p)) : ad.zerosLike(y);
};

export const scaledDotProductAttentionVjp: VjpRule<P> = (xs, g, argnums, p) => {
  const a = attention(xs, p);
  const g5 = a.split(g);
  // The scores' cotangent, built once for whichever of q, k and the mask asks.
  let ds: Array | null = null;
  const scoresCotangent = () => (ds ??= keptOnly(a, softmaxTangent(a.p, ad.matmul(g5, ad.mT(a.v)))));
  return argnums.map((i) => {
    if (i === 0) return a.merge(ad.multiply(ad.matmul(scoresCotangent(), a.k), p.scale));
    if (i === 1) return a.reduce(ad.matmul(ad.mT(scoresCotangent()), a.q));
    if (i === 2) return a.reduce(ad.matmul(ad.mT(a.p), g5));
    if (i === 3 && xs.length === 4 && xs[3]!.dtype !== bool) return a.merge(scoresCotangent());
    throw new Error(`scaledDotProductAttention: VJP asked for argument ${i}, which has no derivative (the inputs are q, k, v and an additive mask)`);
  });
};

/** The mapped axis folds into the batch: every input moved to the front (broadcast there if unmapped) and merged with B. */
export const scaledDotProductAttentionVmap: VmapRule<P> = (xs, axes, p) => {
  const n = xs[axes.findIndex((ax) => ax !== null && ax !== undefined)]!.shape[axes.find((ax) => ax !== null && ax !== undefined)!]!;
  const folded = xs.map((x, i) => {
    const ax = axes[i];
    const front = ax === null || ax === undefined ? ad.broadcastTo(x, [n, ...x.shape]) : moveAxisNode(x, ax, 0);
    return reshape(front, [n * front.shape[1]!, ...front.shape.slice(2)]);
  });
  const out = node('scaledDotProductAttention', folded, p);
  return [reshape(out, [n, out.shape[0]! / n, ...out.shape.slice(1)]), 0];
};
