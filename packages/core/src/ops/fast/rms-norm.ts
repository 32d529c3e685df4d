import type { Array } from '../../array.js';
import type { StreamOpt } from '../../device.js';
import type { ArrayInput } from '../convert.js';
import { normNode } from './norm-args.js';

/**
 * MLX's `mx.fast.rms_norm`: root-mean-square normalization over the last axis,
 * `x * rsqrt(mean(x², -1) + eps) * weight`, in one pass per row (16-bit floats accumulate in float32).
 *
 * @param x - The input, at least 1-D.
 * @param weight - A [D] multiplier (D the size of x's last axis), or null for none.
 * @param eps - Added to the mean square for numerical stability.
 * @returns An array of x's shape; its dtype is x's promoted with the weight's (a floating dtype).
 */
export function rmsNorm(x: ArrayInput, weight: ArrayInput | null, eps: number, opts?: StreamOpt): Array {
  return normNode('rmsNorm', x, [['weight', weight, 1]], eps, opts);
}
