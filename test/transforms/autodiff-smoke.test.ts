import { describe, expect, it } from 'vitest';
import * as mx from 'mlx-ts';

describe('smoke', () => {
  it('x*x', () => {
    const [v, g] = mx.valueAndGrad((x: mx.Array) => mx.multiply(x, x))(mx.array(0.5));
    expect(v.item()).toBeCloseTo(0.25);
    expect(g.item()).toBeCloseTo(1);
  });
  it('cumprod', () => {
    const g = mx.grad((x: mx.Array) => mx.sum(mx.cumprod(x)))(mx.array([2, 1, 2, 2, 3]));
    expect(g.tolist()).toEqual([20, 38, 18, 16, 8]);
  });
});
