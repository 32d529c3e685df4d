/** layers/linear.ts: Identity, Linear, Bilinear against PyTorch, shapes, initialisation, gradients, errors. */
import { describe, expect, it } from 'vitest';
import * as mx from 'mlx-ts';
import { nn } from 'mlx-ts';
import { assertAllClose, checkJvp, checkVjp } from '@mlx-ts/testing';
import { f64, readFixture } from './fixtures.js';

const fx = readFixture('layers.json');

describe('Linear', () => {
  it('has weight [out, in] and bias [out] in U(-1/sqrt(in), 1/sqrt(in)), float32', () => {
    const l = new nn.Linear(16, 5);
    expect(l.weight.shape).toEqual([5, 16]);
    expect(l.bias!.shape).toEqual([5]);
    expect(l.weight.dtype).toBe(mx.float32);
    for (const a of [l.weight, l.bias!]) {
      expect(mx.max(mx.abs(a)).item()).toBeLessThanOrEqual(0.25);
    }
    expect(new nn.Linear(4, 2, false).bias).toBeUndefined();
  });

  it('matches torch.nn.Linear for the same weights', () => {
    const c = fx.linear!;
    const l = new nn.Linear(4, 5);
    l.update({ weight: f64(c.weight!), bias: f64(c.bias!) });
    const y = l.forward(f64(c.x!));
    expect(y.shape).toEqual([2, 3, 5]);
    assertAllClose(y, f64(c.y!), { rtol: 1e-12, atol: 1e-12 });
  });

  it('gradients match finite differences', () => {
    const l = new nn.Linear(3, 2);
    const f = (x: mx.Array, w: mx.Array, b: mx.Array) => {
      l.weight = w;
      l.bias = b;
      return l.forward(x);
    };
    const args = [mx.random.normal([4, 3]), l.weight, l.bias!];
    checkJvp(f, args);
    checkVjp(f, args);
  });

  it('names itself, the expected size and the shape it got', () => {
    const l = new nn.Linear(4, 2);
    expect(() => l.forward(mx.ones([2, 3]))).toThrow('Linear: expected x with last dimension 4 (inputDims), got shape [2,3]');
    expect(() => new nn.Linear(0, 2)).toThrow('Linear: inputDims must be a positive integer, got a number (0)');
    expect(() => new nn.Linear(2, 2, { bais: true } as never)).toThrow(/Linear: unknown option 'bais'/);
  });
});

describe('Bilinear', () => {
  it('has weight [out, in2, in1] and matches torch.nn.Bilinear (its weight [out, in1, in2] transposed)', () => {
    const c = fx.bilinear!;
    const b = new nn.Bilinear(4, 2, 5);
    expect(b.weight.shape).toEqual([5, 2, 4]);
    b.update({ weight: f64(c.weight!), bias: f64(c.bias!) });
    const y = b.forward(f64(c.x1!), f64(c.x2!));
    expect(y.shape).toEqual([2, 3, 5]);
    assertAllClose(y, f64(c.y!), { rtol: 1e-12, atol: 1e-12 });
  });

  it('gradients match finite differences', () => {
    const b = new nn.Bilinear(3, 2, 2);
    const f = (x1: mx.Array, x2: mx.Array, w: mx.Array) => {
      b.weight = w;
      return b.forward(x1, x2);
    };
    const args = [mx.random.normal([2, 3]), mx.random.normal([2, 2]), b.weight];
    checkJvp(f, args);
    checkVjp(f, args);
  });

  it('checks both inputs', () => {
    const b = new nn.Bilinear(3, 2, 2);
    expect(() => b.forward(mx.ones([2, 3]), mx.ones([2, 3]))).toThrow('Bilinear: expected x2 with last dimension 2 (input2Dims), got shape [2,3]');
    expect(() => b.forward(mx.ones([2, 3]), mx.ones([3, 2]))).toThrow(/same leading dimensions/);
  });
});

describe('Identity', () => {
  it('returns its input and ignores constructor arguments', () => {
    const x = mx.ones([2]);
    expect(new nn.Identity(3, { a: 1 }).forward(x)).toBe(x);
    expect(Object.keys(new nn.Identity().parameters())).toEqual([]);
  });
});
