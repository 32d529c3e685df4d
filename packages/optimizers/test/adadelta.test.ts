import * as mx from 'mlx-ts';
import { describe, expect, test } from 'vitest';
import { expectClose, grads1, init1, referenceSteps, runSteps, torchCase } from './helpers.js';

const { AdaDelta } = mx.optimizers;

describe('AdaDelta', () => {
  test.each(['adadelta', 'adadelta-rho'])('matches PyTorch: %s', (name) => {
    const c = torchCase(name);
    expectClose(runSteps(new AdaDelta(c.options as never), init1, grads1), c.params);
  });

  test('follows its update rule in float64', () => {
    const [lr, rho, eps] = [0.7, 0.85, 1e-4];
    const rule = (g: number, w: number, s: Record<string, number>) => {
      const u = s.u ?? 0;
      s.v = rho * (s.v ?? 0) + (1 - rho) * g * g;
      const d = (Math.sqrt(u + eps) / Math.sqrt(s.v + eps)) * g;
      s.u = rho * u + (1 - rho) * d * d;
      return w - lr * d;
    };
    expectClose(runSteps(new AdaDelta(lr, rho, eps), init1, grads1), referenceSteps(rule, init1, grads1));
  });

  test('init makes zero v and u', () => {
    const opt = new AdaDelta(1e-2);
    opt.init({ second: mx.zeros([2]) });
    const s = opt.state.second as { v: mx.Array; u: mx.Array };
    expect([s.v.tolist(), s.u.tolist()]).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  test('bad arguments', () => {
    expect(() => new AdaDelta(0.1, -1)).toThrow('AdaDelta: rho should be >=0, -1 was provided instead');
    expect(() => new AdaDelta(0.1, 0.9, 0)).toThrow('AdaDelta: epsilon should be >0');
  });
});
