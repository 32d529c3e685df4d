/** layers/normalization.ts: LayerNorm, RMSNorm, GroupNorm, BatchNorm, InstanceNorm against PyTorch. */
import { describe, expect, it } from 'vitest';
import * as mx from 'mlx-ts';
import { nn } from 'mlx-ts';
import { assertAllClose, checkJvp, checkVjp } from '@mlx-ts/testing';
import { f64, readFixture } from './fixtures.js';

const fx = readFixture('layers.json');
const tol = { rtol: 1e-10, atol: 1e-10 };

/** JVP against finite differences and VJP against JVP for `layer` as a function of its input and parameters. */
function checkGrads(layer: nn.Module, x: mx.Array, names: string[]): void {
  const params = layer.parameters() as Record<string, mx.Array>;
  const f = (xx: mx.Array, ...ps: mx.Array[]) => {
    layer.update(Object.fromEntries(names.map((n, i) => [n, ps[i]!])));
    return layer.forward(xx) as mx.Array;
  };
  const args = [x, ...names.map((n) => mx.add(params[n]!, mx.random.uniform(-0.5, 0.5, params[n]!.shape)))];
  checkJvp(f, args, { rtol: 1e-4, atol: 1e-5 });
  checkVjp(f, args);
}

describe('LayerNorm', () => {
  it('matches torch.nn.LayerNorm, with and without the affine parameters', () => {
    const c = fx.layernorm!;
    const ln = new nn.LayerNorm(4);
    expect(ln.weight!.tolist()).toEqual([1, 1, 1, 1]);
    expect(ln.bias!.tolist()).toEqual([0, 0, 0, 0]);
    ln.update({ weight: f64(c.weight!), bias: f64(c.bias!) });
    assertAllClose(ln.forward(f64(c.x!)), f64(c.y!), tol);
    const plain = new nn.LayerNorm(4, 1e-5, false);
    expect(Object.keys(plain.parameters())).toEqual([]);
    assertAllClose(plain.forward(f64(c.x!)), f64(c.yPlain!), tol);
    expect(Object.keys(new nn.LayerNorm(4, { bias: false }).parameters())).toEqual(['weight']);
  });

  it('gradients', () => checkGrads(new nn.LayerNorm(3), mx.random.normal([2, 3]), ['weight', 'bias']));

  it('errors', () => {
    expect(() => new nn.LayerNorm(4).forward(mx.ones([2, 3]))).toThrow('LayerNorm: expected x with last dimension 4 (dims), got shape [2,3]');
    expect(() => new nn.LayerNorm(4, 0)).toThrow('LayerNorm: eps must be positive, got 0');
  });
});

describe('RMSNorm', () => {
  it('matches x / sqrt(mean(x²) + eps) · weight', () => {
    const c = fx.rmsnorm!;
    const n = new nn.RMSNorm(4);
    n.update({ weight: f64(c.weight!) });
    assertAllClose(n.forward(f64(c.x!)), f64(c.y!), tol);
  });

  it('gradients', () => checkGrads(new nn.RMSNorm(3), mx.random.normal([2, 3]), ['weight']));
});

describe('GroupNorm', () => {
  const c = fx.groupnorm!;

  it('pytorchCompatible matches torch.nn.GroupNorm (channels last here)', () => {
    const g = new nn.GroupNorm(3, 6, { pytorchCompatible: true });
    g.update({ weight: f64(c.weight!), bias: f64(c.bias!) });
    assertAllClose(g.forward(f64(c.x!)), f64(c.yPytorch!), tol);
  });

  it("MLX's default groups channels c mod numGroups", () => {
    const g = new nn.GroupNorm(3, 6);
    g.update({ weight: f64(c.weight!), bias: f64(c.bias!) });
    assertAllClose(g.forward(f64(c.x!)), f64(c.yMlx!), tol);
  });

  it('gradients, both groupings', () => {
    checkGrads(new nn.GroupNorm(2, 4), mx.random.normal([2, 3, 4]), ['weight', 'bias']);
    checkGrads(new nn.GroupNorm(2, 4, 1e-5, true, true), mx.random.normal([2, 3, 4]), ['weight', 'bias']);
  });

  it('errors', () => {
    expect(() => new nn.GroupNorm(4, 6)).toThrow('GroupNorm: dims (6) must be divisible by numGroups (4)');
    expect(() => new nn.GroupNorm(3, 6).forward(mx.ones([2, 4]))).toThrow('GroupNorm: expected x with last dimension 6 (dims), got shape [2,4]');
  });
});

describe('BatchNorm', () => {
  const c = fx.batchnorm!;

  it('training normalizes by the batch and updates the running statistics as torch does; eval uses them', () => {
    const bn = new nn.BatchNorm(2);
    bn.update({ weight: f64(c.weight!), bias: f64(c.bias!), runningMean: mx.zeros([2], mx.float64), runningVar: mx.ones([2], mx.float64) });
    assertAllClose(bn.forward(f64(c.x!)), f64(c.yTrain!), tol);
    assertAllClose(bn.runningMean!, f64(c.runningMean!), tol);
    assertAllClose(bn.runningVar!, f64(c.runningVar!), tol);
    bn.eval();
    assertAllClose(bn.forward(f64(c.x2!)), f64(c.yEval!), tol);
    assertAllClose(bn.runningMean!, f64(c.runningMean!), tol);
  });

  it('without trackRunningStats it always uses the batch statistics and has no buffers', () => {
    const bn = new nn.BatchNorm(2, { trackRunningStats: false, affine: false });
    expect(Object.keys(bn.parameters())).toEqual([]);
    bn.eval();
    const y = bn.forward(f64(c.x!));
    assertAllClose(mx.mean(y, [0, 1]), mx.zeros([2], mx.float64), { atol: 1e-12, rtol: 0 });
  });

  it('gradients in eval mode', () => {
    const bn = new nn.BatchNorm(3).eval();
    checkGrads(bn, mx.random.normal([4, 3]), ['weight', 'bias']);
    const bt = new nn.BatchNorm(3, { trackRunningStats: false });
    checkGrads(bt, mx.random.normal([4, 3]), ['weight', 'bias']);
  });

  it('errors', () => {
    expect(() => new nn.BatchNorm(2).forward(mx.ones([1, 2]))).toThrow(/BatchNorm: training needs more than one value per channel/);
    expect(() => new nn.BatchNorm(2).forward(mx.ones([2]))).toThrow('BatchNorm: expected x with 2 or 3 or 4 dimensions, got shape [2] (1 dimensions)');
  });
});

describe('InstanceNorm', () => {
  it('matches torch.nn.InstanceNorm2d (channels last here); affine is off by default', () => {
    const c = fx.instancenorm!;
    expect(Object.keys(new nn.InstanceNorm(4).parameters())).toEqual([]);
    const n = new nn.InstanceNorm(4, { affine: true });
    n.update({ weight: f64(c.weight!), bias: f64(c.bias!) });
    assertAllClose(n.forward(f64(c.x!)), f64(c.y!), tol);
  });

  it('gradients', () => checkGrads(new nn.InstanceNorm(2, 1e-5, true), mx.random.normal([2, 3, 2]), ['weight', 'bias']));

  it('errors', () => {
    expect(() => new nn.InstanceNorm(2).forward(mx.ones([3, 2]))).toThrow(
      'InstanceNorm: expected x with at least 3 dimensions, got shape [3,2] (2 dimensions)',
    );
  });
});
