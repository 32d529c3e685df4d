import { type Array, zerosLike } from '@mlx-ts/core';
import { boolArg, learningRateArg, numberArg, type OptimizerArgs, readArgs } from './args.js';
import { type LearningRate, Optimizer, type ParameterState } from './optimizer.js';

export interface SGDOptions {
  learningRate: LearningRate;
  momentum?: number;
  weightDecay?: number;
  dampening?: number;
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent with optional momentum, weight decay (an L2 term added to the
 * gradient) and Nesterov momentum:
 *
 *   v_{t+1} = mu v_t + (1 - tau) g_t,   w_{t+1} = w_t - lr v_{t+1}   (Nesterov: w_t - lr (g_t + mu v_{t+1}))
 *
 * MLX and PyTorch differ in one place: the momentum buffer starts at zero here, so dampening
 * applies from the first step, while PyTorch sets the buffer to g_1 undamped. With dampening 0
 * the two give the same iterates.
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly weightDecay: number;
  readonly dampening: number;
  readonly nesterov: boolean;

  constructor(
    ...args: OptimizerArgs<[learningRate: LearningRate, momentum?: number, weightDecay?: number, dampening?: number, nesterov?: boolean], SGDOptions>
  ) {
    super();
    const o = readArgs('SGD', args, ['learningRate', 'momentum', 'weightDecay', 'dampening', 'nesterov']);
    this.momentum = numberArg('SGD', 'momentum', o.momentum, 0);
    this.weightDecay = numberArg('SGD', 'weightDecay', o.weightDecay, 0);
    this.dampening = numberArg('SGD', 'dampening', o.dampening, 0);
    this.nesterov = boolArg('SGD', 'nesterov', o.nesterov, false);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) throw new Error('SGD: Nesterov momentum requires a momentum and zero dampening');
    this.maybeSchedule('learning_rate', learningRateArg('SGD', o.learningRate));
  }

  override initSingle(parameter: Array, state: ParameterState): void {
    state.v = zerosLike(parameter);
  }

  override applySingle(gradient: Array, parameter: Array, state: ParameterState): Array {
    const lr = this.lr(gradient.dtype);
    if (this.weightDecay !== 0) gradient = gradient.add(parameter.multiply(this.weightDecay));
    if (this.momentum <= 0) return parameter.subtract(lr.multiply(gradient));
    let v = (state.v as Array).multiply(this.momentum);
    v = v.add(this.dampening > 0 ? gradient.multiply(1 - this.dampening) : gradient);
    state.v = v;
    const update = this.nesterov ? gradient.add(v.multiply(this.momentum)) : v;
    return parameter.subtract(lr.multiply(update));
  }
}
