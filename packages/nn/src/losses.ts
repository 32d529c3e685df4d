/**
 * MLX's loss functions (mlx.nn.losses): names, argument order, defaults (each loss keeps MLX's
 * default `reduction`, which is not the same for all of them) and formulas.
 *
 * @module
 */
import {
  abs,
  add,
  Array,
  clip,
  describeValue,
  divide,
  exp,
  expandDims,
  fmtShape,
  less,
  log,
  logaddexp,
  logsumexp,
  max,
  maximum,
  mean,
  minimum,
  multiply,
  negative,
  power,
  shapeEqual,
  sqrt,
  square,
  squeeze,
  stopGradient,
  subtract,
  sum,
  takeAlongAxis,
  where,
} from '@mlx-ts/core';
import { checkBool, type OptionalArgs, readOptions } from './options.js';
import { checkInput } from './layers/checks.js';

export type Reduction = 'none' | 'mean' | 'sum';
const reductions: readonly Reduction[] = ['none', 'mean', 'sum'];

function reduce(fn: string, loss: Array, reduction: unknown): Array {
  if (!reductions.includes(reduction as Reduction)) {
    throw new Error(`${fn}: expected reduction to be one of 'none', 'mean', 'sum', got ${describeValue(reduction)}`);
  }
  if (reduction === 'mean') return mean(loss);
  if (reduction === 'sum') return sum(loss);
  return loss;
}

function sameShape(fn: string, aName: string, a: Array, bName: string, b: Array): void {
  if (!shapeEqual(a.shape, b.shape)) {
    throw new Error(`${fn}: expected ${bName} of shape ${fmtShape(a.shape)} (the shape of ${aName}), got ${fmtShape(b.shape)}`);
  }
}

function number(fn: string, what: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`${fn}: expected ${what} to be a number, got ${describeValue(v)}`);
  return v;
}

function axisArg(fn: string, v: unknown, dflt: number, ndim: number): number {
  const a = (v ?? dflt) as number;
  if (!Number.isInteger(a)) throw new Error(`${fn}: expected axis to be an integer, got ${describeValue(a)}`);
  if (a < -ndim || a >= ndim) throw new Error(`${fn}: axis ${a} is out of range for inputs of dimension ${ndim}`);
  return a < 0 ? a + ndim : a;
}

function applyWeights(fn: string, loss: Array, weights: unknown): Array {
  if (weights == null) return loss;
  const w = checkInput(fn, weights, 'weights');
  if (!shapeEqual(w.shape, loss.shape))
    throw new Error(`${fn}: expected weights of shape ${fmtShape(loss.shape)} (the shape of the unreduced loss), got ${fmtShape(w.shape)}`);
  return multiply(loss, w);
}

export interface CrossEntropyOpts {
  weights?: Array | null;
  axis?: number;
  labelSmoothing?: number;
  reduction?: Reduction;
}

/**
 * Cross entropy of unnormalized `logits` against `targets`: class indices (the logits' shape without
 * `axis`) or probabilities (the logits' shape). `labelSmoothing` in [0, 1) mixes the target with the
 * uniform distribution. Default reduction: 'none' (PyTorch's default is 'mean').
 */
export function crossEntropy(
  logits: Array,
  targets: Array,
  ...rest: OptionalArgs<[weights: Array | null, axis: number, labelSmoothing: number, reduction: Reduction], CrossEntropyOpts>
): Array {
  const fn = 'crossEntropy';
  checkInput(fn, logits, 'logits');
  checkInput(fn, targets, 'targets');
  const o = readOptions(fn, rest, ['weights', 'axis', 'labelSmoothing', 'reduction']);
  const ls = number(fn, 'labelSmoothing', o.labelSmoothing, 0);
  if (ls < 0 || ls >= 1) throw new Error(`${fn}: expected labelSmoothing in [0, 1), got ${ls}`);
  const axis = axisArg(fn, o.axis, -1, logits.ndim);
  const asProbs = targets.ndim === logits.ndim;
  const expected = asProbs ? logits.shape : logits.shape.filter((_, i) => i !== axis);
  if (!shapeEqual(targets.shape, expected)) {
    throw new Error(
      `${fn}: expected targets of shape ${fmtShape(expected)} (${asProbs ? 'probabilities: the logits shape' : `class indices: the logits shape ${fmtShape(logits.shape)} without axis ${axis}`}), got ${fmtShape(targets.shape)}`,
    );
  }
  if (!asProbs && targets.dtype.isFloating) throw new Error(`${fn}: expected integer class indices as targets, got ${targets.dtype.name}`);
  // The loss depends only on differences of logits; shifting by the max (outside the gradient) keeps
  // the gaps of large logits from rounding away in the logsumexp.
  const shifted = subtract(logits, stopGradient(max(logits, axis, true)));
  const score = asProbs ? sum(multiply(shifted, targets), axis) : squeeze(takeAlongAxis(shifted, expandDims(targets, axis), axis), axis);
  const lse = logsumexp(shifted, axis);
  let loss: Array;
  if (ls > 0) {
    // The smoothed target puts ls / C on every class: its score is the mean logit times ls.
    loss = subtract(subtract(lse, multiply(score, 1 - ls)), multiply(mean(shifted, axis), ls));
  } else {
    loss = subtract(lse, score);
  }
  return reduce(fn, applyWeights(fn, loss, o.weights), o.reduction ?? 'none');
}

export interface BinaryCrossEntropyOpts {
  weights?: Array | null;
  withLogits?: boolean;
  reduction?: Reduction;
}

/**
 * Binary cross entropy of `inputs` (logits when `withLogits`, the default, else probabilities)
 * against targets in {0, 1}. Probabilities have their logs clipped at -100, as MLX and PyTorch.
 * Default reduction: 'mean'.
 */
export function binaryCrossEntropy(
  inputs: Array,
  targets: Array,
  ...rest: OptionalArgs<[weights: Array | null, withLogits: boolean, reduction: Reduction], BinaryCrossEntropyOpts>
): Array {
  const fn = 'binaryCrossEntropy';
  checkInput(fn, inputs, 'inputs');
  checkInput(fn, targets, 'targets');
  const o = readOptions(fn, rest, ['weights', 'withLogits', 'reduction']);
  sameShape(fn, 'inputs', inputs, 'targets', targets);
  let loss: Array;
  if (checkBool(fn, 'withLogits', o.withLogits ?? true)) {
    loss = subtract(logaddexp(0, inputs), multiply(inputs, targets));
  } else {
    const logP = clip(log(inputs), -100, null);
    const log1mP = clip(log(subtract(1, inputs)), -100, null);
    loss = negative(add(multiply(targets, logP), multiply(subtract(1, targets), log1mP)));
  }
  return reduce(fn, applyWeights(fn, loss, o.weights), o.reduction ?? 'mean');
}

/** Mean absolute error `|predictions - targets|`. Default reduction: 'mean'. */
export function l1Loss(predictions: Array, targets: Array, ...rest: OptionalArgs<[reduction: Reduction], { reduction?: Reduction }>): Array {
  const fn = 'l1Loss';
  checkInput(fn, predictions, 'predictions');
  checkInput(fn, targets, 'targets');
  sameShape(fn, 'predictions', predictions, 'targets', targets);
  return reduce(fn, abs(subtract(predictions, targets)), readOptions(fn, rest, ['reduction']).reduction ?? 'mean');
}

/** Squared error `(predictions - targets)^2`. Default reduction: 'mean'. */
export function mseLoss(predictions: Array, targets: Array, ...rest: OptionalArgs<[reduction: Reduction], { reduction?: Reduction }>): Array {
  const fn = 'mseLoss';
  checkInput(fn, predictions, 'predictions');
  checkInput(fn, targets, 'targets');
  sameShape(fn, 'predictions', predictions, 'targets', targets);
  return reduce(fn, square(subtract(predictions, targets)), readOptions(fn, rest, ['reduction']).reduction ?? 'mean');
}

/** Negative log likelihood of log-probabilities `inputs` at class indices `targets` along `axis`. Default reduction: 'none'. */
export function nllLoss(
  inputs: Array,
  targets: Array,
  ...rest: OptionalArgs<[axis: number, reduction: Reduction], { axis?: number; reduction?: Reduction }>
): Array {
  const fn = 'nllLoss';
  checkInput(fn, inputs, 'inputs');
  checkInput(fn, targets, 'targets');
  const o = readOptions(fn, rest, ['axis', 'reduction']);
  const axis = axisArg(fn, o.axis, -1, inputs.ndim);
  const expected = inputs.shape.filter((_, i) => i !== axis);
  if (!shapeEqual(targets.shape, expected))
    throw new Error(
      `${fn}: expected targets of shape ${fmtShape(expected)} (the inputs shape ${fmtShape(inputs.shape)} without axis ${axis}), got ${fmtShape(targets.shape)}`,
    );
  if (targets.dtype.isFloating) throw new Error(`${fn}: expected integer class indices as targets, got ${targets.dtype.name}`);
  const loss = negative(squeeze(takeAlongAxis(inputs, expandDims(targets, axis), axis), axis));
  return reduce(fn, loss, o.reduction ?? 'none');
}

export interface GaussianNllLossOpts {
  full?: boolean;
  eps?: number;
  reduction?: Reduction;
}

/**
 * Negative log likelihood of `targets` under Gaussians of mean `inputs` and variance `vars`:
 * `0.5 (log(max(vars, eps)) + (targets - inputs)^2 / max(vars, eps))`, plus `0.5 log(2 pi)` when
 * `full`. Default reduction: 'mean'. Unlike PyTorch, `vars` must have the inputs' shape.
 */
export function gaussianNllLoss(
  inputs: Array,
  targets: Array,
  vars: Array,
  ...rest: OptionalArgs<[full: boolean, eps: number, reduction: Reduction], GaussianNllLossOpts>
): Array {
  const fn = 'gaussianNllLoss';
  checkInput(fn, inputs, 'inputs');
  checkInput(fn, targets, 'targets');
  checkInput(fn, vars, 'vars');
  const o = readOptions(fn, rest, ['full', 'eps', 'reduction']);
  sameShape(fn, 'inputs', inputs, 'targets', targets);
  sameShape(fn, 'inputs', inputs, 'vars', vars);
  const v = maximum(vars, number(fn, 'eps', o.eps, 1e-6));
  let loss = multiply(add(log(v), divide(square(subtract(targets, inputs)), v)), 0.5);
  if (checkBool(fn, 'full', o.full ?? false)) loss = add(loss, 0.5 * Math.log(2 * Math.PI));
  return reduce(fn, loss, o.reduction ?? 'mean');
}

/**
 * Kullback-Leibler divergence of log-probabilities `inputs` from log-probabilities `targets`:
 * `sum(exp(targets) * (targets - inputs), axis)`. Default reduction: 'none'. (PyTorch's kl_div takes
 * probabilities as targets unless log_target and sums nothing: MLX's form is the log_target one,
 * summed over `axis`.)
 */
export function klDivLoss(
  inputs: Array,
  targets: Array,
  ...rest: OptionalArgs<[axis: number, reduction: Reduction], { axis?: number; reduction?: Reduction }>
): Array {
  const fn = 'klDivLoss';
  checkInput(fn, inputs, 'inputs');
  checkInput(fn, targets, 'targets');
  const o = readOptions(fn, rest, ['axis', 'reduction']);
  sameShape(fn, 'inputs', inputs, 'targets', targets);
  const axis = axisArg(fn, o.axis, -1, inputs.ndim);
  return reduce(fn, sum(multiply(exp(targets), subtract(targets, inputs)), axis), o.reduction ?? 'none');
}

/**
 * Smooth L1: `0.5 d^2 / beta` where `d = |predictions - targets| < beta`, else `d - 0.5 beta`.
 * Default beta 1, reduction 'mean'.
 */
export function smoothL1Loss(
  predictions: Array,
  targets: Array,
  ...rest: OptionalArgs<[beta: number, reduction: Reduction], { beta?: number; reduction?: Reduction }>
): Array {
  const fn = 'smoothL1Loss';
  checkInput(fn, predictions, 'predictions');
  checkInput(fn, targets, 'targets');
  const o = readOptions(fn, rest, ['beta', 'reduction']);
  sameShape(fn, 'predictions', predictions, 'targets', targets);
  const beta = number(fn, 'beta', o.beta, 1);
  const d = abs(subtract(predictions, targets));
  const loss = where(less(d, beta), divide(multiply(square(d), 0.5), beta), subtract(d, 0.5 * beta));
  return reduce(fn, loss, o.reduction ?? 'mean');
}

export interface TripletLossOpts {
  axis?: number;
  p?: number;
  margin?: number;
  eps?: number;
  reduction?: Reduction;
}

/**
 * Triplet loss `max(||a - p||_p - ||a - n||_p + margin, 0)` along `axis`, each norm computed as
 * `(sum |.|^p + eps)^(1/p)`. Defaults: axis -1, p 2, margin 1, eps 1e-6, reduction 'none'. (PyTorch adds
 * its eps to the difference instead, so its values differ slightly.)
 */
export function tripletLoss(
  anchors: Array,
  positives: Array,
  negatives: Array,
  ...rest: OptionalArgs<[axis: number, p: number, margin: number, eps: number, reduction: Reduction], TripletLossOpts>
): Array {
  const fn = 'tripletLoss';
  checkInput(fn, anchors, 'anchors');
  checkInput(fn, positives, 'positives');
  checkInput(fn, negatives, 'negatives');
  const o = readOptions(fn, rest, ['axis', 'p', 'margin', 'eps', 'reduction']);
  sameShape(fn, 'anchors', anchors, 'positives', positives);
  sameShape(fn, 'anchors', anchors, 'negatives', negatives);
  const axis = axisArg(fn, o.axis, -1, anchors.ndim);
  const p = number(fn, 'p', o.p, 2);
  const eps = number(fn, 'eps', o.eps, 1e-6);
  const dist = (other: Array) => power(add(sum(power(abs(subtract(anchors, other)), p), axis), eps), 1 / p);
  const loss = maximum(add(subtract(dist(positives), dist(negatives)), number(fn, 'margin', o.margin, 1)), 0);
  return reduce(fn, loss, o.reduction ?? 'none');
}

/** Hinge loss `max(0, 1 - inputs * targets)` for targets in {-1, 1}. Default reduction: 'none'. */
export function hingeLoss(inputs: Array, targets: Array, ...rest: OptionalArgs<[reduction: Reduction], { reduction?: Reduction }>): Array {
  const fn = 'hingeLoss';
  checkInput(fn, inputs, 'inputs');
  checkInput(fn, targets, 'targets');
  sameShape(fn, 'inputs', inputs, 'targets', targets);
  return reduce(fn, maximum(subtract(1, multiply(inputs, targets)), 0), readOptions(fn, rest, ['reduction']).reduction ?? 'none');
}

/**
 * Huber loss: `0.5 a^2` for `|a| <= delta`, else `delta (|a| - 0.5 delta)`, with `a = inputs - targets`.
 * Defaults: delta 1, reduction 'none' (PyTorch: 'mean').
 */
export function huberLoss(
  inputs: Array,
  targets: Array,
  ...rest: OptionalArgs<[delta: number, reduction: Reduction], { delta?: number; reduction?: Reduction }>
): Array {
  const fn = 'huberLoss';
  checkInput(fn, inputs, 'inputs');
  checkInput(fn, targets, 'targets');
  const o = readOptions(fn, rest, ['delta', 'reduction']);
  sameShape(fn, 'inputs', inputs, 'targets', targets);
  const delta = number(fn, 'delta', o.delta, 1);
  const a = abs(subtract(inputs, targets));
  const quadratic = minimum(a, delta);
  const loss = add(multiply(square(quadratic), 0.5), multiply(subtract(a, quadratic), delta));
  return reduce(fn, loss, o.reduction ?? 'none');
}

/** Log-cosh loss `log(cosh(inputs - targets))`, computed stably as `logaddexp(e, -e) - log 2`. Default reduction: 'none'. */
export function logCoshLoss(inputs: Array, targets: Array, ...rest: OptionalArgs<[reduction: Reduction], { reduction?: Reduction }>): Array {
  const fn = 'logCoshLoss';
  checkInput(fn, inputs, 'inputs');
  checkInput(fn, targets, 'targets');
  sameShape(fn, 'inputs', inputs, 'targets', targets);
  const e = subtract(inputs, targets);
  return reduce(fn, subtract(logaddexp(e, negative(e)), Math.LN2), readOptions(fn, rest, ['reduction']).reduction ?? 'none');
}

export interface CosineSimilarityLossOpts {
  axis?: number;
  eps?: number;
  reduction?: Reduction;
}

/**
 * Cosine similarity `x1 . x2 / max(|x1| |x2|, eps)` along `axis` (MLX returns the similarity itself, not
 * 1 minus it). Defaults: axis 1, eps 1e-8, reduction 'none'.
 */
export function cosineSimilarityLoss(
  x1: Array,
  x2: Array,
  ...rest: OptionalArgs<[axis: number, eps: number, reduction: Reduction], CosineSimilarityLossOpts>
): Array {
  const fn = 'cosineSimilarityLoss';
  checkInput(fn, x1, 'x1');
  checkInput(fn, x2, 'x2');
  const o = readOptions(fn, rest, ['axis', 'eps', 'reduction']);
  sameShape(fn, 'x1', x1, 'x2', x2);
  const axis = axisArg(fn, o.axis, 1, x1.ndim);
  const norm = (x: Array) => sqrt(sum(square(x), axis));
  const loss = divide(sum(multiply(x1, x2), axis), maximum(multiply(norm(x1), norm(x2)), number(fn, 'eps', o.eps, 1e-8)));
  return reduce(fn, loss, o.reduction ?? 'none');
}

/** Margin ranking loss `max(0, -targets * (inputs1 - inputs2) + margin)` for targets in {-1, 1}. Defaults: margin 0, reduction 'none'. */
export function marginRankingLoss(
  inputs1: Array,
  inputs2: Array,
  targets: Array,
  ...rest: OptionalArgs<[margin: number, reduction: Reduction], { margin?: number; reduction?: Reduction }>
): Array {
  const fn = 'marginRankingLoss';
  checkInput(fn, inputs1, 'inputs1');
  checkInput(fn, inputs2, 'inputs2');
  checkInput(fn, targets, 'targets');
  const o = readOptions(fn, rest, ['margin', 'reduction']);
  sameShape(fn, 'inputs1', inputs1, 'inputs2', inputs2);
  sameShape(fn, 'inputs1', inputs1, 'targets', targets);
  const loss = maximum(add(multiply(negative(targets), subtract(inputs1, inputs2)), number(fn, 'margin', o.margin, 0)), 0);
  return reduce(fn, loss, o.reduction ?? 'none');
}
