/** MLX's `LayerNorm`, `RMSNorm`, `GroupNorm`, `BatchNorm` and `InstanceNorm`. All take channels last. */
import { add, Array, fast, fmtShape, mean, multiply, ones, rsqrt, reshape, square, subtract, transpose, zeros } from '@mlx-ts/core';
import { Module } from '../module.js';
import { checkBool, checkNumber, checkPositiveInt, type OptionalArgs, readOptions } from '../options.js';
import { checkInput, checkLastDim, checkNdim } from './checks.js';

function checkEps(layer: string, eps: unknown): number {
  const e = checkNumber(layer, 'eps', eps);
  if (!(e > 0)) throw new Error(`${layer}: eps must be positive, got ${e}`);
  return e;
}

/** Normalizes over `axes` (kept as size 1): `(x - mean) / sqrt(var + eps)` with the biased variance. */
function normalize(x: Array, axes: number[], eps: number): Array {
  const mu = mean(x, axes, true);
  const centered = subtract(x, mu);
  return multiply(centered, rsqrt(add(mean(square(centered), axes, true), eps)));
}

function affine(x: Array, weight: Array | undefined, bias: Array | undefined): Array {
  const y = weight === undefined ? x : multiply(x, weight);
  return bias === undefined ? y : add(y, bias);
}

export interface LayerNormOptions {
  eps?: number;
  /** Learn a scale (`weight`, ones) and, with `bias`, an offset (`bias`, zeros). Default true. */
  affine?: boolean;
  /** Learn the offset when affine. Default true. */
  bias?: boolean;
}

/** Layer normalization over the last axis (of size `dims`). `LayerNorm(dims, eps = 1e-5, affine = true, bias = true)`. */
export class LayerNorm extends Module {
  weight?: Array;
  bias?: Array;
  readonly dims: number;
  readonly eps: number;

  constructor(dims: number, ...rest: OptionalArgs<[eps: number, affine: boolean, bias: boolean], LayerNormOptions>) {
    super();
    const fn = 'LayerNorm';
    const o = readOptions(fn, rest, ['eps', 'affine', 'bias']);
    this.dims = checkPositiveInt(fn, 'dims', dims);
    this.eps = checkEps(fn, o.eps ?? 1e-5);
    if (checkBool(fn, 'affine', o.affine ?? true)) {
      this.weight = ones([dims]);
      if (checkBool(fn, 'bias', o.bias ?? true)) this.bias = zeros([dims]);
    }
  }

  protected override extraRepr(): string {
    return `${this.dims}, eps=${this.eps}, affine=${this.weight !== undefined}`;
  }

  override forward(x: Array): Array {
    checkInput('LayerNorm', x);
    checkLastDim('LayerNorm', x, this.dims, 'dims');
    return fast.layerNorm(x, this.weight ?? null, this.bias ?? null, this.eps);
  }
}

export interface RMSNormOptions {
  eps?: number;
}

/** Root-mean-square normalization over the last axis, scaled by `weight` (ones). `RMSNorm(dims, eps = 1e-5)`. */
export class RMSNorm extends Module {
  weight: Array;
  readonly eps: number;

  constructor(dims: number, ...rest: OptionalArgs<[eps: number], RMSNormOptions>) {
    super();
    const fn = 'RMSNorm';
    const o = readOptions(fn, rest, ['eps']);
    checkPositiveInt(fn, 'dims', dims);
    this.eps = checkEps(fn, o.eps ?? 1e-5);
    this.weight = ones([dims]);
  }

  protected override extraRepr(): string {
    return `${this.weight.shape[0]}, eps=${this.eps}`;
  }

  override forward(x: Array): Array {
    checkInput('RMSNorm', x);
    checkLastDim('RMSNorm', x, this.weight.shape[0]!, 'dims');
    return fast.rmsNorm(x, this.weight, this.eps);
  }
}

export interface GroupNormOptions {
  eps?: number;
  /** Learn `weight` (ones) and `bias` (zeros). Default true. */
  affine?: boolean;
  /** Group consecutive channels, as PyTorch does. Default false (MLX's grouping, below). */
  pytorchCompatible?: boolean;
}

/**
 * Group normalization over `numGroups` groups of the last axis (`dims` channels) and all axes but
 * the batch. MLX's default grouping differs from PyTorch's: channel c is in group c mod numGroups
 * (interleaved); `pytorchCompatible: true` puts consecutive channels in a group, as PyTorch does.
 * `GroupNorm(numGroups, dims, eps = 1e-5, affine = true, pytorchCompatible = false)`.
 */
export class GroupNorm extends Module {
  bias?: Array;
  weight?: Array;
  readonly numGroups: number;
  readonly dims: number;
  readonly eps: number;
  readonly pytorchCompatible: boolean;

  constructor(numGroups: number, dims: number, ...rest: OptionalArgs<[eps: number, affine: boolean, pytorchCompatible: boolean], GroupNormOptions>) {
    super();
    const fn = 'GroupNorm';
    const o = readOptions(fn, rest, ['eps', 'affine', 'pytorchCompatible']);
    this.eps = checkEps(fn, o.eps ?? 1e-5);
    this.numGroups = checkPositiveInt(fn, 'numGroups', numGroups);
    this.dims = checkPositiveInt(fn, 'dims', dims);
    if (dims % numGroups !== 0) throw new Error(`${fn}: dims (${dims}) must be divisible by numGroups (${numGroups})`);
    if (checkBool(fn, 'affine', o.affine ?? true)) {
      this.bias = zeros([dims]);
      this.weight = ones([dims]);
    }
    this.pytorchCompatible = checkBool(fn, 'pytorchCompatible', o.pytorchCompatible ?? false);
  }

  protected override extraRepr(): string {
    return `${this.numGroups}, ${this.dims}, eps=${this.eps}, affine=${this.weight !== undefined}, pytorchCompatible=${this.pytorchCompatible}`;
  }

  override forward(x: Array): Array {
    const fn = 'GroupNorm';
    checkInput(fn, x);
    checkNdim(fn, x, { min: 2 });
    checkLastDim(fn, x, this.dims, 'dims');
    const g = this.numGroups;
    const batch = x.shape[0]!;
    let y: Array;
    if (this.pytorchCompatible) {
      const size = this.dims / g;
      y = transpose(reshape(x, [batch, -1, g, size]), [0, 2, 1, 3]);
      y = normalize(reshape(y, [batch, g, -1]), [-1], this.eps);
      y = reshape(transpose(reshape(y, [batch, g, -1, size]), [0, 2, 1, 3]), x.shape);
    } else {
      y = reshape(normalize(reshape(x, [batch, -1, g]), [1], this.eps), x.shape);
    }
    return affine(y, this.weight, this.bias);
  }
}

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the new batch in the running statistics. Default 0.1. */
  momentum?: number;
  /** Learn `weight` (ones) and `bias` (zeros). Default true. */
  affine?: boolean;
  /** Keep `runningMean` and `runningVar` (frozen, but saved). Default true. */
  trackRunningStats?: boolean;
}

/**
 * Batch normalization over all axes but the last (input [N, C], [N, L, C] or [N, H, W, C]). In
 * training mode it normalizes with the batch's statistics and, with `trackRunningStats`, updates
 * `runningMean`/`runningVar` (the unbiased batch variance, as PyTorch); in eval mode it uses them.
 * The running statistics are parameters (saved as `running_mean`/`running_var`) that stay frozen.
 * `BatchNorm(numFeatures, eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true)`.
 */
export class BatchNorm extends Module {
  weight?: Array;
  bias?: Array;
  runningMean?: Array;
  runningVar?: Array;
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  readonly trackRunningStats: boolean;

  constructor(numFeatures: number, ...rest: OptionalArgs<[eps: number, momentum: number, affine: boolean, trackRunningStats: boolean], BatchNormOptions>) {
    super();
    const fn = 'BatchNorm';
    const o = readOptions(fn, rest, ['eps', 'momentum', 'affine', 'trackRunningStats']);
    this.numFeatures = checkPositiveInt(fn, 'numFeatures', numFeatures);
    this.eps = checkEps(fn, o.eps ?? 1e-5);
    this.momentum = checkNumber(fn, 'momentum', o.momentum ?? 0.1);
    this.trackRunningStats = checkBool(fn, 'trackRunningStats', o.trackRunningStats ?? true);
    if (checkBool(fn, 'affine', o.affine ?? true)) {
      this.weight = ones([numFeatures]);
      this.bias = zeros([numFeatures]);
    }
    if (this.trackRunningStats) {
      this.runningMean = zeros([numFeatures]);
      this.runningVar = ones([numFeatures]);
      this.freeze({ keys: ['runningMean', 'runningVar'], recurse: false });
    }
  }

  protected override afterUnfreeze(): void {
    if (this.trackRunningStats) this.freeze({ keys: ['runningMean', 'runningVar'], recurse: false });
  }

  protected override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== undefined}, trackRunningStats=${this.trackRunningStats}`;
  }

  override forward(x: Array): Array {
    const fn = 'BatchNorm';
    checkInput(fn, x);
    checkNdim(fn, x, [2, 3, 4]);
    checkLastDim(fn, x, this.numFeatures, 'numFeatures');
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    const count = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    if (this.training && count === 1) throw new Error(`${fn}: training needs more than one value per channel, got input shape ${fmtShape(x.shape)}`);
    let mu = mean(x, axes);
    let variance = mean(square(subtract(x, mu)), axes);
    if (this.training && this.trackRunningStats) {
      const m = this.momentum;
      const unbiased = multiply(variance, count / (count - 1));
      this.runningMean = add(multiply(1 - m, this.runningMean!), multiply(m, mu));
      this.runningVar = add(multiply(1 - m, this.runningVar!), multiply(m, unbiased));
    } else if (this.trackRunningStats) {
      mu = this.runningMean!;
      variance = this.runningVar!;
    }
    return affine(multiply(subtract(x, mu), rsqrt(add(variance, this.eps))), this.weight, this.bias);
  }
}

export interface InstanceNormOptions {
  eps?: number;
  /** Learn `weight` (ones) and `bias` (zeros). Default false, as MLX (and PyTorch). */
  affine?: boolean;
}

/**
 * Instance normalization: each sample's channels over its spatial axes (input [N, ..., C], at least
 * 3 dimensions). `InstanceNorm(dims, eps = 1e-5, affine = false)`.
 */
export class InstanceNorm extends Module {
  weight?: Array;
  bias?: Array;
  readonly dims: number;
  readonly eps: number;

  constructor(dims: number, ...rest: OptionalArgs<[eps: number, affine: boolean], InstanceNormOptions>) {
    super();
    const fn = 'InstanceNorm';
    const o = readOptions(fn, rest, ['eps', 'affine']);
    this.dims = checkPositiveInt(fn, 'dims', dims);
    this.eps = checkEps(fn, o.eps ?? 1e-5);
    if (checkBool(fn, 'affine', o.affine ?? false)) {
      this.weight = ones([dims]);
      this.bias = zeros([dims]);
    }
  }

  protected override extraRepr(): string {
    return `${this.dims}, eps=${this.eps}, affine=${this.weight !== undefined}`;
  }

  override forward(x: Array): Array {
    const fn = 'InstanceNorm';
    checkInput(fn, x);
    checkNdim(fn, x, { min: 3 });
    checkLastDim(fn, x, this.dims, 'dims');
    const spatial = x.shape.slice(1, -1).map((_, i) => i + 1);
    return affine(normalize(x, spatial, this.eps), this.weight, this.bias);
  }
}
