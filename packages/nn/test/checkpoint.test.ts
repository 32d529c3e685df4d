/** checkpoint.ts: nn.checkpoint gives the gradients of the plain computation. */
import { describe, expect, it } from 'vitest';
import * as mx from 'mlx-ts/internals';
import { nn } from 'mlx-ts';
import { assertAllClose } from '@mlx-ts/testing';

describe('nn.checkpoint', () => {
  it('gradients through a checkpointed block equal the plain ones; the module keeps its arrays', () => {
    mx.random.seed(5);
    const block = new nn.Sequential(new nn.Linear(3, 4), mx.tanh, new nn.Linear(4, 2));
    const x = mx.random.normal([6, 3]);
    const cp = nn.checkpoint(block);
    const [l1, g1] = nn.valueAndGrad(block, (a: mx.Array) => mx.sum(mx.square(cp(a))))(x);
    const [l2, g2] = nn.valueAndGrad(block, (a: mx.Array) => mx.sum(mx.square(block.forward(a))))(x);
    assertAllClose(l1, l2);
    const f1 = mx.utils.treeFlatten<mx.Array>(g1);
    const f2 = mx.utils.treeFlatten<mx.Array>(g2);
    expect(f1.map(([k]) => k)).toEqual(f2.map(([k]) => k));
    f1.forEach(([, g], i) => assertAllClose(g, f2[i]![1], { rtol: 1e-5, atol: 1e-6 }));
    for (const [, v] of mx.utils.treeFlatten<mx.Array>(block.parameters())) expect(mx.isTracer(v)).toBe(false);
    const custom = nn.checkpoint(block, (a: mx.Array) => mx.sum(block.forward(a)));
    expect(custom(x).shape).toEqual([]);
  });
});
