import { type Array, zerosLike } from '@mlx-ts/core';
import { learningRateArg, numberArg, type OptimizerArgs, readArgs } from './args.js';
import { type LearningRate, Optimizer, type ParameterState } from './optimizer.js';

export interface AdagradOptions {
  learningRate: LearningRate;
  eps?: number;
}

/**
 * Adagrad (Duchi, Hazan and Singer, 2011):
 *
 *   v_{t+1} = v_t + g_t^2,   w_{t+1} = w_t - lr g_t / (sqrt(v_{t+1}) + eps)
 *
 * PyTorch's Adagrad with lr_decay 0 and a zero initial accumulator is the same rule, but its eps
 * defaults to 1e-10; MLX's (and this) to 1e-8.
 */
export class Adagrad extends Optimizer {
  readonly eps: number;

  constructor(...args: OptimizerArgs<[learningRate: LearningRate, eps?: number], AdagradOptions>) {
    super();
    const o = readArgs('Adagrad', args, ['learningRate', 'eps']);
    this.eps = numberArg('Adagrad', 'eps', o.eps, 1e-8);
    if (this.eps <= 0) throw new Error(`Adagrad: epsilon should be >0, ${this.eps} was provided instead`);
    this.maybeSchedule('learning_rate', learningRateArg('Adagrad', o.learningRate));
  }

  override initSingle(parameter: Array, state: ParameterState): void {
    state.v = zerosLike(parameter);
  }

  override applySingle(gradient: Array, parameter: Array, state: ParameterState): Array {
    const lr = this.lr(gradient.dtype);
    const v = (state.v as Array).add(gradient.square());
    state.v = v;
    return parameter.subtract(lr.multiply(gradient).divide(v.sqrt().add(this.eps)));
  }
}
