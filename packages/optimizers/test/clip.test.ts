import * as mx from 'mlx-ts';
import { describe, expect, test } from 'vitest';
import { expectClose } from './helpers.js';

const { clipGradNorm } = mx.optimizers;

describe('clipGradNorm', () => {
  test('small gradients pass unchanged; the norm is the global L2 norm', () => {
    const grads = { first: [mx.array([0.1, 0.2]), mx.array([0.1])], second: mx.array([0.3]) };
    const [clipped, norm] = clipGradNorm(grads, 10);
    expect(clipped.first[0]!.tolist()).toEqual(grads.first[0]!.tolist());
    expect(clipped.second.tolist()).toEqual(grads.second.tolist());
    expectClose(norm.item(), Math.sqrt(0.01 + 0.04 + 0.01 + 0.09));
  });

  test('large gradients are scaled to maxNorm', () => {
    const grads = { first: [mx.array([10, 20]), mx.array([10])], second: mx.array([30]) };
    const [clipped, norm] = clipGradNorm(grads, 1);
    const total = Math.sqrt(100 + 400 + 100 + 900);
    expectClose(norm.item(), total);
    const leaves = mx.treeLeaves(clipped).flatMap((g) => g.tolist() as number[]);
    expectClose(Math.sqrt(leaves.reduce((s, x) => s + x * x, 0)), 1, 1e-6);
    expectClose(
      leaves,
      [10, 20, 10, 30].map((x) => x / total),
      1e-5,
      1e-6,
    );
  });

  test('an empty tree has norm 0; a negative maxNorm is an error', () => {
    const [clipped, norm] = clipGradNorm({}, 1);
    expect([clipped, norm.item()]).toEqual([{}, 0]);
    expect(() => clipGradNorm({ a: mx.ones([1]) }, -1)).toThrow('clipGradNorm: maxNorm should be >=0, -1 was provided instead');
  });
});
