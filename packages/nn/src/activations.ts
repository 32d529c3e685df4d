/**
 * MLX's activation functions (mlx.nn.layers.activations), composed from core ops with MLX's
 * formulas, so values and gradients match MLX's. Each converts its input first, so a bad input is
 * reported under the activation's name, not that of the core op it is built from.
 */
import {
  abs,
  add,
  Array,
  type ArrayInput,
  astype,
  describeValue,
  divide,
  erf,
  exp,
  greater,
  greaterEqual,
  int32,
  logaddexp,
  logsumexp,
  max,
  maximum,
  minimum,
  multiply,
  negative,
  sigmoid as coreSigmoid,
  sign,
  softmax as coreSoftmax,
  split,
  square,
  stopGradient,
  subtract,
  tanh as coreTanh,
  toArray,
  where,
} from '@mlx-ts/core';
import { type OptionalArgs, readOptions } from './options.js';

const num = (fn: string, what: string, v: unknown, dflt: number): number => {
  if (v === undefined) return dflt;
  if (typeof v !== 'number') throw new Error(`${fn}: expected ${what} to be a number, got ${describeValue(v)}`);
  return v;
};
const axisOf = (fn: string, rest: readonly unknown[]): number => {
  const a = readOptions(fn, rest, ['axis']).axis ?? -1;
  if (!Number.isInteger(a)) throw new Error(`${fn}: expected axis to be an integer, got ${describeValue(a)}`);
  return a;
};

/** `sigmoid(x) = 1 / (1 + exp(-x))`. */
export function sigmoid(x: ArrayInput): Array {
  x = toArray('sigmoid', x);
  return coreSigmoid(x);
}

/** `relu(x) = max(x, 0)`. */
export function relu(x: ArrayInput): Array {
  x = toArray('relu', x);
  return maximum(x, 0);
}

/** `relu2(x) = max(x, 0)^2` (ReLU squared). */
export function relu2(x: ArrayInput): Array {
  x = toArray('relu2', x);
  return square(maximum(x, 0));
}

/** `relu6(x) = min(max(x, 0), 6)`. */
export function relu6(x: ArrayInput): Array {
  x = toArray('relu6', x);
  return minimum(maximum(x, 0), 6);
}

/** `leakyRelu(x, negativeSlope=0.01) = max(negativeSlope * x, x)`. */
export function leakyRelu(x: ArrayInput, ...rest: OptionalArgs<[negativeSlope: number], { negativeSlope?: number }>): Array {
  x = toArray('leakyRelu', x);
  const s = num('leakyRelu', 'negativeSlope', readOptions('leakyRelu', rest, ['negativeSlope']).negativeSlope, 0.01);
  return maximum(multiply(x, s), x);
}

/**
 * `logSoftmax(x, axis=-1) = x - logsumexp(x, axis)`. As MLX, the max is subtracted first (outside the
 * gradient), so large logits keep their gaps instead of rounding into the normalizer.
 */
export function logSoftmax(x: ArrayInput, ...rest: OptionalArgs<[axis: number], { axis?: number }>): Array {
  x = toArray('logSoftmax', x);
  const axis = axisOf('logSoftmax', rest);
  const xs = subtract(x, stopGradient(max(x, axis, true)));
  return subtract(xs, logsumexp(xs, axis, true));
}

/** `elu(x, alpha=1) = x if x > 0 else alpha * (exp(x) - 1)`. */
export function elu(x: ArrayInput, ...rest: OptionalArgs<[alpha: number], { alpha?: number }>): Array {
  x = toArray('elu', x);
  const alpha = num('elu', 'alpha', readOptions('elu', rest, ['alpha']).alpha, 1);
  return where(greater(x, 0), x, multiply(subtract(exp(x), 1), alpha));
}

/** `softmax(x, axis=-1)`. */
export function softmax(x: ArrayInput, ...rest: OptionalArgs<[axis: number], { axis?: number }>): Array {
  x = toArray('softmax', x);
  return coreSoftmax(x, axisOf('softmax', rest));
}

/** `softplus(x) = log(1 + exp(x))`, as MLX through `logaddexp(x, 0)` (stable for large |x|). */
export function softplus(x: ArrayInput): Array {
  x = toArray('softplus', x);
  return logaddexp(x, 0);
}

/** `softsign(x) = x / (1 + |x|)`. */
export function softsign(x: ArrayInput): Array {
  x = toArray('softsign', x);
  return divide(x, add(abs(x), 1));
}

/** `softshrink(x, lambd=0.5)`: x - lambd above lambd, x + lambd below -lambd, 0 between. */
export function softshrink(x: ArrayInput, ...rest: OptionalArgs<[lambd: number], { lambd?: number }>): Array {
  const l = num('softshrink', 'lambd', readOptions('softshrink', rest, ['lambd']).lambd, 0.5);
  const a = toArray('softshrink', x);
  return where(greater(abs(a), l), subtract(a, multiply(sign(a), l)), 0);
}

/** `celu(x, alpha=1) = max(x, 0) + alpha * (exp(min(x, 0) / alpha) - 1)`. */
export function celu(x: ArrayInput, ...rest: OptionalArgs<[alpha: number], { alpha?: number }>): Array {
  x = toArray('celu', x);
  const alpha = num('celu', 'alpha', readOptions('celu', rest, ['alpha']).alpha, 1);
  return add(maximum(x, 0), multiply(subtract(exp(divide(minimum(x, 0), alpha)), 1), alpha));
}

/** `silu(x) = x * sigmoid(x)` (Swish). */
export function silu(x: ArrayInput): Array {
  x = toArray('silu', x);
  return multiply(x, coreSigmoid(x));
}

/** `logSigmoid(x) = -softplus(-x)`. */
export function logSigmoid(x: ArrayInput): Array {
  x = toArray('logSigmoid', x);
  return negative(softplus(negative(x)));
}

/** `gelu(x) = x * Phi(x)` with the exact Gaussian CDF: `x * (1 + erf(x / sqrt 2)) / 2`. */
export function gelu(x: ArrayInput): Array {
  x = toArray('gelu', x);
  return divide(multiply(x, add(erf(divide(x, Math.SQRT2)), 1)), 2);
}

/** The tanh approximation of gelu: `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))` (max error < 5e-4 on [-6, 6]). */
export function geluApprox(x: ArrayInput): Array {
  const a = toArray('geluApprox', x);
  const inner = multiply(add(a, multiply(multiply(square(a), a), 0.044715)), Math.sqrt(2 / Math.PI));
  return multiply(multiply(a, 0.5), add(coreTanh(inner), 1));
}

/** The sigmoid approximation of gelu: `x * sigmoid(1.702 x)` (max error < 0.015 on [-6, 6]). */
export function geluFastApprox(x: ArrayInput): Array {
  x = toArray('geluFastApprox', x);
  return multiply(x, coreSigmoid(multiply(x, 1.702)));
}

/** `glu(x, axis=-1)`: splits `axis` into halves a and b and returns `a * sigmoid(b)`. */
export function glu(x: ArrayInput, ...rest: OptionalArgs<[axis: number], { axis?: number }>): Array {
  const axis = axisOf('glu', rest);
  const a = toArray('glu', x);
  const ax = axis < 0 ? axis + a.ndim : axis;
  if (ax < 0 || ax >= a.ndim) throw new Error(`glu: axis ${axis} is out of range for an input of dimension ${a.ndim}`);
  if (a.shape[ax]! % 2 !== 0) throw new Error(`glu: expected axis ${axis} to have an even size, got ${a.shape[ax]}`);
  const [h1, h2] = split(a, 2, ax);
  return multiply(h1!, coreSigmoid(h2!));
}

/** `step(x, threshold=0)`: 1 where x >= threshold, else 0, as int32 (MLX's `where(x >= t, 1, 0)`). */
export function step(x: ArrayInput, ...rest: OptionalArgs<[threshold: number], { threshold?: number }>): Array {
  x = toArray('step', x);
  const t = num('step', 'threshold', readOptions('step', rest, ['threshold']).threshold, 0);
  return astype(greaterEqual(x, t), int32);
}

/** `selu(x) = 1.0507 * elu(x, 1.67326)` (MLX's rounded constants; PyTorch uses more digits). */
export function selu(x: ArrayInput): Array {
  x = toArray('selu', x);
  return multiply(elu(x, 1.67326), 1.0507);
}

/** `prelu(x, alpha) = max(0, x) + alpha * min(0, x)`; alpha broadcasts against x. */
export function prelu(x: ArrayInput, alpha: ArrayInput): Array {
  x = toArray('prelu', x);
  alpha = toArray('prelu', alpha);
  return add(maximum(x, 0), multiply(alpha, minimum(x, 0)));
}

/** `mish(x) = x * tanh(softplus(x))`. */
export function mish(x: ArrayInput): Array {
  x = toArray('mish', x);
  return multiply(x, coreTanh(softplus(x)));
}

/** `hardswish(x) = x * min(max(x + 3, 0), 6) / 6`. */
export function hardswish(x: ArrayInput): Array {
  x = toArray('hardswish', x);
  return divide(multiply(x, minimum(maximum(add(x, 3), 0), 6)), 6);
}

/** `hardTanh(x, minVal=-1, maxVal=1) = min(max(x, minVal), maxVal)`. */
export function hardTanh(x: ArrayInput, ...rest: OptionalArgs<[minVal: number, maxVal: number], { minVal?: number; maxVal?: number }>): Array {
  x = toArray('hardTanh', x);
  const o = readOptions('hardTanh', rest, ['minVal', 'maxVal']);
  return minimum(maximum(x, num('hardTanh', 'minVal', o.minVal, -1)), num('hardTanh', 'maxVal', o.maxVal, 1));
}

/** `hardShrink(x, lambd=0.5)`: x where |x| > lambd, else 0. */
export function hardShrink(x: ArrayInput, ...rest: OptionalArgs<[lambd: number], { lambd?: number }>): Array {
  x = toArray('hardShrink', x);
  const l = num('hardShrink', 'lambd', readOptions('hardShrink', rest, ['lambd']).lambd, 0.5);
  return where(greater(abs(x), l), x, 0);
}

/** `softmin(x, axis=-1) = softmax(-x, axis)`. */
export function softmin(x: ArrayInput, ...rest: OptionalArgs<[axis: number], { axis?: number }>): Array {
  x = toArray('softmin', x);
  return coreSoftmax(negative(x), axisOf('softmin', rest));
}

/** `tanh(x)`. */
export function tanh(x: ArrayInput): Array {
  x = toArray('tanh', x);
  return coreTanh(x);
}
