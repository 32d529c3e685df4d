import { describe, expect, test } from 'vitest';
import * as mx from 'mlx-ts';
import { checkJvp, checkVjp } from '@mlx-ts/testing';
import { arr, expectClose, fixture, type Tensor } from './helpers.js';

const L = mx.nn.losses;
type Reduction = mx.nn.losses.Reduction;
const fx = fixture<{ inputs: Record<string, Tensor>; cases: Record<string, Tensor> }>('losses');
const I = (k: string, dtype: mx.DtypeLike = mx.float32) => arr(fx.inputs[k]!, dtype);
const idx = (k: string) => arr(fx.inputs[k]!, mx.int32);
const reductions: Reduction[] = ['none', 'mean', 'sum'];

/** Each case: the fixture key prefix and the loss with the given reduction. */
const cases: [string, (r: Reduction) => mx.Array][] = [
  ['crossEntropy_indices', (r) => L.crossEntropy(I('logits'), idx('classes'), { reduction: r })],
  ['crossEntropy_probs', (r) => L.crossEntropy(I('logits'), I('probs'), null, -1, 0, r)],
  ['crossEntropy_weights', (r) => L.crossEntropy(I('logits'), idx('classes'), { weights: I('weights'), reduction: r })],
  ['crossEntropy_smoothing', (r) => L.crossEntropy(I('logits'), idx('classes'), { labelSmoothing: 0.3, reduction: r })],
  ['crossEntropy_axis1', (r) => L.crossEntropy(I('logits3'), idx('classes3'), { axis: 1, reduction: r })],
  ['binaryCrossEntropy_logits', (r) => L.binaryCrossEntropy(I('binLogits'), I('binTargets'), { reduction: r })],
  ['binaryCrossEntropy_probs', (r) => L.binaryCrossEntropy(I('binProbs'), I('binTargets'), null, false, r)],
  ['binaryCrossEntropy_weights', (r) => L.binaryCrossEntropy(I('binLogits'), I('binTargets'), { weights: I('binWeights'), reduction: r })],
  ['nllLoss', (r) => L.nllLoss(mx.nn.logSoftmax(I('logits')), idx('classes'), -1, r)],
  ['klDivLoss', (r) => L.klDivLoss(I('logp'), I('logq'), { reduction: r })],
  ['mseLoss', (r) => L.mseLoss(I('pred'), I('targ'), r)],
  ['l1Loss', (r) => L.l1Loss(I('pred'), I('targ'), { reduction: r })],
  ['smoothL1Loss', (r) => L.smoothL1Loss(I('pred'), I('targ'), { reduction: r })],
  ['smoothL1Loss_beta0.5', (r) => L.smoothL1Loss(I('pred'), I('targ'), 0.5, r)],
  ['huberLoss', (r) => L.huberLoss(I('pred'), I('targ'), { reduction: r })],
  ['huberLoss_delta2', (r) => L.huberLoss(I('pred'), I('targ'), 2, r)],
  ['logCoshLoss', (r) => L.logCoshLoss(I('pred'), I('targ'), r)],
  ['cosineSimilarityLoss', (r) => L.cosineSimilarityLoss(I('x1'), I('x2'), { reduction: r })],
  ['hingeLoss', (r) => L.hingeLoss(I('s1'), I('signs'), r)],
  ['tripletLoss', (r) => L.tripletLoss(I('anc'), I('pos'), I('neg'), { reduction: r })],
  ['tripletLoss_eps0', (r) => L.tripletLoss(I('anc'), I('pos'), I('neg'), { eps: 0, reduction: r })],
  ['tripletLoss_p1_eps0', (r) => L.tripletLoss(I('anc'), I('pos'), I('neg'), -1, 1, 0.5, 0, r)],
  ['marginRankingLoss', (r) => L.marginRankingLoss(I('s1'), I('s2'), I('signs'), { reduction: r })],
  ['marginRankingLoss_margin0.5', (r) => L.marginRankingLoss(I('s1'), I('s2'), I('signs'), 0.5, r)],
  ['gaussianNllLoss', (r) => L.gaussianNllLoss(I('pred'), I('targ'), I('var'), { reduction: r })],
  ['gaussianNllLoss_full', (r) => L.gaussianNllLoss(I('pred'), I('targ'), I('var'), true, 1e-6, r)],
];

describe('losses against PyTorch', () => {
  for (const [name, f] of cases) {
    test.each(reductions)(`${name}, reduction %s`, (r) => {
      expectClose(f(r), fx.cases[`${name}_${r}`]!, { what: `${name} ${r}`, rtol: 1e-5, atol: 1e-5 });
    });
  }
});

describe("MLX's default reductions", () => {
  const a = mx.array([
    [0.5, -1],
    [2, 0.25],
  ]);
  const b = mx.array([
    [1, 0],
    [-1, 1],
  ]);
  const labels = mx.array([0, 1], mx.int32);
  test.each([
    ['crossEntropy', () => L.crossEntropy(a, labels), 'none'],
    ['binaryCrossEntropy', () => L.binaryCrossEntropy(a, b), 'mean'],
    ['l1Loss', () => L.l1Loss(a, b), 'mean'],
    ['mseLoss', () => L.mseLoss(a, b), 'mean'],
    ['nllLoss', () => L.nllLoss(a, labels), 'none'],
    ['gaussianNllLoss', () => L.gaussianNllLoss(a, b, mx.ones([2, 2])), 'mean'],
    ['klDivLoss', () => L.klDivLoss(a, b), 'none'],
    ['smoothL1Loss', () => L.smoothL1Loss(a, b), 'mean'],
    ['tripletLoss', () => L.tripletLoss(a, b, a), 'none'],
    ['hingeLoss', () => L.hingeLoss(a, b), 'none'],
    ['huberLoss', () => L.huberLoss(a, b), 'none'],
    ['logCoshLoss', () => L.logCoshLoss(a, b), 'none'],
    ['cosineSimilarityLoss', () => L.cosineSimilarityLoss(a, b), 'none'],
    ['marginRankingLoss', () => L.marginRankingLoss(a, b, b), 'none'],
  ] as const)('%s defaults to %s', (_n, f, r) => {
    expect(f().ndim === 0).toBe(r !== 'none');
  });

  test("MLX's documented examples", () => {
    expectClose(
      L.crossEntropy(
        mx.array([
          [2, -1],
          [-1, 2],
        ]),
        mx.array([0, 1], mx.int32),
      ),
      { shape: [2], data: [0.0485873, 0.0485873] },
    );
    expectClose(
      L.crossEntropy(
        mx.array([
          [2, -1],
          [-1, 2],
        ]),
        mx.array([
          [0.9, 0.1],
          [0.1, 0.9],
        ]),
      ),
      { shape: [2], data: [0.348587, 0.348587] },
    );
    expectClose(L.binaryCrossEntropy(mx.array([0.105361, 0.223144, 1.20397, 0.916291]), mx.array([0, 0, 1, 1])), { shape: [], data: [0.539245] });
    expectClose(L.binaryCrossEntropy(mx.array([0.1, 0.1, 0.4, 0.4]), mx.array([0, 0, 1, 1]), { withLogits: false }), { shape: [], data: [0.510826] });
    expectClose(L.marginRankingLoss(mx.array([-0.573409, -0.765166, -0.0638]), mx.array([0.75596, 0.225763, 0.256995]), mx.array([1, 1, -1])), {
      shape: [3],
      data: [1.32937, 0.990929, 0],
    });
  });

  test('binary cross entropy of probabilities clips log(0) at -100', () => {
    expectClose(L.binaryCrossEntropy(mx.array([0, 1]), mx.array([1, 0]), { withLogits: false, reduction: 'none' }), { shape: [2], data: [100, 100] });
  });

  test('cross entropy stays exact for huge logits', () => {
    expectClose(L.crossEntropy(mx.array([[1e8, 1e8 + 64]]), mx.array([1], mx.int32)), { shape: [1], data: [0] }, { atol: 1e-6 });
  });
});

describe('loss gradients', () => {
  const f64 = (k: string) => I(k, mx.float64);
  test.each([
    ['crossEntropy (indices)', (a: mx.Array) => L.crossEntropy(a, idx('classes'), { labelSmoothing: 0.1 }), ['logits']],
    ['crossEntropy (probabilities)', (a: mx.Array, b: mx.Array) => L.crossEntropy(a, b, { reduction: 'mean' }), ['logits', 'probs']],
    ['binaryCrossEntropy', (a: mx.Array, b: mx.Array) => L.binaryCrossEntropy(a, b), ['binLogits', 'binTargets']],
    ['binaryCrossEntropy (probabilities)', (a: mx.Array, b: mx.Array) => L.binaryCrossEntropy(a, b, { withLogits: false }), ['binProbs', 'binTargets']],
    ['nllLoss', (a: mx.Array) => L.nllLoss(a, idx('classes'), { reduction: 'sum' }), ['logits']],
    ['klDivLoss', (a: mx.Array, b: mx.Array) => L.klDivLoss(a, b), ['logp', 'logq']],
    ['mseLoss', (a: mx.Array, b: mx.Array) => L.mseLoss(a, b), ['pred', 'targ']],
    ['l1Loss', (a: mx.Array, b: mx.Array) => L.l1Loss(a, b), ['pred', 'targ']],
    ['smoothL1Loss', (a: mx.Array, b: mx.Array) => L.smoothL1Loss(a, b), ['pred', 'targ']],
    ['huberLoss', (a: mx.Array, b: mx.Array) => L.huberLoss(a, b), ['pred', 'targ']],
    ['logCoshLoss', (a: mx.Array, b: mx.Array) => L.logCoshLoss(a, b), ['pred', 'targ']],
    ['cosineSimilarityLoss', (a: mx.Array, b: mx.Array) => L.cosineSimilarityLoss(a, b), ['x1', 'x2']],
    ['hingeLoss', (a: mx.Array, b: mx.Array) => L.hingeLoss(a, b), ['s1', 'signs']],
    ['tripletLoss', (a: mx.Array, b: mx.Array, c: mx.Array) => L.tripletLoss(a, b, c), ['anc', 'pos', 'neg']],
    ['marginRankingLoss', (a: mx.Array, b: mx.Array, c: mx.Array) => L.marginRankingLoss(a, b, c), ['s1', 's2', 'signs']],
    ['gaussianNllLoss', (a: mx.Array, b: mx.Array, c: mx.Array) => L.gaussianNllLoss(a, b, c, { full: true }), ['pred', 'targ', 'var']],
  ] as [string, (...a: mx.Array[]) => mx.Array, string[]][])('%s', (_name, f, keys) => {
    const args = keys.map(f64);
    checkJvp(f, args);
    checkVjp(f, args);
  });
});

describe('bad input', () => {
  const a = mx.ones([3, 4]);
  test.each([
    [() => L.mseLoss(a, mx.ones([4, 3])), /mseLoss: expected targets of shape \[3,4\] \(the shape of predictions\), got \[4,3\]/],
    [() => L.l1Loss(a, mx.ones([3])), /l1Loss: expected targets of shape \[3,4\]/],
    [
      () => L.crossEntropy(a, mx.zeros([4], mx.int32)),
      /crossEntropy: expected targets of shape \[3\] \(class indices: the logits shape \[3,4\] without axis 1\), got \[4\]/,
    ],
    [() => L.crossEntropy(a, mx.ones([3, 5])), /crossEntropy: expected targets of shape \[3,4\] \(probabilities: the logits shape\), got \[3,5\]/],
    [() => L.crossEntropy(a, mx.zeros([3])), /crossEntropy: expected integer class indices as targets, got float32/],
    [() => L.crossEntropy(a, mx.zeros([3], mx.int32), { labelSmoothing: 1 }), /crossEntropy: expected labelSmoothing in \[0, 1\), got 1/],
    [
      () => L.crossEntropy(a, mx.zeros([3], mx.int32), { weights: mx.ones([4]) }),
      /crossEntropy: expected weights of shape \[3\] \(the shape of the unreduced loss\), got \[4\]/,
    ],
    [() => L.binaryCrossEntropy(a, mx.ones([3])), /binaryCrossEntropy: expected targets of shape \[3,4\] \(the shape of inputs\), got \[3\]/],
    [() => L.mseLoss(a, a, 'avg' as never), /mseLoss: expected reduction to be one of 'none', 'mean', 'sum', got a string \('avg'\)/],
    [() => L.nllLoss(a, mx.zeros([3], mx.int32), 2), /nllLoss: axis 2 is out of range for inputs of dimension 2/],
    [() => L.gaussianNllLoss(a, a, mx.ones([3, 1])), /gaussianNllLoss: expected vars of shape \[3,4\] \(the shape of inputs\), got \[3,1\]/],
    [() => L.tripletLoss(a, a, mx.ones([2, 4])), /tripletLoss: expected negatives of shape \[3,4\]/],
    [() => L.marginRankingLoss(a, a, mx.ones([3])), /marginRankingLoss: expected targets of shape \[3,4\]/],
    [() => L.mseLoss([1, 2] as never, a), /mseLoss: expected predictions to be an mx.Array, got a JS array \[1, 2\]/],
    [() => L.huberLoss(a, a, { delta: '1' } as never), /huberLoss: expected delta to be a number, got a string \('1'\)/],
  ] as [() => unknown, RegExp][])('%#: %s', (f, re) => {
    expect(f).toThrow(re);
  });
});
