/** layers/dropout.ts: masks in training mode, identity in eval mode. */
import { describe, expect, it } from 'vitest';
import * as mx from 'mlx-ts';
import { nn } from 'mlx-ts';
import { checkJvp, checkVjp } from '@mlx-ts/testing';

describe('Dropout', () => {
  it('zeroes about p of the elements and scales the rest by 1/(1-p) in training; identity in eval', () => {
    mx.random.seed(0);
    const d = new nn.Dropout(0.25);
    const x = mx.ones([100, 100]);
    const y = d.forward(x);
    expect(y.shape).toEqual([100, 100]);
    const values = new Set(Array.from(y.toTypedArray() as Float32Array));
    expect([...values].sort()).toEqual([0, Math.fround(1 / 0.75)]);
    const kept = mx.sum(mx.notEqual(y, 0)).item() / 10000;
    expect(kept).toBeGreaterThan(0.72);
    expect(kept).toBeLessThan(0.78);
    d.eval();
    expect(d.forward(x)).toBe(x);
    expect(new nn.Dropout(0).forward(x)).toBe(x);
    expect(new nn.Dropout().toString()).toBe('Dropout(p=0.5)');
  });

  it('gradients in eval mode are the identity', () => {
    const d = new nn.Dropout({ p: 0.5 }).eval();
    const f = (x: mx.Array) => d.forward(x);
    checkJvp(f, [mx.random.normal([3])]);
    checkVjp(f, [mx.random.normal([3])]);
  });

  it('rejects p outside [0, 1)', () => {
    expect(() => new nn.Dropout(1)).toThrow('Dropout: the dropout probability p must be in [0, 1), got 1');
    expect(() => new nn.Dropout2d(-0.1)).toThrow(/Dropout2d: the dropout probability/);
  });
});

describe('Dropout2d and Dropout3d', () => {
  it('drop whole channels (channels last)', () => {
    mx.random.seed(1);
    const y = new nn.Dropout2d(0.5).forward(mx.ones([2, 4, 4, 16]));
    // Every channel of every sample is all zero or all 2.
    const s = mx.sum(y, [1, 2]);
    const vals = new Set(Array.from(s.toTypedArray() as Float32Array));
    expect([...vals].every((v) => v === 0 || v === 32)).toBe(true);
    const y3 = new nn.Dropout3d(0.5).forward(mx.ones([2, 2, 3, 3, 8]));
    const s3 = mx.sum(y3, [1, 2, 3]);
    expect(Array.from(s3.toTypedArray() as Float32Array).every((v) => v === 0 || v === 36)).toBe(true);
  });

  it('check the rank', () => {
    expect(() => new nn.Dropout2d().forward(mx.ones([2, 2]))).toThrow('Dropout2d: expected x with 3 or 4 dimensions, got shape [2,2] (2 dimensions)');
    expect(() => new nn.Dropout3d().forward(mx.ones([2, 2, 2]))).toThrow('Dropout3d: expected x with 4 or 5 dimensions, got shape [2,2,2] (3 dimensions)');
  });
});
