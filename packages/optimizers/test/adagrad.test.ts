import * as mx from 'mlx-ts';
import { describe, expect, test } from 'vitest';
import { expectClose, grads1, init1, referenceSteps, runSteps, torchCase } from './helpers.js';

const { Adagrad } = mx.optimizers;

describe('Adagrad', () => {
  test('matches PyTorch (lr_decay 0, eps 1e-8)', () => {
    const c = torchCase('adagrad');
    expectClose(runSteps(new Adagrad(c.options as never), init1, grads1), c.params);
  });

  test('follows its update rule in float64', () => {
    const [lr, eps] = [0.2, 1e-6];
    const rule = (g: number, w: number, s: Record<string, number>) => {
      s.v = (s.v ?? 0) + g * g;
      return w - (lr * g) / (Math.sqrt(s.v) + eps);
    };
    expectClose(runSteps(new Adagrad(lr, eps), init1, grads1), referenceSteps(rule, init1, grads1));
  });

  test('init makes zero accumulators; the default eps is 1e-8', () => {
    const opt = new Adagrad(1e-2);
    expect(opt.eps).toBe(1e-8);
    opt.init({ first: [mx.zeros([3])] });
    expect((opt.state.first as { v: mx.Array }[])[0]!.v.tolist()).toEqual([0, 0, 0]);
  });

  test('bad arguments', () => {
    expect(() => new Adagrad(0.1, 0)).toThrow('Adagrad: epsilon should be >0, 0 was provided instead');
    expect(() => new Adagrad(0.1, { eps: -1 })).toThrow('>0');
  });
});
