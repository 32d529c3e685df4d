import { describe, expect, test } from 'vitest';
import * as mx from 'mlx-ts';
import { checkJvp, checkVjp } from '@mlx-ts/testing';
import { arr, expectClose, fixture, type Tensor } from './helpers.js';

const nn = mx.nn;
interface Case {
  input: string;
  scale: number[];
  mode: mx.nn.UpsampleMode;
  alignCorners: boolean;
  antialias: boolean;
  out: Tensor;
}
const fx = fixture<{ inputs: Record<string, Tensor>; cases: Case[] }>('upsample');
const label = (c: Case) =>
  `${c.mode} x${JSON.stringify(c.scale)} on ${JSON.stringify(fx.inputs[c.input]!.shape)}${c.alignCorners ? ', alignCorners' : ''}${c.antialias ? ', antialias' : ''}`;
const make = (c: Case) => new nn.Upsample(c.scale, { mode: c.mode, alignCorners: c.alignCorners, antialias: c.antialias });

describe('Upsample against PyTorch interpolate (channels-last)', () => {
  test.each(fx.cases.map((c) => [label(c), c] as const))('%s', (_l, c) => {
    const y = make(c).forward(arr(fx.inputs[c.input]!));
    expect(y.shape).toEqual(c.out.shape);
    expectClose(y, c.out);
  });

  test.each(fx.cases.map((c) => [label(c), c] as const))('%s: JVP and VJP', (_l, c) => {
    const m = make(c);
    const x = arr(fx.inputs[c.input]!, mx.float64);
    checkJvp((a: mx.Array) => m.forward(a), [x]);
    checkVjp((a: mx.Array) => m.forward(a), [x]);
  });
});

describe('Upsample', () => {
  const x = mx.reshape(mx.arange(1, 5, 1, mx.int32), [1, 2, 2, 1]);
  test("MLX's documented examples", () => {
    const n = new nn.Upsample(2, 'nearest').forward(x);
    expect(n.dtype).toBe(mx.int32);
    expect(mx.squeeze(n).tolist()).toEqual([
      [1, 1, 2, 2],
      [1, 1, 2, 2],
      [3, 3, 4, 4],
      [3, 3, 4, 4],
    ]);
    expectClose(mx.squeeze(new nn.Upsample(2, 'linear').forward(x)), {
      shape: [4, 4],
      data: [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4],
    });
    const third = 1 / 3;
    expectClose(mx.squeeze(new nn.Upsample(2, 'linear', true).forward(x)), {
      shape: [4, 4],
      data: [
        1,
        1 + third,
        1 + 2 * third,
        2,
        1 + 2 * third,
        2,
        2 + third,
        2 + 2 * third,
        2 + third,
        2 + 2 * third,
        3,
        3 + third,
        3,
        3 + third,
        3 + 2 * third,
        4,
      ],
    });
  });

  test('nearest with fractional scales picks the centred neighbour (MLX)', () => {
    const y = new nn.Upsample(1.5).forward(mx.reshape(mx.arange(4), [1, 4, 1]));
    expect(y.reshape([6]).tolist()).toEqual([0, 0, 1, 2, 2, 3]); // ((i + 0.5) * 4/6 - 0.5) rounded half to even
    const down = new nn.Upsample(0.5).forward(mx.reshape(mx.arange(4), [1, 4, 1]));
    expect(down.reshape([2]).tolist()).toEqual([0, 2]);
  });

  test('alignCorners with downscaled axes keeps the first sample (MLX)', () => {
    const x4 = mx.reshape(mx.arange(1, 5), [1, 2, 2, 1]);
    expect(new nn.Upsample(0.5, 'linear', true).forward(x4).tolist()).toEqual([[[[1]]]]);
    expectClose(new nn.Upsample([0.5, 2], 'linear', true).forward(x4), { shape: [1, 1, 4, 1], data: [1, 4 / 3, 5 / 3, 2] });
    expectClose(new nn.Upsample([2, 0.5], 'linear', true).forward(x4), { shape: [1, 4, 1, 1], data: [1, 5 / 3, 7 / 3, 3] });
    expect(new nn.Upsample(0.5, 'cubic', true).forward(x4).tolist()).toEqual([[[[1]]]]);
    expect(new nn.Upsample(0.25, 'linear', true).forward(mx.reshape(mx.arange(4), [1, 4, 1])).tolist()).toEqual([[[0]]]);
  });

  test('three spatial axes', () => {
    const x3 = mx.random.normal([1, 2, 3, 2, 2], mx.float32, null, null, mx.random.key(1));
    expect(new nn.Upsample(2, 'linear').forward(x3).shape).toEqual([1, 4, 6, 4, 2]);
    expect(new nn.Upsample([1, 2, 3], 'nearest').forward(x3).shape).toEqual([1, 2, 6, 6, 2]);
  });

  test('configuration is not part of the module tree', () => {
    const m = new nn.Upsample([2, 3], 'cubic');
    expect([m.parameters(), m.children(), m.memberKeys()]).toEqual([{}, {}, []]);
    expect(String(m)).toBe("Upsample(scaleFactor=[2,3], mode='cubic', alignCorners=false)");
  });

  test('bad input throws naming the layer', () => {
    expect(() => new nn.Upsample(2, 'bilinear' as never)).toThrow(
      /Upsample: expected mode to be one of 'nearest', 'linear', 'cubic', got a string \('bilinear'\)/,
    );
    expect(() => new nn.Upsample(0)).toThrow(/Upsample: expected scaleFactor to be a positive number or a list of them, got a number \(0\)/);
    expect(() => new nn.Upsample(2, 'nearest', false, true)).toThrow(/Upsample: antialias is not supported for mode 'nearest'/);
    expect(() => new nn.Upsample(2, { mode: 'linear', alignCorners: true, antialias: true })).toThrow(/Upsample: antialias with alignCorners is not supported/);
    expect(() => new nn.Upsample(2).forward(mx.ones([2, 3]))).toThrow(/Upsample: expected an input with at least one spatial axis .*got shape \[2,3\]/);
    expect(() => new nn.Upsample([2, 2]).forward(mx.ones([1, 2, 3]))).toThrow(
      /Upsample: expected one scale per spatial axis, got scaleFactor a JS array \[2, 2\] for an input of shape \[1,2,3\] with 1 spatial axes/,
    );
  });
});
