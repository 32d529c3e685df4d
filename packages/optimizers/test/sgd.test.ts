import * as mx from 'mlx-ts';
import { describe, expect, test } from 'vitest';
import { type ElementRule, expectClose, grads1, init1, referenceSteps, runSteps, torchCase } from './helpers.js';

const { SGD } = mx.optimizers;

const sgdRule =
  (lr: number, momentum = 0, weightDecay = 0, dampening = 0, nesterov = false): ElementRule =>
  (g, w, s) => {
    if (weightDecay !== 0) g += weightDecay * w;
    if (momentum <= 0) return w - lr * g;
    const v = momentum * (s.v ?? 0) + (dampening > 0 ? (1 - dampening) * g : g);
    s.v = v;
    return w - lr * (nesterov ? g + momentum * v : v);
  };

describe('SGD', () => {
  test.each(['sgd', 'sgd-momentum', 'sgd-nesterov', 'sgd-weight-decay', 'sgd-weight-decay-plain'])('matches PyTorch: %s', (name) => {
    const c = torchCase(name);
    expectClose(runSteps(new SGD(c.options as never), init1, grads1), c.params);
  });

  test.each([
    ['plain', [0.1]],
    ['momentum', [0.1, 0.9]],
    ['momentum, weight decay, dampening (where MLX and PyTorch differ)', [0.05, 0.9, 0.01, 0.3]],
    ['nesterov', [0.05, 0.8, 0, 0, true]],
  ] as const)('follows its update rule in float64: %s', (_, args) => {
    const [lr, momentum, wd, damp, nesterov] = args as unknown as [number, number?, number?, number?, boolean?];
    const opt = new SGD(lr, momentum, wd, damp, nesterov);
    expectClose(runSteps(opt, init1, grads1), referenceSteps(sgdRule(lr, momentum, wd, damp, nesterov), init1, grads1));
  });

  test('positional arguments, an options object, or both', () => {
    const a = runSteps(new SGD(0.1, 0.9, 0.01, 0, true), init1, grads1);
    expect(runSteps(new SGD({ learningRate: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true }), init1, grads1)).toEqual(a);
    expect(runSteps(new SGD(0.1, { momentum: 0.9, weightDecay: 0.01, nesterov: true }), init1, grads1)).toEqual(a);
  });

  test('explicit init makes zero velocities; the first update stores the gradient (dampening 0)', () => {
    const params = { first: [mx.zeros([10]), mx.zeros([1])], second: mx.zeros([1]) };
    const opt = new SGD(1e-2, 0.9);
    opt.init(params);
    const s = opt.state as { first: { v: mx.Array }[]; second: { v: mx.Array } };
    expect(s.first[0]!.v.tolist()).toEqual(new Array(10).fill(0));
    expect(s.second.v.tolist()).toEqual([0]);
    const grads = mx.treeMap((x: mx.Array) => mx.onesLike(x), params);
    const lazy = new SGD(1e-2, 0.9);
    lazy.applyGradients(grads, params);
    expect((lazy.state as typeof s).first[1]!.v.tolist()).toEqual([1]);
  });

  test('bad arguments', () => {
    expect(() => new SGD(0.1, 0, 0, 0, true)).toThrow('SGD: Nesterov momentum requires a momentum and zero dampening');
    expect(() => new SGD(0.1, 0.9, 0, 0.1, true)).toThrow('Nesterov');
    expect(() => new SGD('fast' as never)).toThrow('SGD: learningRate must be a number, an Array or a schedule');
    expect(() => new SGD({ momentum: 0.9 } as never)).toThrow('SGD: learningRate is required');
    expect(() => new SGD(0.1, { momentum: 0.9, moment: 1 } as never)).toThrow("SGD: unknown option 'moment'");
    expect(() => new SGD(0.1, 0.9, { momentum: 0.5 } as never)).toThrow("SGD: 'momentum' was given both positionally and as an option");
    expect(() => new SGD(0.1, '0.9' as never)).toThrow("SGD: momentum must be a number, got a string ('0.9')");
  });
});
