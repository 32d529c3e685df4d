import { type Array, sign, subtract, zerosLike } from '@mlx-ts/core';
import { betasArg, learningRateArg, numberArg, type OptimizerArgs, readArgs } from './args.js';
import { type LearningRate, Optimizer, type ParameterState } from './optimizer.js';

export interface LionOptions {
  learningRate: LearningRate;
  betas?: readonly [number, number];
  weightDecay?: number;
}

/**
 * Lion (Chen et al., 2023):
 *
 *   c = b1 m_t + (1 - b1) g_t,   m_{t+1} = b2 m_t + (1 - b2) g_t
 *   w_{t+1} = w_t (1 - lr lambda) - lr sign(c)
 *
 * Its sign updates are larger than Adam's: a learning rate 3-10x smaller and a weight decay
 * 3-10x larger than AdamW's keep lr * lambda comparable.
 */
export class Lion extends Optimizer {
  readonly betas: readonly [number, number];
  readonly weightDecay: number;

  constructor(...args: OptimizerArgs<[learningRate: LearningRate, betas?: readonly [number, number], weightDecay?: number], LionOptions>) {
    super();
    const o = readArgs('Lion', args, ['learningRate', 'betas', 'weightDecay']);
    this.betas = betasArg('Lion', o.betas, [0.9, 0.99]);
    this.weightDecay = numberArg('Lion', 'weightDecay', o.weightDecay, 0);
    this.maybeSchedule('learning_rate', learningRateArg('Lion', o.learningRate));
  }

  override initSingle(parameter: Array, state: ParameterState): void {
    state.m = zerosLike(parameter);
  }

  override applySingle(gradient: Array, parameter: Array, state: ParameterState): Array {
    const lr = this.lr(gradient.dtype);
    const [b1, b2] = this.betas;
    const m = state.m as Array;
    const c = m.multiply(b1).add(gradient.multiply(1 - b1));
    state.m = m.multiply(b2).add(gradient.multiply(1 - b2));
    if (this.weightDecay > 0) parameter = subtract(1, lr.multiply(this.weightDecay)).multiply(parameter);
    return parameter.subtract(lr.multiply(sign(c)));
  }
}
