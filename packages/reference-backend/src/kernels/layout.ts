/** Kernels that move elements without computing on them: concatenate and pad. */
import { contiguousStrides, type Params, shapeSize } from '@mlx-ts/core';
import type { Kernel } from '../kernel.js';
import { splitAtAxis, stridedOffsets } from '../strided.js';

/** Each input fills a band [start, start + len) of the output's axis. */
export const concatenateKernel: Kernel<Params<'concatenate'>> = ({ inputs, params: { axis }, shape }) => {
  const out = new Float64Array(shapeSize(shape));
  const [outer, total, inner] = splitAtAxis(shape, axis);
  let start = 0;
  for (const x of inputs) {
    const len = x.shape[axis]!;
    const band = len * inner;
    for (let o = 0; o < outer; o++) out.set(x.data.subarray(o * band, (o + 1) * band), (o * total + start) * inner);
    start += len;
  }
  return out;
};

/** The input lands in the output shifted by `low` on every axis; the rest is `value`. */
export const padKernel: Kernel<Params<'pad'>> = ({ inputs: [x], params: { low, value }, shape }) => {
  const out = new Float64Array(shapeSize(shape)).fill(value);
  const strides = contiguousStrides(shape);
  const origin = low.reduce((at, l, d) => at + l * strides[d]!, 0);
  const target = stridedOffsets(x!.shape, strides, origin);
  const data = x!.data;
  for (let i = 0; i < data.length; i++) out[target[i]!] = data[i]!;
  return out;
};
