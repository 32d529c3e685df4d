import * as mx from 'mlx-ts';
import { describe, expect, test } from 'vitest';
import { factoredRsqrt } from '../src/adafactor.js';
import { expectClose, type Matrix, type Params } from './helpers.js';

const { Adafactor } = mx.optimizers;

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const rmsOf = (xs: number[]): number => Math.sqrt(mean(xs.map((x) => x * x)));

interface Config {
  lr?: number;
  eps?: [number, number];
  clip?: number;
  decay?: number;
  beta1?: number;
  wd?: number;
  scale?: boolean;
  relative?: boolean;
  warmup?: boolean;
}

/** Adafactor in float64 on one matrix parameter (factored) and one vector (not factored). */
function reference(c: Config, init: { w: Matrix; b: number[] }, grads: { w: Matrix; b: number[] }[]): Params[] {
  const [eps1, eps2] = c.eps ?? [1e-30, 1e-3];
  const clip = c.clip ?? 1;
  const decay = c.decay ?? -0.8;
  let { w, b } = init;
  let row = w.map(() => 0);
  let col = w[0]!.map(() => 0);
  let sq = b.map(() => 0);
  let avgW = w.map((r) => r.map(() => 0));
  let avgB = b.map(() => 0);
  return grads.map((g, i) => {
    const t = i + 1;
    const stepSize = (p: number[]) => {
      const rel = (c.relative ?? true) ? Math.min(c.warmup ? 1e-6 * t : 1e-2, 1 / Math.sqrt(t)) : c.lr!;
      return (c.scale ?? true) ? Math.max(eps2, rmsOf(p)) * rel : rel;
    };
    const beta2 = 1 - t ** decay;
    const finish = (p: number[], u: number[], avg: number[]): [number[], number[]] => {
      const lr = stepSize(p);
      const denom = Math.max(1, rmsOf(u) / clip);
      let upd = u.map((x) => (lr * x) / denom);
      if (c.beta1 !== undefined) {
        avg = avg.map((a, k) => c.beta1! * a + (1 - c.beta1!) * upd[k]!);
        upd = avg;
      }
      const decayed = c.wd ? p.map((x) => x + x * (-c.wd! * lr)) : p;
      return [decayed.map((x, k) => x - upd[k]!), avg];
    };
    // The matrix: row and column averages of g^2 + eps1.
    const u2 = g.w.map((r) => r.map((x) => x * x + eps1));
    row = row.map((r, k) => beta2 * r + (1 - beta2) * mean(u2[k]!));
    col = col.map((cc, j) => beta2 * cc + (1 - beta2) * mean(u2.map((r) => r[j]!)));
    const rowMean = mean(row);
    const uw = g.w.map((r, k) => r.map((x, j) => x / Math.sqrt(row[k]! / rowMean) / Math.sqrt(col[j]!)));
    const [wFlat, aW] = finish(w.flat(), uw.flat(), avgW.flat());
    const n = w[0]!.length;
    w = w.map((_, k) => wFlat.slice(k * n, (k + 1) * n));
    avgW = w.map((_, k) => aW.slice(k * n, (k + 1) * n));
    // The vector: a plain running average.
    sq = sq.map((s, k) => beta2 * s + (1 - beta2) * (g.b[k]! * g.b[k]! + eps1));
    [b, avgB] = finish(
      b,
      g.b.map((x, k) => x / Math.sqrt(sq[k]!)),
      avgB,
    );
    return { w, b };
  });
}

const init = {
  w: [
    [0.5, -1, 2],
    [1.5, 0.25, -0.75],
  ],
  b: [0.3, -0.2, 0.1, 0.4],
};
const grads = [0, 1, 2, 3, 4].map((s) => ({
  w: [
    [Math.sin(s + 1), Math.cos(2 * s), 0.3 - s / 10],
    [0.2 * s - 0.5, Math.sin(3 * s + 0.5), 1],
  ],
  b: [Math.cos(s), 0.5 - s / 5, Math.sin(s * 2 + 1), -0.25],
}));

function run(opt: mx.optimizers.Optimizer): Params[] {
  let params = { w: mx.array(init.w), b: mx.array(init.b) };
  return grads.map((g) => {
    params = opt.applyGradients({ w: mx.array(g.w), b: mx.array(g.b) }, params);
    return { w: params.w.tolist() as number[][], b: params.b.tolist() as number[] };
  });
}

describe('Adafactor', () => {
  test.each<[string, Config, ConstructorParameters<typeof Adafactor>]>([
    ['defaults (relative step, parameter scale)', {}, []],
    ['warmup init', { warmup: true }, [{ warmupInit: true }]],
    [
      'a learning rate, no relative step or scaling, first moment, weight decay',
      { lr: 0.05, relative: false, scale: false, beta1: 0.9, wd: 0.1 },
      [0.05, { relativeStep: false, scaleParameter: false, beta1: 0.9, weightDecay: 0.1 }],
    ],
    ['clipping, decay rate and eps', { clip: 0.5, decay: -0.5, eps: [1e-20, 1e-2] }, [null, [1e-20, 1e-2], 0.5, -0.5]],
  ])('follows its update rule in float64: %s', (_, config, args) => {
    expectClose(run(new Adafactor(...args)), reference(config, init, grads), 1e-4, 1e-6);
  });

  test('state: factored over the last two axes for 2-d and more, whole for 1-d; exp_avg with beta1', () => {
    const opt = new Adafactor({ beta1: 0.9 });
    opt.init({ w: mx.zeros([2, 3, 4]), b: mx.zeros([5]) });
    const s = opt.state as Record<string, Record<string, mx.Array>>;
    expect(Object.keys(s.w!).sort()).toEqual(['exp_avg', 'exp_avg_sq_col', 'exp_avg_sq_row']);
    expect([s.w!.exp_avg_sq_row!.shape, s.w!.exp_avg_sq_col!.shape]).toEqual([
      [2, 3],
      [2, 4],
    ]);
    expect(Object.keys(s.b!).sort()).toEqual(['exp_avg', 'exp_avg_sq']);
  });

  test('3-d parameters stay finite; dtypes are kept (float16 too); the step counts', () => {
    let params = { x: mx.zeros([2, 3, 4]) };
    const opt = new Adafactor();
    for (let i = 0; i < 2; i++) {
      params = opt.applyGradients({ x: mx.onesLike(params.x) }, params);
      expect(params.x.shape).toEqual([2, 3, 4]);
      expect(mx.all(mx.isfinite(params.x)).itemBool()).toBe(true);
    }
    const half = new Adafactor();
    let h = { x: mx.zeros([5, 5], mx.float16) };
    for (let i = 0; i < 2; i++) h = half.applyGradients({ x: mx.onesLike(h.x) }, h);
    expect(h.x.dtype).toBe(mx.float16);
    expect(half.step.item()).toBe(2);
  });

  test('the factored estimate is a separable outer product per leading index', () => {
    const row = [
      [1, 4, 9],
      [16, 25, 36],
    ];
    const col = [
      [1, 4, 9, 16],
      [25, 36, 49, 64],
    ];
    const expected = row.map((r, i) => {
      const m = r.reduce((a, b) => a + b, 0) / r.length;
      return r.map((x) => col[i]!.map((y) => 1 / Math.sqrt(x / m) / Math.sqrt(y)));
    });
    expectClose(factoredRsqrt(mx.array(row), mx.array(col)).tolist(), expected);
  });

  test('no learning rate without the relative step is an error', () => {
    expect(() => new Adafactor({ relativeStep: false })).toThrow('Adafactor: relativeStep false needs a learningRate');
    expect(() => new Adafactor().learningRate).toThrow('Adafactor: the state has no learning_rate Array');
    expect(() => new Adafactor(0.1, { beta1: '0.9' } as never)).toThrow('Adafactor: beta1 must be a number or null');
  });
});
