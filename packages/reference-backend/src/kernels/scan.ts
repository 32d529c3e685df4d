/** Cumulative sums, products, maxima and minima along one axis. */
import type { Reduction, Scan, ScanParams } from '@mlx-ts/core';
import type { Kernel } from '../kernel.js';
import { splitAtAxis } from '../strided.js';
import { monoids } from './reduce.js';

/** An exclusive scan writes the running value before combining, so its first element is the identity. */
function scan(reduction: Reduction): Kernel<ScanParams> {
  const m = monoids[reduction];
  return ({ inputs: [x], params: { axis, reverse, inclusive } }) => {
    const [outer, len, inner] = splitAtAxis(x!.shape, axis);
    const data = x!.data;
    const f = m.combine(x!.dtype);
    const identity = m.identity(x!.dtype);
    const out = new Float64Array(data.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let acc = identity;
        for (let t = 0; t < len; t++) {
          const at = (o * len + (reverse ? len - 1 - t : t)) * inner + i;
          if (inclusive) {
            acc = f(acc, data[at]!);
            out[at] = acc;
          } else {
            out[at] = acc;
            acc = f(acc, data[at]!);
          }
        }
      }
    }
    return out;
  };
}

export const scanKernels: { readonly [S in Scan]: Kernel<ScanParams> } = {
  cumsum: scan('sum'),
  cumprod: scan('prod'),
  cummax: scan('max'),
  cummin: scan('min'),
};
