/** layers/convolution.ts: Conv1d/2d/3d and ConvTranspose1d/2d/3d against PyTorch, initialisation, gradients, errors. */
import { describe, expect, it } from 'vitest';
import * as mx from 'mlx-ts';
import { nn } from 'mlx-ts';
import { assertAllClose } from '@mlx-ts/testing';
import { f64, readFixture } from './fixtures.js';

const fx = readFixture('conv.json');

// The same layers as gen_conv.py builds in torch.
const layers: Record<string, () => nn.Module & { weight: mx.Array; bias?: mx.Array; forward(x: mx.Array): mx.Array }> = {
  conv1d: () => new nn.Conv1d(4, 6, 3, 2, 1, 1, 2),
  conv2d: () => new nn.Conv2d(3, 5, [3, 2], { stride: [2, 1], padding: [1, 0], dilation: [1, 2] }),
  conv3d: () => new nn.Conv3d(2, 4, 2, 1, 1, 1, 2),
  convTranspose1d: () => new nn.ConvTranspose1d(3, 4, 3, 2, 1, 1, 1),
  convTranspose2d: () => new nn.ConvTranspose2d(3, 2, [2, 3], { stride: [2, 1], padding: [0, 1], dilation: [1, 2] }),
  convTranspose3d: () => new nn.ConvTranspose3d(2, 3, 2, 2),
};

describe('convolution layers against torch.nn', () => {
  for (const [name, make] of Object.entries(layers)) {
    it(`${name}: output and the gradients of input, weight and bias`, () => {
      const c = fx[name]!;
      const l = make();
      expect(l.weight.shape).toEqual(f64(c.weight!).shape);
      l.update({ weight: f64(c.weight!), bias: f64(c.bias!) });
      const x = f64(c.x!);
      assertAllClose(l.forward(x) as mx.Array, f64(c.y!), { rtol: 1e-12, atol: 1e-12 });
      const f = (xx: mx.Array, w: mx.Array, b: mx.Array) => {
        l.update({ weight: w, bias: b });
        return l.forward(xx);
      };
      const [, [gx, gw, gb]] = mx.vjp(f, [x, f64(c.weight!), f64(c.bias!)], [f64(c.cot!)]);
      assertAllClose(gx!, f64(c.gx!), { rtol: 1e-12, atol: 1e-12 });
      assertAllClose(gw!, f64(c.gw!), { rtol: 1e-12, atol: 1e-12 });
      assertAllClose(gb!, f64(c.gb!), { rtol: 1e-12, atol: 1e-12 });
    });
  }
});

describe('convolution layers: parameters', () => {
  it("Conv2d has weight [out, kh, kw, in / groups] in U(-s, s), s = 1/sqrt(in * kh * kw), and a zero bias (MLX's init)", () => {
    const l = new nn.Conv2d(8, 6, 3, { groups: 2 });
    expect(l.weight.shape).toEqual([6, 3, 3, 4]);
    expect(l.weight.dtype).toBe(mx.float32);
    const s = 1 / Math.sqrt(8 * 9);
    expect(mx.max(mx.abs(l.weight)).item()).toBeLessThanOrEqual(s);
    expect(mx.max(mx.abs(l.weight)).item()).toBeGreaterThan(s / 2);
    expect(mx.allclose(l.bias!, mx.zeros([6])).itemBool()).toBe(true);
    expect(new nn.Conv1d(2, 3, 2, { bias: false }).bias).toBeUndefined();
    expect(new nn.ConvTranspose3d(2, 3, [1, 2, 3]).weight.shape).toEqual([3, 1, 2, 3, 2]);
    expect(Object.keys(l.parameters()).sort()).toEqual(['bias', 'weight']);
  });

  it('a Conv2d layer trains: its gradient reaches weight and bias', () => {
    const l = new nn.Conv2d(2, 3, 3, 1, 1);
    const x = mx.random.normal([2, 5, 5, 2]);
    const lossAndGrad = nn.valueAndGrad(l, (m: nn.Module, a: mx.Array) => mx.sum(mx.square((m as nn.Conv2d).forward(a))));
    const [, g] = lossAndGrad(l, x) as [mx.Array, { weight: mx.Array; bias: mx.Array }];
    expect(g.weight.shape).toEqual([3, 3, 3, 2]);
    expect(g.bias.shape).toEqual([3]);
  });
});

describe('convolution layers: errors name the layer', () => {
  it('a Conv2d given an NCHW tensor says it expects NHWC with C = inChannels', () => {
    const l = new nn.Conv2d(3, 4, 3);
    expect(() => l.forward(mx.zeros([1, 3, 8, 8]))).toThrow(
      /Conv2d: expected an input in NHWC layout with C = inChannels = 3 .*got shape \[1, ?3, ?8, ?8\].*channels-first/,
    );
    expect(() => l.forward(mx.zeros([3, 8, 8]))).toThrow(/Conv2d: expected a 4-D input in NHWC layout/);
    expect(() => l.forward(mx.zeros([1, 8, 8, 3], mx.int32))).toThrow(/Conv2d: expected a floating point x/);
  });

  it('bad constructor arguments', () => {
    expect(() => new nn.Conv1d(3, 4, 2, { groups: 2 })).toThrow(/Conv1d: inChannels \(3\) must be divisible by groups \(2\)/);
    expect(() => new nn.Conv2d(4, 4, [3, 3, 3])).toThrow(/Conv2d: kernelSize must be an integer >= 1 or 2 of them/);
    expect(() => new nn.Conv3d(0, 4, 2)).toThrow(/Conv3d: inChannels must be a positive integer/);
    expect(() => new nn.ConvTranspose2d(2, 2, 2, { stride: 0 })).toThrow(/ConvTranspose2d: stride must be an integer >= 1/);
  });
});
