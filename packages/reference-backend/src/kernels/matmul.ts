/** Batched matrix product, accumulated in float64. */
import { type Params, shapeSize } from '@mlx-ts/core';
import type { Kernel } from '../kernel.js';

/** a [...B, M, K] times b [...B, K, N]; an empty K gives zeros. */
export const matmulKernel: Kernel<Params<'matmul'>> = ({ inputs: [a, b], shape }) => {
  const nd = shape.length;
  const m = shape[nd - 2]!;
  const n = shape[nd - 1]!;
  const k = a!.shape[nd - 1]!;
  const batches = shapeSize(shape.slice(0, -2));
  const A = a!.data,
    B = b!.data;
  const out = new Float64Array(batches * m * n);
  for (let bt = 0; bt < batches; bt++) {
    const aBase = bt * m * k,
      bBase = bt * k * n,
      oBase = bt * m * n;
    // i-k-j order: the inner loop walks rows of b and of the output contiguously.
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < k; p++) {
        const aip = A[aBase + i * k + p]!;
        const bRow = bBase + p * n;
        const oRow = oBase + i * n;
        for (let j = 0; j < n; j++) out[oRow + j]! += aip * B[bRow + j]!;
      }
    }
  }
  return out;
};
