/** Cumulative sums, products, maxima, minima and log-sum-exps along one axis. */
import type { Scan, ScanParams } from '@mlx-ts/core';
import type { Kernel } from '../kernel.js';
import { splitAtAxis } from '../strided.js';
import { type Monoid, monoids } from './reduce.js';

/** log(e^a + e^b) with the larger term factored out; an infinite term (or the empty prefix, -inf) is returned as is. */
function logAddExp(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  const hi = Math.max(a, b),
    lo = Math.min(a, b);
  if (lo === -Infinity || hi === Infinity) return hi;
  return hi + Math.log1p(Math.exp(lo - hi));
}
const logAddExpMonoid: Monoid = { combine: () => logAddExp, identity: () => -Infinity };

/** An exclusive scan writes the running value before combining, so its first element is the identity. */
function scan(m: Monoid): Kernel<ScanParams> {
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
  cumsum: scan(monoids.sum),
  cumprod: scan(monoids.prod),
  cummax: scan(monoids.max),
  cummin: scan(monoids.min),
  logcumsumexp: scan(logAddExpMonoid),
};
