import { addmm, type Array, sum, zerosLike } from '@mlx-ts/core';
import { boolArg, learningRateArg, numberArg, type OptimizerArgs, readArgs } from './args.js';
import { type LearningRate, Optimizer, type ParameterState } from './optimizer.js';

export interface MuonOptions {
  learningRate: LearningRate;
  momentum?: number;
  weightDecay?: number;
  nesterov?: boolean;
  nsSteps?: number;
}

/** The quintic Newton-Schulz coefficients of Keller Jordan's Muon, as MLX uses them. */
const NS_A = 3.4445;
const NS_B = -4.775;
const NS_C = 2.0315;

/**
 * Muon (MomentUm Orthogonalized by Newton-Schulz; Keller Jordan, 2024): SGD momentum whose update,
 * for parameters of two or more dimensions, is replaced by an approximately orthogonal matrix
 * with the same singular vectors (`nsSteps` Newton-Schulz iterations), scaled by
 * sqrt(max(1, rows / cols)). Parameters of more dimensions (convolution filters) are flattened to
 * [shape[0], -1] for the iteration; 0-d and 1-d parameters take the plain momentum update.
 * The weight decay is an L2 term added to the gradient, as in MLX.
 *
 * Muon suits hidden layers; embeddings, the output layer and 0-d/1-d parameters are better left
 * to another optimizer (AdamW, through MultiOptimizer).
 */
export class Muon extends Optimizer {
  readonly momentum: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  readonly nsSteps: number;

  constructor(
    ...args: OptimizerArgs<[learningRate: LearningRate, momentum?: number, weightDecay?: number, nesterov?: boolean, nsSteps?: number], MuonOptions>
  ) {
    super();
    const o = readArgs('Muon', args, ['learningRate', 'momentum', 'weightDecay', 'nesterov', 'nsSteps']);
    this.momentum = numberArg('Muon', 'momentum', o.momentum, 0.95);
    this.weightDecay = numberArg('Muon', 'weightDecay', o.weightDecay, 0.01);
    this.nesterov = boolArg('Muon', 'nesterov', o.nesterov, true);
    this.nsSteps = numberArg('Muon', 'nsSteps', o.nsSteps, 5);
    if (!Number.isInteger(this.nsSteps) || this.nsSteps < 0) throw new Error(`Muon: nsSteps must be a non-negative integer, got ${this.nsSteps}`);
    this.maybeSchedule('learning_rate', learningRateArg('Muon', o.learningRate));
  }

  override initSingle(parameter: Array, state: ParameterState): void {
    state.v = zerosLike(parameter);
  }

  override applySingle(gradient: Array, parameter: Array, state: ParameterState): Array {
    if (this.weightDecay !== 0) gradient = gradient.add(parameter.multiply(this.weightDecay));
    const v = (state.v as Array).multiply(this.momentum).add(gradient.multiply(1 - this.momentum));
    state.v = v;
    let update = this.nesterov ? gradient.multiply(1 - this.momentum).add(v.multiply(this.momentum)) : v;
    let lr = this.lr(gradient.dtype);
    if (update.ndim >= 2) {
      const shape = update.shape;
      update = newtonSchulz(update.ndim > 2 ? update.reshape([shape[0]!, -1]) : update, this.nsSteps).reshape(shape);
      // MLX scales by the last two axes of the parameter's own shape (for a 4-d filter, its kernel's).
      lr = lr.multiply(Math.sqrt(Math.max(1, shape[shape.length - 2]! / shape[shape.length - 1]!)));
    }
    return parameter.subtract(lr.multiply(update));
  }
}

/**
 * `steps` quintic Newton-Schulz iterations towards the orthogonal factor of the 2-d `x`
 * (X <- a X + (b A + c A^2) X, A = X X^T), on the wide orientation so A is the smaller Gram
 * matrix, after scaling x to Frobenius norm at most 1.
 */
export function newtonSchulz(x: Array, steps: number): Array {
  if (x.ndim !== 2) throw new Error(`Muon: Newton-Schulz expects a 2-d array, got shape [${x.shape.join(', ')}]`);
  const transposed = x.shape[0]! > x.shape[1]!;
  let X = transposed ? x.T : x;
  X = X.divide(sum(X.square(), null, true).sqrt().add(1e-7));
  for (let i = 0; i < steps; i++) {
    const A = X.matmul(X.T);
    const B = addmm(A.multiply(NS_B), A, A, NS_C, 1);
    X = addmm(X.multiply(NS_A), B, X, 1, 1);
  }
  return transposed ? X.T : X;
}
