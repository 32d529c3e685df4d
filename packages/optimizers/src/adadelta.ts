import { type Array, zerosLike } from '@mlx-ts/core';
import { learningRateArg, numberArg, type OptimizerArgs, readArgs } from './args.js';
import { type LearningRate, Optimizer, type ParameterState } from './optimizer.js';

export interface AdaDeltaOptions {
  learningRate: LearningRate;
  rho?: number;
  eps?: number;
}

/**
 * AdaDelta (Zeiler, 2012) with a learning rate:
 *
 *   v_{t+1} = rho v_t + (1 - rho) g_t^2
 *   d_{t+1} = sqrt(u_t + eps) / sqrt(v_{t+1} + eps) g_t
 *   u_{t+1} = rho u_t + (1 - rho) d_{t+1}^2
 *   w_{t+1} = w_t - lr d_{t+1}
 *
 * PyTorch's Adadelta is the same rule with the same rho and eps.
 */
export class AdaDelta extends Optimizer {
  readonly rho: number;
  readonly eps: number;

  constructor(...args: OptimizerArgs<[learningRate: LearningRate, rho?: number, eps?: number], AdaDeltaOptions>) {
    super();
    const o = readArgs('AdaDelta', args, ['learningRate', 'rho', 'eps']);
    this.rho = numberArg('AdaDelta', 'rho', o.rho, 0.9);
    this.eps = numberArg('AdaDelta', 'eps', o.eps, 1e-6);
    if (this.rho < 0) throw new Error(`AdaDelta: rho should be >=0, ${this.rho} was provided instead`);
    if (this.eps <= 0) throw new Error(`AdaDelta: epsilon should be >0, ${this.eps} was provided instead`);
    this.maybeSchedule('learning_rate', learningRateArg('AdaDelta', o.learningRate));
  }

  override initSingle(parameter: Array, state: ParameterState): void {
    state.v = zerosLike(parameter);
    state.u = zerosLike(parameter);
  }

  override applySingle(gradient: Array, parameter: Array, state: ParameterState): Array {
    const lr = this.lr(gradient.dtype);
    const u = state.u as Array;
    const v = (state.v as Array).multiply(this.rho).add(gradient.square().multiply(1 - this.rho));
    const d = u.add(this.eps).sqrt().divide(v.add(this.eps).sqrt()).multiply(gradient);
    state.v = v;
    state.u = u.multiply(this.rho).add(d.square().multiply(1 - this.rho));
    return parameter.subtract(lr.multiply(d));
  }
}
