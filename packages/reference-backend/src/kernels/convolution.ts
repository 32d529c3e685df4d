/** Convolution by direct loops over every output element, kernel tap and input channel. */
import { type Params, shapeSize } from '@mlx-ts/core';
import type { Kernel } from '../kernel.js';

/** Row-major strides of a shape. */
function stridesOf(shape: readonly number[]): number[] {
  const out = shape.map(() => 1);
  for (let d = shape.length - 2; d >= 0; d--) out[d] = out[d + 1]! * shape[d + 1]!;
  return out;
}

/** Calls f with every multi-index of `shape` in row-major order. */
function forEachIndex(shape: readonly number[], f: (idx: readonly number[]) => void): void {
  if (shape.some((d) => d === 0)) return;
  const idx = shape.map(() => 0);
  for (;;) {
    f(idx);
    let d = shape.length - 1;
    while (d >= 0 && ++idx[d]! === shape[d]) idx[d--] = 0;
    if (d < 0) return;
  }
}

export const convolutionKernel: Kernel<Params<'convolution'>> = ({ inputs: [x, w], params: p, shape }) => {
  const nsp = shape.length - 2;
  const X = x!.data,
    W = w!.data;
  const xs = stridesOf(x!.shape),
    ws = stridesOf(w!.shape);
  const cinG = w!.shape[nsp + 1]!,
    cout = shape[nsp + 1]!,
    coutG = cout / p.groups;
  const kshape = w!.shape.slice(1, nsp + 1);
  const out = new Float64Array(shapeSize(shape));
  let at = 0;
  forEachIndex(shape.slice(0, nsp + 1), (o) => {
    const n = o[0]!;
    for (let co = 0; co < cout; co++) {
      const g = Math.floor(co / coutG);
      let acc = 0;
      forEachIndex(kshape, (k) => {
        let xo = n * xs[0]! + g * cinG;
        let wo = co * ws[0]!;
        for (let d = 0; d < nsp; d++) {
          // The tap's position in the dilated, padded input; only multiples of the dilation hold data.
          const pos = o[d + 1]! * p.stride[d]! + k[d]! * p.kernelDilation[d]! - p.paddingLow[d]!;
          const id = p.inputDilation[d]!;
          if (pos < 0 || pos % id !== 0 || pos / id >= x!.shape[d + 1]!) return;
          xo += (pos / id) * xs[d + 1]!;
          wo += (p.flip ? kshape[d]! - 1 - k[d]! : k[d]!) * ws[d + 1]!;
        }
        for (let c = 0; c < cinG; c++) acc += X[xo + c]! * W[wo + c]!;
      });
      out[at++] = acc;
    }
  });
  return out;
};
