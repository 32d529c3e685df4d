/** softmax and logsumexp along one axis, in float64 (the output's dtype rounds it on store). */
import type { Params } from '@mlx-ts/core';
import type { Kernel } from '../kernel.js';
import { splitAtAxis } from '../strided.js';

/**
 * Calls `lane` for each lane along `axis` with its element offsets' function, the lane's max
 * (NaN if any element is, 0 where it is infinite, as ops' safe max) and sum(exp(x - max)).
 */
function eachLane(
  x: { data: Float64Array; shape: readonly number[] },
  axis: number,
  lane: (o: number, i: number, at: (k: number) => number, m: number, sum: number) => void,
): void {
  const [outer, len, inner] = splitAtAxis(x.shape, axis);
  const data = x.data;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (k: number) => (o * len + k) * inner + i;
      let m = -Infinity;
      for (let k = 0; k < len && !Number.isNaN(m); k++) {
        const v = data[at(k)]!;
        if (v > m || Number.isNaN(v)) m = v;
      }
      if (m === Infinity || m === -Infinity) m = 0;
      let sum = 0;
      for (let k = 0; k < len; k++) sum += Math.exp(data[at(k)]! - m);
      lane(o, i, at, m, sum);
    }
  }
}

export const softmaxKernel: Kernel<Params<'softmax'>> = ({ inputs: [x], params: { axis } }) => {
  const out = new Float64Array(x!.data.length);
  eachLane(x!, axis, (_o, _i, at, m, sum) => {
    for (let k = 0; k < x!.shape[axis]!; k++) out[at(k)] = Math.exp(x!.data[at(k)]! - m) / sum;
  });
  return out;
};

export const logsumexpKernel: Kernel<Params<'logsumexp'>> = ({ inputs: [x], params: { axis } }) => {
  const [outer, , inner] = splitAtAxis(x!.shape, axis);
  const out = new Float64Array(outer * inner);
  eachLane(x!, axis, (o, i, _at, m, sum) => (out[o * inner + i] = Math.log(sum) + m));
  return out;
};
