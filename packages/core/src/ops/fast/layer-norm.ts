import type { Array } from '../../array.js';
import type { StreamOpt } from '../../device.js';
import type { ArrayInput } from '../convert.js';
import { normNode } from './norm-args.js';

/**
 * MLX's `mx.fast.layer_norm`: layer normalization over the last axis,
 * `(x - mean(x)) * rsqrt(var(x) + eps) * weight + bias`, in one pass per row (16-bit floats
 * accumulate in float32).
 *
 * @param x - The input, at least 1-D.
 * @param weight - A [D] multiplier (D the size of x's last axis), or null for none.
 * @param bias - A [D] offset, or null for none.
 * @param eps - Added to the variance for numerical stability.
 * @returns An array of x's shape; its dtype is x's promoted with the weight's (and the bias's when
 *   there is a weight), a floating dtype.
 */
export function layerNorm(x: ArrayInput, weight: ArrayInput | null, bias: ArrayInput | null, eps: number, opts?: StreamOpt): Array {
  return normNode(
    'layerNorm',
    x,
    [
      ['weight', weight, 1],
      ['bias', bias, 0],
    ],
    eps,
    opts,
  );
}
