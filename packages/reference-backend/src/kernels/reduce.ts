/** Reductions over axes (kept as size 1) and arg-reductions along one axis. */
import { contiguousStrides, type Dtype, dtypeLimits, type Params, type Reduction, shapeSize } from '@mlx-ts/core';
import { arithmetic, type Binary } from '../arith.js';
import type { Kernel } from '../kernel.js';
import { splitAtAxis, stridedOffsets } from '../strided.js';

export interface Monoid {
  identity(d: Dtype): number;
  combine(d: Dtype): Binary;
}

/** max and min start from -inf/+inf on floats and from the dtype's range on integers (bool: 0 and 1). */
export const monoids: { readonly [R in Reduction]: Monoid } = {
  sum: { identity: () => 0, combine: (d) => arithmetic('add', d) },
  prod: { identity: () => 1, combine: (d) => arithmetic('multiply', d) },
  max: { identity: (d) => (d.isFloating ? -Infinity : dtypeLimits(d).min), combine: () => Math.max },
  min: { identity: (d) => (d.isFloating ? Infinity : dtypeLimits(d).max), combine: () => Math.min },
};

function reduction(m: Monoid): Kernel<Params<Reduction>> {
  return ({ inputs: [x], params: { axes }, shape }) => {
    const out = new Float64Array(shapeSize(shape)).fill(m.identity(x!.dtype));
    // Each input element lands on the output element with its reduced coordinates set to 0.
    const strides = contiguousStrides(shape).map((s, i) => (axes.includes(i) ? 0 : s));
    const target = stridedOffsets(x!.shape, strides, 0);
    const f = m.combine(x!.dtype);
    const data = x!.data;
    for (let i = 0; i < data.length; i++) {
      const t = target[i]!;
      out[t] = f(out[t]!, data[i]!);
    }
    return out;
  };
}

export const reduceKernels: { readonly [R in Reduction]: Kernel<Params<R>> } = {
  sum: reduction(monoids.sum),
  prod: reduction(monoids.prod),
  max: reduction(monoids.max),
  min: reduction(monoids.min),
};

/** First index of the extreme along the axis; NaN beats everything (NumPy), so the first NaN wins. */
function argReduction(better: (v: number, best: number) => boolean): Kernel<Params<'argmax'>> {
  return ({ inputs: [x], params: { axis } }) => {
    const [outer, len, inner] = splitAtAxis(x!.shape, axis);
    const data = x!.data;
    const out = new Float64Array(outer * inner);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * len * inner + i;
        let best = 0;
        let bestValue = data[base]!;
        for (let k = 1; k < len && !Number.isNaN(bestValue); k++) {
          const v = data[base + k * inner]!;
          if (Number.isNaN(v) || better(v, bestValue)) {
            best = k;
            bestValue = v;
          }
        }
        out[o * inner + i] = best;
      }
    }
    return out;
  };
}

export const argmaxKernel = argReduction((v, best) => v > best);
export const argminKernel = argReduction((v, best) => v < best);
