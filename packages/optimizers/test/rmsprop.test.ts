import * as mx from 'mlx-ts';
import { describe, expect, test } from 'vitest';
import { expectClose, grads1, init1, referenceSteps, runSteps, torchCase } from './helpers.js';

const { RMSprop } = mx.optimizers;

describe('RMSprop', () => {
  test.each(['rmsprop', 'rmsprop-alpha'])('matches PyTorch: %s', (name) => {
    const c = torchCase(name);
    expectClose(runSteps(new RMSprop(c.options as never), init1, grads1), c.params);
  });

  test('follows its update rule in float64', () => {
    const [lr, alpha, eps] = [0.03, 0.95, 1e-7];
    const rule = (g: number, w: number, s: Record<string, number>) => {
      s.v = alpha * (s.v ?? 0) + (1 - alpha) * g * g;
      return w - (lr * g) / (Math.sqrt(s.v) + eps);
    };
    expectClose(runSteps(new RMSprop(lr, alpha, eps), init1, grads1), referenceSteps(rule, init1, grads1));
  });

  test('init and the first update', () => {
    const params = { first: [mx.zeros([10]), mx.zeros([1])], second: mx.zeros([1]) };
    const opt = new RMSprop(1e-2);
    opt.init(params);
    expect((opt.state.second as { v: mx.Array }).v.tolist()).toEqual([0]);
    const lazy = new RMSprop({ learningRate: 1e-2, alpha: 0.99 });
    lazy.applyGradients({ second: mx.ones([1]) }, params);
    expectClose((lazy.state.second as { v: mx.Array }).v.tolist(), [0.01]);
  });

  test('bad arguments', () => {
    expect(() => new RMSprop(0.1, -0.5)).toThrow('RMSprop: alpha should be >=0, -0.5 was provided instead');
    expect(() => new RMSprop(0.1, 0.9, 0)).toThrow('RMSprop: epsilon should be >0');
    expect(() => new RMSprop(0.1, { eps: -1 })).toThrow('>0');
  });
});
