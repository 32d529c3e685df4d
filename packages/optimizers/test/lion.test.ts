import * as mx from 'mlx-ts';
import { describe, expect, test } from 'vitest';
import { expectClose, grads1, init1, referenceSteps, runSteps } from './helpers.js';

const { Lion } = mx.optimizers;

describe('Lion', () => {
  test.each([0, 0.1])('follows its update rule in float64 (weight decay %s)', (wd) => {
    const [lr, b1, b2] = [0.01, 0.9, 0.99];
    const rule = (g: number, w: number, s: Record<string, number>) => {
      const m = s.m ?? 0;
      const c = b1 * m + (1 - b1) * g;
      s.m = b2 * m + (1 - b2) * g;
      if (wd > 0) w *= 1 - lr * wd;
      return w - lr * Math.sign(c);
    };
    expectClose(runSteps(new Lion(lr, { weightDecay: wd }), init1, grads1), referenceSteps(rule, init1, grads1));
  });

  test("MLX's defaults; init makes a zero m", () => {
    const opt = new Lion(1e-4);
    expect([opt.betas, opt.weightDecay]).toEqual([[0.9, 0.99], 0]);
    opt.init({ first: [mx.zeros([2])] });
    expect((opt.state.first as { m: mx.Array }[])[0]!.m.tolist()).toEqual([0, 0]);
  });

  test('bad arguments', () => {
    expect(() => new Lion(0.1, [0.9, 1])).toThrow('Lion: beta2 should be in [0, 1), 1 was provided instead');
  });
});
