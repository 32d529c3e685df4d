import { type Array, power, subtract, zerosLike } from '@mlx-ts/core';
import { betasArg, boolArg, learningRateArg, numberArg, type OptimizerArgs, readArgs } from './args.js';
import { type LearningRate, Optimizer, type ParameterState } from './optimizer.js';

export interface AdamOptions {
  learningRate: LearningRate;
  betas?: readonly [number, number];
  eps?: number;
  biasCorrection?: boolean;
}

/**
 * Adam (Kingma and Ba, 2015):
 *
 *   m_{t+1} = b1 m_t + (1 - b1) g_t,   v_{t+1} = b2 v_t + (1 - b2) g_t^2
 *   w_{t+1} = w_t - lr m_{t+1} / (sqrt(v_{t+1}) + eps)
 *
 * MLX leaves out the bias correction by default (`biasCorrection = false`), where PyTorch always
 * applies it; with `biasCorrection: true` the update is PyTorch's:
 * w - lr / (1 - b1^t) m / (sqrt(v) / sqrt(1 - b2^t) + eps).
 */
export class Adam extends Optimizer {
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly biasCorrection: boolean;

  constructor(...args: OptimizerArgs<[learningRate: LearningRate, betas?: readonly [number, number], eps?: number, biasCorrection?: boolean], AdamOptions>) {
    super();
    const o = readArgs(this.name, args, ['learningRate', 'betas', 'eps', 'biasCorrection']);
    this.betas = betasArg(this.name, o.betas, [0.9, 0.999]);
    this.eps = numberArg(this.name, 'eps', o.eps, 1e-8);
    if (!(this.eps >= 0)) throw new Error(`${this.name}: epsilon should be >=0, ${this.eps} was provided instead`);
    this.biasCorrection = boolArg(this.name, 'biasCorrection', o.biasCorrection, false);
    this.maybeSchedule('learning_rate', learningRateArg(this.name, o.learningRate));
  }

  override initSingle(parameter: Array, state: ParameterState): void {
    state.m = zerosLike(parameter);
    state.v = zerosLike(parameter);
  }

  override applySingle(gradient: Array, parameter: Array, state: ParameterState): Array {
    const lr = this.lr(gradient.dtype);
    const [b1, b2] = this.betas;
    const m = (state.m as Array).multiply(b1).add(gradient.multiply(1 - b1));
    const v = (state.v as Array).multiply(b2).add(gradient.square().multiply(1 - b2));
    state.m = m;
    state.v = v;
    if (!this.biasCorrection) return parameter.subtract(lr.multiply(m).divide(v.sqrt().add(this.eps)));
    const step = this.step;
    const c1 = lr.divide(subtract(1, power(b1, step))).astype(gradient.dtype);
    const c2 = subtract(1, power(b2, step)).rsqrt().astype(gradient.dtype);
    return parameter.subtract(c1.multiply(m).divide(v.sqrt().multiply(c2).add(this.eps)));
  }
}

export interface AdamWOptions {
  learningRate: LearningRate;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
  biasCorrection?: boolean;
}

/**
 * AdamW (Loshchilov and Hutter, 2019): Adam on the decayed weights w_t (1 - lr lambda). The
 * weight decay defaults to 0.01 as in PyTorch, but the bias correction is off by default (MLX);
 * with `biasCorrection: true` this is PyTorch's AdamW.
 */
export class AdamW extends Adam {
  readonly weightDecay: number;

  constructor(
    ...args: OptimizerArgs<
      [learningRate: LearningRate, betas?: readonly [number, number], eps?: number, weightDecay?: number, biasCorrection?: boolean],
      AdamWOptions
    >
  ) {
    const o = readArgs('AdamW', args, ['learningRate', 'betas', 'eps', 'weightDecay', 'biasCorrection']);
    super({ learningRate: o.learningRate, betas: o.betas, eps: o.eps, biasCorrection: o.biasCorrection } as AdamOptions);
    this.weightDecay = numberArg(this.name, 'weightDecay', o.weightDecay, 0.01);
  }

  override applySingle(gradient: Array, parameter: Array, state: ParameterState): Array {
    const lr = this.lr(gradient.dtype);
    return super.applySingle(gradient, parameter.multiply(subtract(1, lr.multiply(this.weightDecay))), state);
  }
}

export interface AdamaxOptions {
  learningRate: LearningRate;
  betas?: readonly [number, number];
  eps?: number;
}

/**
 * Adamax (Kingma and Ba, 2015), Adam with the infinity norm:
 *
 *   m_{t+1} = b1 m_t + (1 - b1) g_t,   v_{t+1} = max(b2 v_t, |g_t|)
 *   w_{t+1} = w_t - lr m_{t+1} / (v_{t+1} + eps)
 *
 * As MLX, without bias correction and with eps outside the max; PyTorch's Adamax divides by
 * 1 - b1^t and takes max(b2 v_t, |g_t| + eps), so the two differ.
 */
export class Adamax extends Adam {
  constructor(...args: OptimizerArgs<[learningRate: LearningRate, betas?: readonly [number, number], eps?: number], AdamaxOptions>) {
    const o = readArgs('Adamax', args, ['learningRate', 'betas', 'eps']);
    super({ learningRate: o.learningRate, betas: o.betas, eps: o.eps } as AdamOptions);
  }

  override applySingle(gradient: Array, parameter: Array, state: ParameterState): Array {
    const lr = this.lr(gradient.dtype);
    const [b1, b2] = this.betas;
    const m = (state.m as Array).multiply(b1).add(gradient.multiply(1 - b1));
    const v = (state.v as Array).multiply(b2).maximum(gradient.abs());
    state.m = m;
    state.v = v;
    return parameter.subtract(lr.multiply(m).divide(v.add(this.eps)));
  }
}
