/**
 * Indexing along one axis: gather (take), gatherAxis (takeAlongAxis) and their scatters.
 * Index handling, shared by all four: a negative index wraps once (i + n), then anything still
 * out of range clamps to [0, n - 1], as JAX's gathers do by default.
 */
import { type Dtype, type Params, type ScatterMode, shapeSize } from '@mlx-ts/core';
import { arithmetic, type Binary } from '../arith.js';
import type { Kernel } from '../kernel.js';
import { splitAtAxis } from '../strided.js';

function resolveIndex(i: number, n: number): number {
  const wrapped = i < 0 ? i + n : i;
  return Math.min(Math.max(wrapped, 0), n - 1);
}

/** How a scatter combines the current value with an update; `set` lets the last update (in row-major order) win. */
function combiner(mode: ScatterMode, d: Dtype): Binary {
  switch (mode) {
    case 'set':
      return (_, update) => update;
    case 'add':
      return arithmetic('add', d);
    case 'multiply':
      return arithmetic('multiply', d);
    case 'maximum':
      return arithmetic('maximum', d);
    case 'minimum':
      return arithmetic('minimum', d);
  }
}

/**
 * Visits every (source, target) pair of a take along `axis`: a is [outer, n, inner], the index
 * array has m elements, and element j of the indices selects row resolveIndex(idx[j]) of a.
 * `perLane` says whether the indices are one list shared by every (outer, inner) lane (take) or
 * an array shaped like the output with its own index per element (takeAlongAxis).
 */
function forEachTake(aShape: readonly number[], axis: number, idx: Float64Array, perLane: boolean, visit: (aAt: number, outAt: number) => void): void {
  const [outer, n, inner] = splitAtAxis(aShape, axis);
  if (n === 0) return; // nothing to read from an empty axis; outputs keep their fill
  const m = perLane ? idx.length / (outer * inner || 1) : idx.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < inner; i++) {
        const outAt = (o * m + j) * inner + i;
        const row = resolveIndex(perLane ? idx[outAt]! : idx[j]!, n);
        visit((o * n + row) * inner + i, outAt);
      }
    }
  }
}

function gather(perLane: boolean): Kernel<Params<'gather'>> {
  return ({ inputs: [a, idx], params: { axis }, shape }) => {
    const out = new Float64Array(shapeSize(shape));
    const src = a!.data;
    forEachTake(a!.shape, axis, idx!.data, perLane, (aAt, outAt) => {
      out[outAt] = src[aAt]!;
    });
    return out;
  };
}

/** (a, idx, updates shaped like the gather's output) -> a with the updates combined in. */
function scatter(perLane: boolean): Kernel<Params<'scatter'>> {
  return ({ inputs: [a, idx, updates], params: { axis, mode } }) => {
    const out = a!.data.slice();
    const f = combiner(mode, a!.dtype);
    const upd = updates!.data;
    forEachTake(a!.shape, axis, idx!.data, perLane, (aAt, updAt) => {
      out[aAt] = f(out[aAt]!, upd[updAt]!);
    });
    return out;
  };
}

export const gatherKernels: { readonly [P in 'gather' | 'gatherAxis' | 'scatter' | 'scatterAxis']: Kernel<Params<P>> } = {
  gather: gather(false),
  gatherAxis: gather(true),
  scatter: scatter(false),
  scatterAxis: scatter(true),
};
