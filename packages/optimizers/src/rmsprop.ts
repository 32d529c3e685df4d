import { type Array, zerosLike } from '@mlx-ts/core';
import { learningRateArg, numberArg, type OptimizerArgs, readArgs } from './args.js';
import { type LearningRate, Optimizer, type ParameterState } from './optimizer.js';

export interface RMSpropOptions {
  learningRate: LearningRate;
  alpha?: number;
  eps?: number;
}

/**
 * RMSprop (Tieleman and Hinton, 2012):
 *
 *   v_{t+1} = alpha v_t + (1 - alpha) g_t^2,   w_{t+1} = w_t - lr g_t / (sqrt(v_{t+1}) + eps)
 *
 * PyTorch's RMSprop (without momentum or centering) is the same rule with the same defaults.
 */
export class RMSprop extends Optimizer {
  readonly alpha: number;
  readonly eps: number;

  constructor(...args: OptimizerArgs<[learningRate: LearningRate, alpha?: number, eps?: number], RMSpropOptions>) {
    super();
    const o = readArgs('RMSprop', args, ['learningRate', 'alpha', 'eps']);
    this.alpha = numberArg('RMSprop', 'alpha', o.alpha, 0.99);
    this.eps = numberArg('RMSprop', 'eps', o.eps, 1e-8);
    if (this.alpha < 0) throw new Error(`RMSprop: alpha should be >=0, ${this.alpha} was provided instead`);
    if (this.eps <= 0) throw new Error(`RMSprop: epsilon should be >0, ${this.eps} was provided instead`);
    this.maybeSchedule('learning_rate', learningRateArg('RMSprop', o.learningRate));
  }

  override initSingle(parameter: Array, state: ParameterState): void {
    state.v = zerosLike(parameter);
  }

  override applySingle(gradient: Array, parameter: Array, state: ParameterState): Array {
    const lr = this.lr(gradient.dtype);
    const v = (state.v as Array).multiply(this.alpha).add(gradient.square().multiply(1 - this.alpha));
    state.v = v;
    return parameter.subtract(lr.multiply(gradient).divide(v.sqrt().add(this.eps)));
  }
}
