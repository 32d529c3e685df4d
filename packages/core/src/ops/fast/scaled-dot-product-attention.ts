/**
 * `mx.fast.scaledDotProductAttention` (MLX's `mx.fast.scaled_dot_product_attention`): validates
 * and builds one `scaledDotProductAttention` node, whose kernels never hold the [Tq, Tk] scores.
 */
import { Array } from '../../array.js';
import type { StreamOrDevice } from '../../device.js';
import { bool, promoteTypes } from '../../dtype.js';
import { node } from '../../graph.js';
import { describeValue } from '../../describe.js';
import { broadcastShapes, fmtShape } from '../../shape.js';
import { type ArrayInput, astype, broadcastTo, type OptArgs, parseOpts, toArray } from '../convert.js';

/** An attention mask: additive (added to the scores), boolean (true keeps a score) or 'causal'. */
export type AttentionMaskInput = ArrayInput | 'causal';

/** Options of {@link scaledDotProductAttention}. */
export interface ScaledDotProductAttentionOpts {
  /** Multiplies the queries (typically `1 / sqrt(D)`); required, as in MLX. */
  scale?: number;
  /** 'causal', or an additive or boolean array broadcastable to [B, Hq, Tq, Tk]; none by default. */
  mask?: AttentionMaskInput | null;
  stream?: StreamOrDevice | null;
}

const maskKind = {
  what: "'causal' or an array (additive, or boolean where true keeps a score)",
  test: (v: unknown) => v === 'causal' || v instanceof Array || typeof v === 'number' || typeof v === 'boolean' || globalThis.Array.isArray(v),
};

/**
 * Multi-head attention `softmax(scale * q k^T + mask) v` over the keys, fused: the CPU kernel
 * runs each block of queries once over the keys and values with an online softmax, so the
 * [Tq, Tk] scores are never stored. q is [B, Hq, Tq, D], k [B, Hkv, Tk, D], v [B, Hkv, Tk, Dv]
 * with Hq a multiple of Hkv (grouped-query and multi-query attention: query head h reads
 * key/value head floor(h / (Hq / Hkv)); do not tile k and v). The result is [B, Hq, Tq, Dv] of
 * the inputs' promoted floating dtype; float16/bfloat16 accumulate in float32.
 *
 * `mask`: 'causal' keeps key j for query i when j <= i + Tk - Tq (MLX's lower-right alignment:
 * the queries are the last Tq positions); a boolean array keeps the scores where it is true (a
 * row with nothing kept averages the values, as MLX's); another array is added to the scores
 * and must promote to the result's dtype. Array masks have at most 4 dimensions and broadcast
 * to [B, Hq, Tq, Tk]. `scale` is required, as in MLX: `scaledDotProductAttention(q, k, v,
 * { scale: 1 / Math.sqrt(D), mask: 'causal' })`.
 */
export function scaledDotProductAttention(
  q: ArrayInput,
  k: ArrayInput,
  v: ArrayInput,
  ...args: OptArgs<[scale?: number, mask?: AttentionMaskInput | null], ScaledDotProductAttentionOpts>
): Array {
  const fn = 'scaledDotProductAttention';
  const o = parseOpts(fn, args, ['scale', 'mask'], { scale: 'number', mask: maskKind });
  if (o.scale === undefined || o.scale === null) {
    throw new Error(`${fn}: expected scale to be a number (MLX requires it; typically 1 / sqrt(D)), got ${describeValue(o.scale)}`);
  }
  const scale = o.scale as number;
  const names = ['q', 'k', 'v'] as const;
  const [Q, K, V] = [q, k, v].map((x, i) => {
    const a = toArray(fn, x);
    if (a.ndim !== 4) {
      const want = i === 0 ? '[B, Hq, Tq, D]' : i === 1 ? '[B, Hkv, Tk, D]' : '[B, Hkv, Tk, Dv]';
      throw new Error(`${fn}: expected ${names[i]} of rank 4 (${want}), got shape ${fmtShape(a.shape)}`);
    }
    return a;
  }) as [Array, Array, Array];
  const shapes = `q ${fmtShape(Q.shape)}, k ${fmtShape(K.shape)}, v ${fmtShape(V.shape)}`;
  const [b, hq, tq, d] = Q.shape as [number, number, number, number];
  const [, hkv, tk] = K.shape as [number, number, number, number];
  if (K.shape[0] !== b || V.shape[0] !== b) throw new Error(`${fn}: expected q, k and v of one batch size, got ${shapes}`);
  if (K.shape[3] !== d) throw new Error(`${fn}: expected q and k of one head dimension D (their last axis), got ${shapes}`);
  if (V.shape[1] !== hkv || V.shape[2] !== tk) throw new Error(`${fn}: expected k and v of one number of heads and one length (axes 1 and 2), got ${shapes}`);
  if (hkv === 0 ? hq !== 0 : hq % hkv !== 0) {
    throw new Error(`${fn}: expected the query heads (${hq}) to be a multiple of the key/value heads (${hkv}), got ${shapes}`);
  }
  const dt = promoteTypes(promoteTypes(Q.dtype, K.dtype), V.dtype);
  if (!dt.isFloating) {
    throw new Error(`${fn}: expected floating-point q, k and v, got ${Q.dtype.name}, ${K.dtype.name} and ${V.dtype.name} (cast with astype first)`);
  }
  const s = o.stream;
  const inputs = [astype(Q, dt, s), astype(K, dt, s), astype(V, dt, s)];
  const mask = o.mask as AttentionMaskInput | null | undefined;
  if (typeof mask === 'string' && mask !== 'causal') throw new Error(`${fn}: expected mask to be 'causal' or an array, got ${describeValue(mask)}`);
  if (mask != null && mask !== 'causal') {
    const m = toArray(fn, mask);
    const full = [b, hq, tq, tk];
    if (m.ndim > 4)
      throw new Error(`${fn}: expected a mask of at most 4 dimensions broadcastable to [B, Hq, Tq, Tk] = ${fmtShape(full)}, got shape ${fmtShape(m.shape)}`);
    let fits = true;
    try {
      fits = broadcastShapes(fn, m.shape, full).every((n, i) => n === full[i]);
    } catch {
      fits = false;
    }
    if (!fits) throw new Error(`${fn}: expected a mask broadcastable to [B, Hq, Tq, Tk] = ${fmtShape(full)}, got shape ${fmtShape(m.shape)}`);
    if (m.dtype !== bool && promoteTypes(m.dtype, dt) !== dt) {
      throw new Error(`${fn}: expected a boolean mask or an additive one whose dtype promotes to ${dt.name} (the result's), got ${m.dtype.name}`);
    }
    inputs.push(broadcastTo(m.dtype === bool ? m : astype(m, dt, s), full, s));
  }
  return node('scaledDotProductAttention', inputs, { scale, causal: mask === 'causal' }, s);
}
