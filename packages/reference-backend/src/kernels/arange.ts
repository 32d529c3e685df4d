/** arange: element i is start + i * step in float64, then cast (the backend's rounding is the cast). */
import type { Params } from '@mlx-ts/core';
import type { Kernel } from '../kernel.js';

export const arangeKernel: Kernel<Params<'arange'>> = ({ params: { start, step, n } }) => {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = start + i * step;
  return out;
};
