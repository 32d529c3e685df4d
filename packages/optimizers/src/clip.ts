import { Array, array, describeValue, divide, type MapLeaves, minimum, treeLeaves, treeMap } from '@mlx-ts/core';
import type { Tree } from './optimizer.js';

/**
 * Scales the gradients down so their global L2 norm is at most `maxNorm` (by
 * min(1, maxNorm / (norm + 1e-6))); returns the scaled gradients and the norm before scaling.
 */
export function clipGradNorm<T extends Tree>(grads: T, maxNorm: number): [clipped: MapLeaves<T, Array>, totalNorm: Array] {
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm)) throw new Error(`clipGradNorm: maxNorm must be a number, got ${describeValue(maxNorm)}`);
  if (maxNorm < 0) throw new Error(`clipGradNorm: maxNorm should be >=0, ${maxNorm} was provided instead`);
  const leaves = treeLeaves(grads);
  const normSquared = leaves.reduce<Array | number>((acc, g) => g.square().sum().add(acc), 0);
  const totalNorm = (normSquared instanceof Array ? normSquared : array(normSquared)).sqrt();
  const normalizer = minimum(divide(maxNorm, totalNorm.add(1e-6)), 1);
  return [treeMap((g: Array) => g.multiply(normalizer), grads), totalNorm];
}
