/** mx.fast's rmsNorm, layerNorm and rope in float64 (the output's dtype rounds them on store). */
import type { Params } from '@mlx-ts/core';
import type { Kernel } from '../kernel.js';

/** Calls `row(start, d)` for every row of the last axis. */
function eachRow(shape: readonly number[], row: (start: number, d: number) => void): void {
  const d = shape[shape.length - 1]!;
  const rows = d === 0 ? 0 : shape.reduce((n, k) => n * k, 1) / d;
  for (let r = 0; r < rows; r++) row(r * d, d);
}

export const rmsNormKernel: Kernel<Params<'rmsNorm'>> = ({ inputs: [x, w], params: { eps } }) => {
  const out = new Float64Array(x!.data.length);
  eachRow(x!.shape, (start, d) => {
    let ss = 0;
    for (let k = 0; k < d; k++) ss += x!.data[start + k]! ** 2;
    const r = 1 / Math.sqrt(ss / d + eps);
    for (let k = 0; k < d; k++) out[start + k] = x!.data[start + k]! * r * w!.data[k]!;
  });
  return out;
};

export const layerNormKernel: Kernel<Params<'layerNorm'>> = ({ inputs: [x, w, b], params: { eps } }) => {
  const out = new Float64Array(x!.data.length);
  eachRow(x!.shape, (start, d) => {
    let sum = 0;
    for (let k = 0; k < d; k++) sum += x!.data[start + k]!;
    const mean = sum / d;
    let ss = 0;
    for (let k = 0; k < d; k++) ss += (x!.data[start + k]! - mean) ** 2;
    const r = 1 / Math.sqrt(ss / d + eps);
    for (let k = 0; k < d; k++) out[start + k] = (x!.data[start + k]! - mean) * r * w!.data[k]! + b!.data[k]!;
  });
  return out;
};

export const ropeKernel: Kernel<Params<'rope'>> = ({ inputs: [x, offset, freqs], params: p }) => {
  const out = Float64Array.from(x!.data);
  const shape = x!.shape;
  const d = shape[shape.length - 1]!;
  const t = shape[shape.length - 2]!;
  const batch = shape[0]!;
  const perBatch = batch === 0 ? 0 : x!.data.length / batch;
  const half = p.dims / 2;
  // Pair i's partner: the next feature (traditional) or the one half of dims on.
  const first = (i: number): number => (p.traditional ? 2 * i : i);
  const second = (i: number): number => (p.traditional ? 2 * i + 1 : i + half);
  const sign = p.forward ? 1 : -1;
  for (let b = 0; b < batch; b++) {
    const off = offset!.data[offset!.data.length === 1 ? 0 : b]!;
    for (let row = 0; row < perBatch / d; row++) {
      const pos = (off + (row % t)) * p.scale;
      const start = b * perBatch + row * d;
      for (let i = 0; i < half; i++) {
        const theta = pos * (freqs ? 1 / freqs.data[i]! : p.base ** (-i / half));
        const c = Math.cos(theta),
          s = sign * Math.sin(theta);
        const x1 = x!.data[start + first(i)]!,
          x2 = x!.data[start + second(i)]!;
        out[start + first(i)] = x1 * c - x2 * s;
        out[start + second(i)] = x1 * s + x2 * c;
      }
    }
  }
  return out;
};
