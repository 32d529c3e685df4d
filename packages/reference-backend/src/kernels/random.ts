/**
 * randomBits: JAX's threefry2x32 (20 rounds) in JAX's layout, so keys give the bits JAX gives.
 * All arithmetic is uint32: `>>> 0` after every addition, rotations on 32 bits.
 */
import { type Params, shapeSize } from '@mlx-ts/core';
import type { Kernel } from '../kernel.js';

const ROTATIONS = [
  [13, 15, 26, 6],
  [17, 29, 16, 24],
] as const;

const rotl = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0;

/** One block of threefry2x32-20: key (k0, k1) and counter (x0, x1) to two uint32 words. */
export function threefry2x32(k0: number, k1: number, x0: number, x1: number): [number, number] {
  const ks = [k0, k1, (k0 ^ k1 ^ 0x1bd11bda) >>> 0];
  x0 = (x0 + ks[0]!) >>> 0;
  x1 = (x1 + ks[1]!) >>> 0;
  // Five groups of four rounds, alternating rotation sets; a key injection after each group.
  for (let g = 0; g < 5; g++) {
    for (const r of ROTATIONS[g % 2]!) {
      x0 = (x0 + x1) >>> 0;
      x1 = (rotl(x1, r) ^ x0) >>> 0;
    }
    x0 = (x0 + ks[(g + 1) % 3]!) >>> 0;
    x1 = (x1 + ks[(g + 2) % 3]! + g + 1) >>> 0;
  }
  return [x0, x1];
}

/**
 * key uint32[2] -> n words, as jax.random.bits: the counters 0..n-1, padded with one 0 when n is
 * odd, split in halves that feed x0 and x1; the output is y0 followed by y1, cut to n.
 */
export const randomBitsKernel: Kernel<Params<'randomBits'>> = ({ inputs: [key], params: { shape } }) => {
  const [k0, k1] = key!.data;
  const n = shapeSize(shape);
  const half = (n + (n % 2)) / 2;
  const out = new Float64Array(n);
  for (let i = 0; i < half; i++) {
    const [y0, y1] = threefry2x32(k0!, k1!, i, half + i < n ? half + i : 0);
    out[i] = y0;
    if (half + i < n) out[half + i] = y1;
  }
  return out;
};
