// The two pieces of the model that mx.fast will provide as fused kernels (issue 11), written here as
// compositions of core ops with mx.fast's semantics, so that switching to the fused kernels is a
// change to this file only:
//   rope(x, offset)            -> mx.fast.rope(x, x.shape.at(-1), { traditional: false, base: ROPE_BASE, scale: 1, offset })
//   attention(q, k, v, mask)   -> mx.fast.scaledDotProductAttention(q, k, v, { scale: 1 / Math.sqrt(q.shape.at(-1)), mask })
import * as mx from 'mlx-ts';

/** RoPE's base (MLX's default and the original paper's). */
export const ROPE_BASE = 10000;

/**
 * Rotary position embedding of x [B, H, T, D] for positions offset, offset + 1, ...: MLX's
 * non-traditional layout, where feature i is rotated together with feature i + D/2 by the angle
 * position * base^(-2i/D).
 */
export function rope(x, offset = 0) {
  const [T, D] = x.shape.slice(-2);
  const half = D / 2;
  const inverseFrequencies = mx.exp(mx.multiply(mx.arange(0, half), -Math.log(ROPE_BASE) / half));
  const angles = mx.multiply(mx.expandDims(mx.arange(offset, offset + T), 1), mx.expandDims(inverseFrequencies, 0));
  const [cos, sin] = [mx.cos(angles), mx.sin(angles)];
  const [x1, x2] = [x.index('...', `:${half}`), x.index('...', `${half}:`)];
  return mx.concatenate([mx.subtract(mx.multiply(x1, cos), mx.multiply(x2, sin)), mx.add(mx.multiply(x1, sin), mx.multiply(x2, cos))], -1);
}

/**
 * Softmax attention of q [B, H, T, D] over k, v [B, H, S, D], scaled by 1/√D. mask: 'causal' (query i
 * sees keys up to i + S - T: the queries are the last T positions, as when a cache holds the first
 * S - T) or null (every key).
 */
export function attention(q, k, v, mask) {
  const [T, D] = q.shape.slice(-2);
  const S = k.shape.at(-2);
  let scores = mx.matmul(mx.multiply(q, 1 / Math.sqrt(D)), mx.swapaxes(k, -1, -2));
  if (mask === 'causal') {
    const visible = mx.lessEqual(mx.expandDims(mx.arange(S), 0), mx.expandDims(mx.arange(S - T, S), 1));
    scores = mx.where(visible, scores, -Infinity);
  } else if (mask != null) throw new Error(`attention: expected mask 'causal' or null, got ${mask}`);
  return mx.matmul(mx.softmax(scores, -1), v);
}
