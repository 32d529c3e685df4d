/** layers/embedding.ts against PyTorch. */
import { describe, expect, it } from 'vitest';
import * as mx from 'mlx-ts';
import { nn } from 'mlx-ts';
import { assertAllClose, checkJvp, checkVjp } from '@mlx-ts/testing';
import { f64, readFixture } from './fixtures.js';

const c = readFixture('layers.json').embedding!;

describe('Embedding', () => {
  it('has weight [num, dims] drawn from N(0, 1/dims)', () => {
    mx.random.seed(3);
    const e = new nn.Embedding(1000, 16);
    expect(e.weight.shape).toEqual([1000, 16]);
    const std = mx.std(e.weight).item();
    expect(std).toBeGreaterThan(0.23);
    expect(std).toBeLessThan(0.27);
  });

  it('looks rows up as torch.nn.Embedding does, and asLinear is x Wᵀ', () => {
    const e = new nn.Embedding(6, 3);
    e.update({ weight: f64(c.weight!) });
    const y = e.forward(mx.array(c.indices!, mx.int32));
    expect(y.shape).toEqual([2, 3, 3]);
    assertAllClose(y, f64(c.y!), { rtol: 0, atol: 0 });
    assertAllClose(e.asLinear(f64(c.h!)), f64(c.linear!), { rtol: 1e-12, atol: 1e-12 });
  });

  it('gradients with respect to the table match finite differences', () => {
    const e = new nn.Embedding(5, 2);
    const idx = mx.array([0, 3, 3, 1], mx.int32);
    const f = (w: mx.Array) => {
      e.weight = w;
      return e.forward(idx);
    };
    checkJvp(f, [e.weight]);
    checkVjp(f, [e.weight]);
    const g = (h: mx.Array, w: mx.Array) => {
      e.weight = w;
      return e.asLinear(h);
    };
    checkVjp(g, [mx.random.normal([3, 2]), e.weight]);
  });

  it('rejects floating indices', () => {
    expect(() => new nn.Embedding(5, 2).forward(mx.ones([2]))).toThrow('Embedding: expected integer indices, got dtype float32');
  });
});
