/** sort and argsort along one axis: ascending, stable, NaN last. */
import type { Params } from '@mlx-ts/core';
import type { Kernel, MultiKernel } from '../kernel.js';
import { splitAtAxis } from '../strided.js';

function ascendingNaNLast(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts each lane along the axis; the output holds the sorted values or the indices they came from. */
function sortLanes(result: 'values' | 'indices'): Kernel<Params<'sort'>> {
  return ({ inputs: [x], params: { axis } }) => {
    const [outer, len, inner] = splitAtAxis(x!.shape, axis);
    const data = x!.data;
    const out = new Float64Array(data.length);
    const order = new Array<number>(len);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const at = (k: number) => (o * len + k) * inner + i;
        for (let k = 0; k < len; k++) order[k] = k;
        // Array.prototype.sort is stable (ES2019), so equal values keep their order.
        order.sort((p, q) => ascendingNaNLast(data[at(p)]!, data[at(q)]!));
        for (let k = 0; k < len; k++) out[at(k)] = result === 'values' ? data[at(order[k]!)]! : order[k]!;
      }
    }
    return out;
  };
}

export const sortKernel = sortLanes('values');
export const argsortKernel = sortLanes('indices');

/** topk along the last axis: values and indices, largest first, NaN largest, ties in index order. */
export const topkKernel: MultiKernel<Params<'topk'>> = ({ inputs: [x], params: { k } }) => {
  const data = x!.data;
  const len = x!.shape[x!.shape.length - 1] ?? 1;
  const lanes = len === 0 ? 0 : data.length / len;
  const values = new Float64Array(lanes * k),
    indices = new Float64Array(lanes * k);
  const order = new Array<number>(len);
  for (let l = 0; l < lanes; l++) {
    for (let j = 0; j < len; j++) order[j] = j;
    // Stable, so among equal values the lower index comes first.
    order.sort((p, q) => ascendingNaNLast(data[l * len + q]!, data[l * len + p]!));
    for (let j = 0; j < k; j++) {
      values[l * k + j] = data[l * len + order[j]!]!;
      indices[l * k + j] = order[j]!;
    }
  }
  return [values, indices];
};
