/** quantizedMatmul in float64, reading MLX's packed codes one at a time. */
import type { Params } from '@mlx-ts/core';
import type { Kernel } from '../kernel.js';

/** Code `i` of the bit stream starting at word `base` of `w` (a code may straddle two words). */
function code(w: Float64Array, base: number, i: number, bits: number): number {
  const bit = i * bits;
  const word = base + Math.floor(bit / 32),
    off = bit % 32;
  let v = w[word]! >>> off;
  if (off + bits > 32) v |= w[word + 1]! << (32 - off);
  return (v & ((1 << bits) - 1)) >>> 0;
}

/** out[r, n] = sum_k x[r, k] * W[k, n], W the dequantized matrix (transposed when `transpose`). */
export const quantizedMatmulKernel: Kernel<Params<'quantizedMatmul'>> = ({ inputs: [x, w, s, b], params: { groupSize, bits, transpose }, shape }) => {
  const words = w!.shape[1]!;
  const cols = (words * 32) / bits;
  const groups = cols / groupSize;
  const n = shape[shape.length - 1]!;
  const k = x!.shape[x!.shape.length - 1]!;
  const rows = k === 0 ? 0 : x!.data.length / k;
  const out = new Float64Array(shape.reduce((a, d) => a * d, 1));
  // W[row, col] of the stored orientation: w's row `row`, code `col`.
  const weight = (row: number, col: number): number => {
    const g = row * groups + Math.floor(col / groupSize);
    return code(w!.data, row * words, col, bits) * s!.data[g]! + b!.data[g]!;
  };
  for (let j = 0; j < n; j++) {
    for (let p = 0; p < k; p++) {
      const wv = transpose ? weight(j, p) : weight(p, j);
      for (let r = 0; r < rows; r++) out[r * n + j]! += x!.data[r * k + p]! * wv;
    }
  }
  return out;
};
