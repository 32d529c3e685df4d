import * as mx from 'mlx-ts';
import { describe, expect, test } from 'vitest';
import { expectClose, grads1, init1, referenceSteps, runSteps, torchCase } from './helpers.js';

const { Adam, AdamW, Adamax } = mx.optimizers;

const adamRule =
  (lr: number, b1: number, b2: number, eps: number, biasCorrection: boolean, wd = 0) =>
  (g: number, w: number, s: Record<string, number>, t: number) => {
    w *= 1 - lr * wd;
    s.m = b1 * (s.m ?? 0) + (1 - b1) * g;
    s.v = b2 * (s.v ?? 0) + (1 - b2) * g * g;
    if (!biasCorrection) return w - (lr * s.m) / (Math.sqrt(s.v) + eps);
    return w - ((lr / (1 - b1 ** t)) * s.m) / (Math.sqrt(s.v) / Math.sqrt(1 - b2 ** t) + eps);
  };

describe('Adam', () => {
  test.each(['adam-bias-correction', 'adam-betas'])('with bias correction matches PyTorch: %s', (name) => {
    const c = torchCase(name);
    expectClose(runSteps(new Adam(c.options as never), init1, grads1), c.params);
  });

  test.each([false, true])('follows its update rule in float64 (biasCorrection %s)', (bc) => {
    const opt = new Adam(0.02, [0.8, 0.95], 1e-6, bc);
    expectClose(runSteps(opt, init1, grads1), referenceSteps(adamRule(0.02, 0.8, 0.95, 1e-6, bc), init1, grads1));
  });

  test("MLX's defaults: betas [0.9, 0.999], eps 1e-8, no bias correction", () => {
    const opt = new Adam(1e-3);
    expect([opt.betas, opt.eps, opt.biasCorrection]).toEqual([[0.9, 0.999], 1e-8, false]);
    expectClose(runSteps(opt, init1, grads1), referenceSteps(adamRule(1e-3, 0.9, 0.999, 1e-8, false), init1, grads1));
  });

  test('init makes zero m and v; float16 stays float16 with bias correction', () => {
    const params = { first: [mx.zeros([10]), mx.zeros([1])], second: mx.zeros([1]) };
    for (const Opt of [Adam, AdamW, Adamax]) {
      const opt = new Opt(1e-2);
      opt.init(params);
      const s = opt.state.first as { m: mx.Array; v: mx.Array }[];
      expect([s[1]!.m.tolist(), s[1]!.v.tolist()]).toEqual([[0], [0]]);
    }
    const half = { w: mx.zeros([2, 2], mx.float16) };
    const out = new Adam(1e-2, { biasCorrection: true }).applyGradients({ w: mx.ones([2, 2], mx.float16) }, half);
    expect(out.w.dtype).toBe(mx.float16);
  });

  test('bad arguments', () => {
    expect(() => new Adam(0.1, [1, 0.9])).toThrow('Adam: beta1 should be in [0, 1), 1 was provided instead');
    expect(() => new Adam(0.1, [0.9, -0.1])).toThrow('Adam: beta2 should be in [0, 1)');
    expect(() => new Adam(0.1, [0.9] as never)).toThrow('Adam: betas must be a pair of numbers');
    expect(() => new Adam(0.1, [0.9, 0.99], -1)).toThrow('Adam: epsilon should be >=0, -1 was provided instead');
    expect(() => new AdamW(0.1, [0.9, 2])).toThrow('AdamW: beta2 should be in [0, 1)');
  });
});

describe('AdamW', () => {
  test.each(['adamw-bias-correction', 'adamw-weight-decay'])('with bias correction matches PyTorch: %s', (name) => {
    const c = torchCase(name);
    expectClose(runSteps(new AdamW(c.options as never), init1, grads1), c.params);
  });

  test('follows its update rule in float64 (default weight decay 0.01, no bias correction)', () => {
    const opt = new AdamW(0.01);
    expect(opt.weightDecay).toBe(0.01);
    expectClose(runSteps(opt, init1, grads1), referenceSteps(adamRule(0.01, 0.9, 0.999, 1e-8, false, 0.01), init1, grads1));
  });

  test('positional order: learningRate, betas, eps, weightDecay, biasCorrection', () => {
    const opt = new AdamW(0.01, [0.8, 0.9], 1e-7, 0.2, true);
    expect([opt.betas, opt.eps, opt.weightDecay, opt.biasCorrection]).toEqual([[0.8, 0.9], 1e-7, 0.2, true]);
    expectClose(runSteps(opt, init1, grads1), referenceSteps(adamRule(0.01, 0.8, 0.9, 1e-7, true, 0.2), init1, grads1));
  });
});

describe('Adamax', () => {
  test('follows its update rule in float64 (no bias correction, eps outside the max, unlike PyTorch)', () => {
    const [lr, b1, b2, eps] = [0.02, 0.85, 0.99, 1e-6];
    const rule = (g: number, w: number, s: Record<string, number>) => {
      s.m = b1 * (s.m ?? 0) + (1 - b1) * g;
      s.v = Math.max(b2 * (s.v ?? 0), Math.abs(g));
      return w - (lr * s.m) / (s.v + eps);
    };
    expectClose(runSteps(new Adamax(lr, [b1, b2], eps), init1, grads1), referenceSteps(rule, init1, grads1));
  });

  test('defaults and checks as Adam', () => {
    const opt = new Adamax({ learningRate: 0.1 });
    expect([opt.betas, opt.eps]).toEqual([[0.9, 0.999], 1e-8]);
    expect(() => new Adamax(0.1, [1.5, 0.9])).toThrow('Adamax: beta1 should be in [0, 1)');
    expect(() => new Adamax(0.1, { biasCorrection: true } as never)).toThrow("Adamax: unknown option 'biasCorrection'");
  });
});
