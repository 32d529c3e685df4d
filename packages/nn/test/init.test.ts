/** init.ts: nn.init's initializers, their shapes, dtypes and distributions. */
import { describe, expect, it } from 'vitest';
import * as mx from 'mlx-ts';
import { nn } from 'mlx-ts';

const { init } = nn;
const shapes = [[3], [3, 3], [3, 3, 3]];
const stdOf = (a: mx.Array) => mx.std(mx.astype(a, mx.float32)).item();
const maxAbs = (a: mx.Array) => mx.max(mx.abs(mx.astype(a, mx.float32))).item();

describe('nn.init', () => {
  it('constant, normal, uniform keep the shape and take the dtype (float32 by default)', () => {
    for (const dtype of [mx.float32, mx.float16]) {
      for (const shape of shapes) {
        const z = mx.zeros(shape);
        const c = init.constant(5, dtype)(z);
        expect(c.shape).toEqual(shape);
        expect(c.dtype).toBe(dtype);
        expect(mx.all(mx.equal(c, 5)).itemBool()).toBe(true);
        const n = init.normal(0, 1, dtype)(z);
        expect([n.shape, n.dtype]).toEqual([shape, dtype]);
        const u = init.uniform(-1, 1, dtype)(z);
        expect([u.shape, u.dtype]).toEqual([shape, dtype]);
        expect(maxAbs(u)).toBeLessThanOrEqual(1);
      }
    }
    expect(init.constant(1)(mx.zeros([2], mx.int32)).dtype).toBe(mx.float32);
    expect(init.normal({ std: 2 })(mx.zeros([2])).dtype).toBe(mx.float32);
  });

  it('normal and uniform have their parameters', () => {
    mx.random.seed(0);
    const n = init.normal(3, 0.5)(mx.zeros([20000]));
    expect(mx.mean(n).item()).toBeCloseTo(3, 1);
    expect(stdOf(n)).toBeCloseTo(0.5, 1);
    const u = init.uniform({ low: 2, high: 4 })(mx.zeros([20000]));
    expect(mx.min(u).item()).toBeGreaterThanOrEqual(2);
    expect(mx.max(u).item()).toBeLessThan(4);
  });

  it('identity is the identity matrix and needs a square matrix', () => {
    for (const dtype of [mx.float32, mx.float16]) {
      const r = init.identity(dtype)(mx.zeros([3, 3]));
      expect(r.dtype).toBe(dtype);
      expect(mx.arrayEqual(r, mx.eye(3)).itemBool()).toBe(true);
    }
    expect(() => init.identity()(mx.zeros([3, 2]))).toThrow('init.identity: expected a square matrix, got shape [3,2]');
  });

  it('Glorot and He use fan-in (last axis x receptive field) and fan-out (first axis x receptive field)', () => {
    mx.random.seed(1);
    const a = mx.zeros([200, 10, 30]); // fanIn = 300, fanOut = 2000
    expect(stdOf(init.glorotNormal()(a))).toBeCloseTo(Math.sqrt(2 / 2300), 2);
    expect(maxAbs(init.glorotUniform()(a, 2))).toBeLessThanOrEqual(2 * Math.sqrt(6 / 2300));
    expect(stdOf(init.heNormal()(a))).toBeCloseTo(1 / Math.sqrt(300), 2);
    expect(stdOf(init.heNormal()(a, 'fanOut', 2))).toBeCloseTo(2 / Math.sqrt(2000), 2);
    expect(stdOf(init.heNormal()(a, { mode: 'fan_out' }))).toBeCloseTo(1 / Math.sqrt(2000), 2);
    expect(maxAbs(init.heUniform()(a, { gain: 0.5 }))).toBeLessThanOrEqual(0.5 * Math.sqrt(3 / 300));
    for (const f of [init.glorotNormal, init.glorotUniform, init.heNormal, init.heUniform]) {
      for (const dtype of [mx.float32, mx.float16]) {
        const r = f(dtype)(mx.zeros([3, 3, 3]));
        expect([r.shape, r.dtype]).toEqual([[3, 3, 3], dtype]);
      }
    }
    expect(() => init.heNormal()(mx.zeros([3]))).toThrow(/at least 2 dimensions, got shape \[3\]/);
    expect(() => init.heUniform()(mx.zeros([3, 3]), 'fan' as never)).toThrow(/mode must be 'fanIn' or 'fanOut'/);
  });

  it('sparse zeroes ceil(sparsity x columns) per row; orthogonal says it is unavailable', () => {
    const r = init.sparse(0.5, 0, 1)(mx.zeros([4, 5]));
    const zeros = mx.sum(mx.equal(r, 0), 1).tolist();
    expect(zeros).toEqual([3, 3, 3, 3]);
    expect(() => init.sparse(0.5)(mx.zeros([3]))).toThrow(/expected a 2-D array/);
    expect(() => init.orthogonal()).toThrow(/init.orthogonal is not available/);
  });

  it('initializes a layer in place, as MLX code does', () => {
    const l = new nn.Linear(4, 3);
    l.weight = init.constant(0.5)(l.weight);
    expect(l.forward(mx.ones([1, 4])).shape).toEqual([1, 3]);
  });
});
