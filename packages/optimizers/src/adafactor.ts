import { type Array, describeValue, expandDims, maximum, mean, minimum, power, subtract, zeros, zerosLike } from '@mlx-ts/core';
import { boolArg, learningRateArg, numberArg, type OptimizerArgs, pairArg, readArgs } from './args.js';
import { type LearningRate, Optimizer, type ParameterState } from './optimizer.js';

export interface AdafactorOptions {
  learningRate?: LearningRate | null;
  eps?: readonly [number, number];
  clipThreshold?: number;
  decayRate?: number;
  beta1?: number | null;
  weightDecay?: number;
  scaleParameter?: boolean;
  relativeStep?: boolean;
  warmupInit?: boolean;
}

/**
 * Adafactor (Shazeer and Stern, 2018): second moments kept as row and column averages for
 * parameters of two or more dimensions (over the last two axes), so the state grows with
 * rows + columns instead of their product.
 *
 * - `eps = [eps1, eps2]`: eps1 is added to g^2; eps2 floors the parameter's RMS when
 *   `scaleParameter` scales the step by it.
 * - `relativeStep` (default) ignores `learningRate` and steps by min(1e-2, 1/sqrt(t))
 *   (min(1e-6 t, 1/sqrt(t)) with `warmupInit`); without it a learning rate is required.
 * - The running average decays with b2 = 1 - t^decayRate; the unscaled update is clipped to RMS
 *   `clipThreshold`; `beta1` (default none) adds a first moment.
 */
export class Adafactor extends Optimizer {
  readonly eps: readonly [number, number];
  readonly clipThreshold: number;
  readonly decayRate: number;
  readonly beta1: number | null;
  readonly weightDecay: number;
  readonly scaleParameter: boolean;
  readonly relativeStep: boolean;
  readonly warmupInit: boolean;

  constructor(
    ...args:
      | OptimizerArgs<
          [
            learningRate?: LearningRate | null,
            eps?: readonly [number, number],
            clipThreshold?: number,
            decayRate?: number,
            beta1?: number | null,
            weightDecay?: number,
            scaleParameter?: boolean,
            relativeStep?: boolean,
            warmupInit?: boolean,
          ],
          AdafactorOptions
        >
      | []
  ) {
    super();
    const who = 'Adafactor';
    const o = readArgs(who, args, [
      'learningRate',
      'eps',
      'clipThreshold',
      'decayRate',
      'beta1',
      'weightDecay',
      'scaleParameter',
      'relativeStep',
      'warmupInit',
    ]);
    this.eps = pairArg(who, 'eps', o.eps, [1e-30, 1e-3]);
    this.clipThreshold = numberArg(who, 'clipThreshold', o.clipThreshold, 1);
    this.decayRate = numberArg(who, 'decayRate', o.decayRate, -0.8);
    if (o.beta1 !== undefined && o.beta1 !== null && typeof o.beta1 !== 'number')
      throw new Error(`${who}: beta1 must be a number or null, got ${describeValue(o.beta1)}`);
    this.beta1 = o.beta1 ?? null;
    this.weightDecay = numberArg(who, 'weightDecay', o.weightDecay, 0);
    this.scaleParameter = boolArg(who, 'scaleParameter', o.scaleParameter, true);
    this.relativeStep = boolArg(who, 'relativeStep', o.relativeStep, true);
    this.warmupInit = boolArg(who, 'warmupInit', o.warmupInit, false);
    if (o.learningRate !== undefined && o.learningRate !== null) this.maybeSchedule('learning_rate', learningRateArg(who, o.learningRate));
    else if (!this.relativeStep) throw new Error(`${who}: relativeStep false needs a learningRate`);
  }

  override initSingle(parameter: Array, state: ParameterState): void {
    const shape = parameter.shape;
    if (parameter.ndim >= 2) {
      state.exp_avg_sq_row = zeros(shape.slice(0, -1), parameter.dtype);
      state.exp_avg_sq_col = zeros([...shape.slice(0, -2), shape[shape.length - 1]!], parameter.dtype);
    } else {
      state.exp_avg_sq = zerosLike(parameter);
    }
    if (this.beta1 !== null) state.exp_avg = zerosLike(parameter);
  }

  override applySingle(gradient: Array, parameter: Array, state: ParameterState): Array {
    const step = this.step;
    const parameterRms = rms(parameter);
    const learningRate = this.stepSize(step, parameterRms);
    const beta2 = subtract(1, power(step, this.decayRate).astype(parameterRms.dtype));
    const rest = subtract(1, beta2);
    let update = gradient.square().add(this.eps[0]);
    if (gradient.ndim >= 2) {
      const row = beta2.multiply(state.exp_avg_sq_row as Array).add(rest.multiply(mean(update, -1)));
      const col = beta2.multiply(state.exp_avg_sq_col as Array).add(rest.multiply(mean(update, -2)));
      state.exp_avg_sq_row = row;
      state.exp_avg_sq_col = col;
      update = factoredRsqrt(row, col).multiply(gradient);
    } else {
      const avg = beta2.multiply(state.exp_avg_sq as Array).add(rest.multiply(update));
      state.exp_avg_sq = avg;
      update = avg.rsqrt().multiply(gradient);
    }
    update = update.divide(maximum(1, rms(update).divide(this.clipThreshold)));
    update = learningRate.multiply(update);
    if (this.beta1 !== null) {
      const avg = (state.exp_avg as Array).multiply(this.beta1).add(update.multiply(1 - this.beta1));
      state.exp_avg = avg;
      update = avg;
    }
    if (this.weightDecay !== 0) parameter = parameter.add(parameter.multiply(learningRate.multiply(-this.weightDecay)));
    return parameter.subtract(update);
  }

  /** The step size: relative (min(1e-2 or 1e-6 t, 1/sqrt(t))) or the learning rate, times max(eps2, RMS(w)) with `scaleParameter`. */
  private stepSize(step: Array, parameterRms: Array): Array {
    const size = (this.relativeStep ? minimum(this.warmupInit ? step.multiply(1e-6) : 1e-2, step.rsqrt()) : this.learningRate).astype(parameterRms.dtype);
    return this.scaleParameter ? maximum(this.eps[1], parameterRms).multiply(size) : size;
  }
}

function rms(x: Array): Array {
  return mean(x.square()).sqrt();
}

/**
 * The inverse square root of the factored second moment: rsqrt(row / mean(row)) as a column
 * times rsqrt(col) as a row, one outer product per leading index.
 */
export function factoredRsqrt(row: Array, col: Array): Array {
  const r = row.divide(mean(row, -1, true)).rsqrt();
  return expandDims(r, -1).multiply(expandDims(col.rsqrt(), -2));
}
