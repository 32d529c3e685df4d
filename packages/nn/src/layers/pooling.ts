/**
 * Pooling over the spatial axes of channels-last inputs (NLC, NHWC, NDHWC), as MLX's pooling
 * layers: pad (with -inf for max, 0 for average, so padding counts in the average as in MLX), then
 * reduce each window. Built from views and reductions only, so every transform differentiates it.
 */
import { Array, concatenate, expandDims, fmtShape, max, mean, pad, reshape, sliceArray, transpose } from '@mlx-ts/core';

export type PoolKind = 'max' | 'avg';

/**
 * Windows of `x` ([B, ...spatial, C], already padded) gathered as [B, ...out, K, C] with K the window
 * size, or (stride == kernel tiling the input exactly) as [B, ...out, ...kernel, C] by a reshape.
 * Returns the windows and the axes to reduce.
 */
function windows(x: Array, kernel: readonly number[], stride: readonly number[]): [Array, number[]] {
  const n = kernel.length;
  const spatial = x.shape.slice(1, -1);
  const c = x.shape[x.ndim - 1]!;
  if (kernel.every((k, i) => k === stride[i] && spatial[i]! % k === 0)) {
    // Non-overlapping windows: split each spatial axis into (out, k) and move the k axes last but one.
    const split = [x.shape[0]!, ...spatial.flatMap((s, i) => [s / kernel[i]!, kernel[i]!]), c];
    const perm = [0, ...kernel.map((_, i) => 1 + 2 * i), ...kernel.map((_, i) => 2 + 2 * i), 2 * n + 1];
    return [transpose(reshape(x, split), perm), kernel.map((_, i) => n + 1 + i)];
  }
  const out = spatial.map((s, i) => Math.floor((s - kernel[i]!) / stride[i]!) + 1);
  // One strided view per offset inside the window; the views stack on a new axis before C.
  const views: Array[] = [];
  const offsets = (d: number, acc: number[]): void => {
    if (d === n) {
      const start = [0, ...acc, 0];
      const stop = [x.shape[0]!, ...acc.map((o, i) => o + (out[i]! - 1) * stride[i]! + 1), c];
      const step = [1, ...stride, 1];
      views.push(expandDims(sliceArray(x, start, stop, step), -2));
      return;
    }
    for (let o = 0; o < kernel[d]!; o++) offsets(d + 1, [...acc, o]);
  };
  offsets(0, []);
  return [concatenate(views, -2), [n + 1]];
}

/** Max or average pooling of `x` with per-axis kernel, stride and (symmetric) padding; `fn` names the caller in errors. */
export function pool(fn: string, kind: PoolKind, x: Array, kernel: readonly number[], stride: readonly number[], padding: readonly number[]): Array {
  const n = kernel.length;
  if (!(x instanceof Array)) throw new Error(`${fn}: expected the input to be an Array`);
  if (x.ndim !== n + 2) {
    throw new Error(`${fn}: expected a ${n + 2}-D input (batch, ${n} spatial axes, channels last), got shape ${fmtShape(x.shape)}`);
  }
  let y = x;
  if (padding.some((p) => p > 0)) {
    y = pad(x, [[0, 0], ...padding.map((p) => [p, p] as [number, number]), [0, 0]], 'constant', kind === 'max' ? -Infinity : 0);
  }
  const spatial = y.shape.slice(1, -1);
  spatial.forEach((s, i) => {
    if (s < kernel[i]!) {
      throw new Error(`${fn}: kernel size ${kernel[i]} is larger than spatial axis ${i} of size ${s}${padding[i]! > 0 ? ' (padded)' : ''} of input shape ${fmtShape(x.shape)}`);
    }
  });
  const [w, axes] = windows(y, kernel, stride);
  return kind === 'max' ? max(w, axes) : mean(w, axes);
}
