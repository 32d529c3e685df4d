import { describe, expect, test } from 'vitest';
import * as mx from 'mlx-ts';
import { checkJvp, checkVjp } from '@mlx-ts/testing';
import { arr, expectClose, fixture, type Tensor } from './helpers.js';

const nn = mx.nn;
type Size = number | number[];
interface Case {
  dims: 1 | 2 | 3;
  kind: 'max' | 'avg';
  kernel: Size;
  stride: Size | null;
  padding: Size;
  out: Tensor;
}
const fx = fixture<{ inputs: Record<string, Tensor>; cases: Case[] }>('pooling');
const layers = {
  max: { 1: nn.MaxPool1d, 2: nn.MaxPool2d, 3: nn.MaxPool3d },
  avg: { 1: nn.AvgPool1d, 2: nn.AvgPool2d, 3: nn.AvgPool3d },
} as const;
const make = (c: Case) => {
  const Layer = layers[c.kind][c.dims] as unknown as new (k: Size, s?: Size | null, p?: Size) => mx.nn.MaxPool1d;
  return new Layer(c.kernel, c.stride, c.padding);
};
const label = (c: Case) =>
  `${c.kind === 'max' ? 'MaxPool' : 'AvgPool'}${c.dims}d(kernel ${JSON.stringify(c.kernel)}, stride ${JSON.stringify(c.stride)}, padding ${JSON.stringify(c.padding)})`;

describe('pooling against PyTorch (channels-last)', () => {
  test.each(fx.cases.map((c) => [label(c), c] as const))('%s', (_l, c) => {
    const y = make(c).forward(arr(fx.inputs[String(c.dims)]!));
    expect(y.shape).toEqual(c.out.shape);
    expectClose(y, c.out);
  });

  test.each(fx.cases.map((c) => [label(c), c] as const))('%s: JVP against finite differences, VJP against JVP', (_l, c) => {
    const m = make(c);
    const x = arr(fx.inputs[String(c.dims)]!, mx.float64);
    checkJvp((a: mx.Array) => m.forward(a), [x]);
    checkVjp((a: mx.Array) => m.forward(a), [x]);
  });
});

describe('pooling layers', () => {
  test('stride defaults to the kernel size; options object', () => {
    const x = mx.reshape(mx.arange(16), [1, 4, 4, 1]);
    expect(new nn.MaxPool2d(2).forward(x).reshape([2, 2]).tolist()).toEqual([
      [5, 7],
      [13, 15],
    ]);
    expect(new nn.AvgPool2d([2, 2], { stride: 2 }).forward(x).reshape([2, 2]).tolist()).toEqual([
      [2.5, 4.5],
      [10.5, 12.5],
    ]);
    expect(
      new nn.MaxPool1d(3, { stride: 1, padding: 1 })
        .forward(mx.reshape(mx.array([1, 5, 2, 0]), [1, 4, 1]))
        .reshape([4])
        .tolist(),
    ).toEqual([5, 5, 5, 2]);
    const m = new nn.MaxPool2d(3, 2, 1);
    expect(String(m)).toBe('MaxPool2d(kernelSize=[3,3], stride=[2,2], padding=[1,1])');
    expect([m.parameters(), m.children(), m.memberKeys()]).toEqual([{}, {}, []]);
  });

  test("MLX's integer example: max keeps the dtype, average gives float32", () => {
    const x = mx.reshape(mx.arange(0, 24, 1, mx.int32), [2, 4, 3]);
    const mp = new nn.MaxPool1d(2, 1).forward(x);
    expect(mp.dtype).toBe(mx.int32);
    expect(mp.tolist()).toEqual([
      [
        [3, 4, 5],
        [6, 7, 8],
        [9, 10, 11],
      ],
      [
        [15, 16, 17],
        [18, 19, 20],
        [21, 22, 23],
      ],
    ]);
    const ap = new nn.AvgPool1d(2, 2).forward(x);
    expect(ap.dtype).toBe(mx.float32);
    expect(ap.tolist()).toEqual([
      [
        [1.5, 2.5, 3.5],
        [7.5, 8.5, 9.5],
      ],
      [
        [13.5, 14.5, 15.5],
        [19.5, 20.5, 21.5],
      ],
    ]);
  });

  test('max padding is -inf and average padding counts as zeros, as MLX', () => {
    const x = mx.reshape(mx.array([-1, -2, -3]), [1, 3, 1]);
    expect(new nn.MaxPool1d(2, 1, 1).forward(x).reshape([4]).tolist()).toEqual([-1, -1, -2, -3]);
    expect(new nn.AvgPool1d(2, 1, 1).forward(x).reshape([4]).tolist()).toEqual([-0.5, -1.5, -2.5, -1.5]);
  });

  test('a small CNN trains through MaxPool2d quickly', () => {
    const pool = new nn.MaxPool2d(2);
    const x = mx.random.normal([64, 8, 8, 4], mx.float32, null, null, mx.random.key(0));
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) {
      const g = mx.grad((a: mx.Array) => mx.sum(mx.square(pool.forward(a))))(x);
      mx.eval(g);
    }
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  test('bad input throws naming the layer', () => {
    expect(() => new nn.MaxPool2d([2, 2, 2] as never)).toThrow(
      /MaxPool2d: expected kernelSize to be an integer or a list of 2 integers, got a JS array \[2, 2, 2\]/,
    );
    expect(() => new nn.AvgPool1d(0)).toThrow(/AvgPool1d: expected kernelSize to be positive, got a number \(0\)/);
    expect(() => new nn.MaxPool3d(2, 0)).toThrow(/MaxPool3d: expected stride to be positive, got a number \(0\)/);
    expect(() => new nn.AvgPool2d(2, 2, -1)).toThrow(/AvgPool2d: expected padding to be non-negative, got a number \(-1\)/);
    expect(() => new nn.MaxPool2d(2).forward(mx.ones([4, 4, 3]))).toThrow(
      /MaxPool2d: expected a 4-D input \(batch, 2 spatial axes, channels last\), got shape \[4,4,3\]/,
    );
    expect(() => new nn.MaxPool1d(5).forward(mx.ones([1, 4, 3]))).toThrow(
      /MaxPool1d: kernel size 5 is larger than spatial axis 0 of size 4 of input shape \[1,4,3\]/,
    );
  });
});
