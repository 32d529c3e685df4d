/** Scaled dot-product attention by direct loops: each query's scores, their softmax, the weighted values, in float64. */
import { bool, dtypeLimits, type Params, shapeSize } from '@mlx-ts/core';
import type { Kernel } from '../kernel.js';

export const scaledDotProductAttentionKernel: Kernel<Params<'scaledDotProductAttention'>> = ({ inputs: [q, k, v, mask], params: p, shape }) => {
  const [b, hq, tq, d] = q!.shape as [number, number, number, number];
  const [, hkv, tk] = k!.shape as [number, number, number, number];
  const dv = shape[3]!;
  const lowest = dtypeLimits(q!.dtype).min;
  const isBool = mask !== undefined && mask.dtype === bool;
  const out = new Float64Array(shapeSize(shape));
  const s = new Float64Array(tk);
  for (let bi = 0; bi < b; bi++) {
    for (let h = 0; h < hq; h++) {
      const kh = bi * hkv + Math.floor(h / (hq / hkv));
      for (let i = 0; i < tq; i++) {
        const row = (bi * hq + h) * tq + i;
        let m = -Infinity;
        for (let j = 0; j < tk; j++) {
          let acc = 0;
          for (let c = 0; c < d; c++) acc += p.scale * q!.data[row * d + c]! * k!.data[(kh * tk + j) * d + c]!;
          const mv = mask ? mask.data[row * tk + j]! : 0;
          if (p.causal ? j > i + tk - tq : isBool && mv === 0) acc = lowest;
          else if (mask && !isBool) acc += mv;
          s[j] = acc;
          if (acc > m || Number.isNaN(acc)) m = Number.isNaN(m) ? m : acc;
        }
        if (m === Infinity || m === -Infinity) m = 0;
        let sum = 0;
        for (let j = 0; j < tk; j++) sum += s[j] = Math.exp(s[j]! - m);
        for (let c = 0; c < dv; c++) {
          let acc = 0;
          for (let j = 0; j < tk; j++) acc += s[j]! * v!.data[(kh * tk + j) * dv + c]!;
          out[row * dv + c] = tk === 0 ? 0 : acc / sum; // no keys: zeros, as a softmax over nothing times no values
        }
      }
    }
  }
  return out;
};
