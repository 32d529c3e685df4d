/** layers/containers.ts: Sequential. */
import { describe, expect, it } from 'vitest';
import * as mx from 'mlx-ts';
import { nn } from 'mlx-ts';
import { assertAllClose, checkJvp, checkVjp } from '@mlx-ts/testing';

describe('Sequential', () => {
  it('calls modules and functions in order; parameters are layers.0, layers.1, ...', () => {
    const a = new nn.Linear(3, 4);
    const b = new nn.Linear(4, 2);
    const relu = (x: mx.Array) => mx.maximum(x, 0);
    const seq = new nn.Sequential(a, relu, b);
    const x = mx.random.normal([5, 3]);
    const y = seq.forward(x);
    expect(y.shape).toEqual([5, 2]);
    assertAllClose(y, b.forward(relu(a.forward(x))));
    expect(mx.utils.treeFlatten(seq.parameters()).map(([k]) => k)).toEqual(['layers.0.weight', 'layers.0.bias', 'layers.2.weight', 'layers.2.bias']);
    expect(seq.parameters().layers).toEqual(
      [a.parameters(), {}, b.parameters()].map((p) => expect.objectContaining(Object.fromEntries(Object.keys(p).map((k) => [k, expect.anything()])))),
    );
    expect(new nn.Sequential().forward(x)).toBe(x);
    // parameters() holds {} for the function, and updating with it leaves the function alone.
    seq.update(seq.parameters());
    expect(seq.layers[1]).toBe(relu);
  });

  it('gradients through the chain match finite differences', () => {
    const seq = new nn.Sequential(new nn.Linear(2, 3), mx.tanh, new nn.LayerNorm(3));
    const first = seq.layers[0] as nn.Linear;
    const f = (x: mx.Array, w: mx.Array) => {
      first.weight = w;
      return seq.forward(x);
    };
    const args = [mx.random.normal([4, 2]), first.weight];
    checkJvp(f, args, { rtol: 1e-4, atol: 1e-5 });
    checkVjp(f, args);
  });

  it('rejects layers that are not modules or functions', () => {
    expect(() => new nn.Sequential(new nn.Identity(), 3 as never)).toThrow('Sequential: layer 1 must be a Module or a function, got a number (3)');
  });
});
