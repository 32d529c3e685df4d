/**
 * `mx.optimizers`: MLX's `mlx.optimizers` (optimizers, learning-rate schedules, gradient clipping) in camelCase.
 *
 * @module
 */
export {
  type LearningRate,
  type Model,
  Optimizer,
  type OptimizerState,
  type ParameterSource,
  type ParameterState,
  type Schedule,
  type StateTree,
  type Tree,
} from './optimizer.js';
export type { OptimizerArgs } from './args.js';
export { SGD, type SGDOptions } from './sgd.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export { AdaDelta, type AdaDeltaOptions } from './adadelta.js';
export { Adam, type AdamOptions, Adamax, type AdamaxOptions, AdamW, type AdamWOptions } from './adam.js';
export { Lion, type LionOptions } from './lion.js';
export { Adafactor, type AdafactorOptions } from './adafactor.js';
export { Muon, type MuonOptions } from './muon.js';
export { MultiOptimizer, type ParameterFilter } from './multi.js';
export { cosineDecay, exponentialDecay, joinSchedules, linearSchedule, type ScheduleFn, stepDecay } from './schedules.js';
export { clipGradNorm } from './clip.js';
