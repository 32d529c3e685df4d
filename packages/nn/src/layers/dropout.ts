/** MLX's `Dropout`, `Dropout2d` and `Dropout3d`: identity in eval mode, random masks in training mode. */
import { Array, astype, multiply, random } from '@mlx-ts/core';
import { Module } from '../module.js';
import { checkNumber, type OptionalArgs, readOptions } from '../options.js';
import { checkInput, checkNdim } from './checks.js';

export interface DropoutOptions {
  /** The probability of zeroing an element (or channel). Default 0.5. */
  p?: number;
}

/** Keeps each masked unit with probability 1 - p and scales kept ones by 1 / (1 - p). */
abstract class DropoutBase extends Module {
  protected readonly _p1: number;

  constructor(layer: string, rest: readonly unknown[]) {
    super();
    const p = checkNumber(layer, 'p', readOptions(layer, rest, ['p']).p ?? 0.5);
    if (p < 0 || p >= 1) throw new Error(`${layer}: the dropout probability p must be in [0, 1), got ${p}`);
    this._p1 = 1 - p;
  }

  protected override extraRepr(): string {
    return `p=${1 - this._p1}`;
  }

  /** Applies a mask of `maskShape` (broadcast over x). */
  protected drop(x: Array, maskShape: number[]): Array {
    if (this._p1 === 1 || !this.training) return x;
    const mask = astype(random.bernoulli(this._p1, maskShape), x.dtype);
    return multiply(multiply(mask, x), 1 / this._p1);
  }
}

/** Zeroes each element with probability p in training mode. `Dropout(p = 0.5)`. */
export class Dropout extends DropoutBase {
  constructor(...rest: OptionalArgs<[p: number], DropoutOptions>) {
    super('Dropout', rest);
  }

  override forward(x: Array): Array {
    checkInput('Dropout', x);
    return this.drop(x, x.shape.slice());
  }
}

/**
 * Zeroes whole channels of [N, H, W, C] or [H, W, C] inputs (channels last, as MLX; PyTorch's
 * inputs are channels first), each with probability p. `Dropout2d(p = 0.5)`.
 */
export class Dropout2d extends DropoutBase {
  constructor(...rest: OptionalArgs<[p: number], DropoutOptions>) {
    super('Dropout2d', rest);
  }

  override forward(x: Array): Array {
    checkInput('Dropout2d', x);
    checkNdim('Dropout2d', x, [3, 4]);
    const shape = x.shape.slice();
    shape[shape.length - 2] = shape[shape.length - 3] = 1;
    return this.drop(x, shape);
  }
}

/** Zeroes whole channels of [N, D, H, W, C] or [D, H, W, C] inputs (channels last). `Dropout3d(p = 0.5)`. */
export class Dropout3d extends DropoutBase {
  constructor(...rest: OptionalArgs<[p: number], DropoutOptions>) {
    super('Dropout3d', rest);
  }

  override forward(x: Array): Array {
    checkInput('Dropout3d', x);
    checkNdim('Dropout3d', x, [4, 5]);
    const shape = x.shape.slice();
    shape[shape.length - 2] = shape[shape.length - 3] = shape[shape.length - 4] = 1;
    return this.drop(x, shape);
  }
}
