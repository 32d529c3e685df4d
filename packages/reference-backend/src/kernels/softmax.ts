/** softmax along one axis, in float64 (the output's dtype rounds it on store). */
import type { Params } from '@mlx-ts/core';
import type { Kernel } from '../kernel.js';
import { splitAtAxis } from '../strided.js';

export const softmaxKernel: Kernel<Params<'softmax'>> = ({ inputs: [x], params: { axis } }) => {
  const [outer, len, inner] = splitAtAxis(x!.shape, axis);
  const data = x!.data;
  const out = new Float64Array(data.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (k: number) => (o * len + k) * inner + i;
      // The lane's max (NaN if any is NaN), replaced by 0 where infinite, as ops' safe max.
      let m = -Infinity;
      for (let k = 0; k < len; k++) {
        const v = data[at(k)]!;
        if (v > m || Number.isNaN(v)) m = v;
        if (Number.isNaN(v)) break;
      }
      if (m === Infinity || m === -Infinity) m = 0;
      let sum = 0;
      for (let k = 0; k < len; k++) sum += (out[at(k)] = Math.exp(data[at(k)]! - m));
      for (let k = 0; k < len; k++) out[at(k)] = out[at(k)]! / sum;
    }
  }
  return out;
};
