/** MLX's `Identity`, `Linear` and `Bilinear`. */
import { add, Array, fmtShape, matmul, random, reshape, squeeze, swapaxes, transpose } from '@mlx-ts/core';
import { Module } from '../module.js';
import { checkBool, checkPositiveInt, type OptionalArgs, readOptions } from '../options.js';
import { checkInput, checkLastDim } from './checks.js';
import { QuantizedLinear } from './quantized.js';

/** Returns its input. Accepts and ignores any constructor arguments, as MLX's does. */
export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }

  override forward(x: Array): Array {
    return checkInput('Identity', x);
  }
}

export interface LinearOptions {
  /** Add a learned bias. Default true. */
  bias?: boolean;
}

/**
 * `y = x Wᵀ + b`, with `weight` of shape [outputDims, inputDims] (PyTorch's layout too) and `bias` of
 * [outputDims], both drawn from U(-1/√inputDims, 1/√inputDims) as MLX and PyTorch initialise them.
 * Called as `new Linear(inputDims, outputDims, bias?)` or `new Linear(inputDims, outputDims, { bias })`.
 */
export class Linear extends Module {
  weight: Array;
  bias?: Array;

  constructor(inputDims: number, outputDims: number, ...rest: OptionalArgs<[bias: boolean], LinearOptions>) {
    super();
    const fn = 'Linear';
    checkPositiveInt(fn, 'inputDims', inputDims);
    checkPositiveInt(fn, 'outputDims', outputDims);
    const o = readOptions(fn, rest, ['bias']);
    const scale = Math.sqrt(1 / inputDims);
    this.weight = random.uniform(-scale, scale, [outputDims, inputDims]);
    if (checkBool(fn, 'bias', o.bias ?? true)) this.bias = random.uniform(-scale, scale, [outputDims]);
  }

  protected override extraRepr(): string {
    return `inputDims=${this.weight.shape[1]}, outputDims=${this.weight.shape[0]}, bias=${this.bias !== undefined}`;
  }

  override forward(x: Array): Array {
    checkInput('Linear', x);
    checkLastDim('Linear', x, this.weight.shape[1]!, 'inputDims');
    const y = matmul(x, transpose(this.weight));
    return this.bias === undefined ? y : add(y, this.bias);
  }

  /** This layer as a QuantizedLinear (MLX's `to_quantized`, what `nn.quantize` calls). */
  toQuantized(groupSize: number | null = null, bits: number | null = null, mode: 'affine' | null = null): QuantizedLinear {
    return QuantizedLinear.fromLinear(this, groupSize, bits, mode);
  }
}

/**
 * `y_i = x1ᵀ W_i x2 + b_i`, with `weight` of shape [outputDims, input2Dims, input1Dims] (MLX's
 * layout; PyTorch's is [outputDims, input1Dims, input2Dims], so a PyTorch weight is loaded with its
 * last two axes swapped) and `bias` [outputDims], from U(-1/√input1Dims, 1/√input1Dims).
 */
export class Bilinear extends Module {
  weight: Array;
  bias?: Array;

  constructor(input1Dims: number, input2Dims: number, outputDims: number, ...rest: OptionalArgs<[bias: boolean], LinearOptions>) {
    super();
    const fn = 'Bilinear';
    checkPositiveInt(fn, 'input1Dims', input1Dims);
    checkPositiveInt(fn, 'input2Dims', input2Dims);
    checkPositiveInt(fn, 'outputDims', outputDims);
    const o = readOptions(fn, rest, ['bias']);
    const scale = Math.sqrt(1 / input1Dims);
    this.weight = random.uniform(-scale, scale, [outputDims, input2Dims, input1Dims]);
    if (checkBool(fn, 'bias', o.bias ?? true)) this.bias = random.uniform(-scale, scale, [outputDims]);
  }

  protected override extraRepr(): string {
    const [out, in2, in1] = this.weight.shape;
    return `input1Dims=${in1}, input2Dims=${in2}, outputDims=${out}, bias=${this.bias !== undefined}`;
  }

  override forward(x1: Array, x2: Array): Array {
    const fn = 'Bilinear';
    checkInput(fn, x1, 'x1');
    checkInput(fn, x2, 'x2');
    const [out, in2, in1] = this.weight.shape as [number, number, number];
    checkLastDim(fn, x1, in1, 'input1Dims', 'x1');
    checkLastDim(fn, x2, in2, 'input2Dims', 'x2');
    if (x1.shape.slice(0, -1).join(',') !== x2.shape.slice(0, -1).join(',')) {
      throw new Error(`${fn}: expected x1 and x2 with the same leading dimensions, got shapes ${fmtShape(x1.shape)} and ${fmtShape(x2.shape)}`);
    }
    const lead = x1.shape.slice(0, -1);
    // Contract x1 first as one matmul against all of W, then each row of x2 against its [in2, out] slice.
    const w = reshape(this.weight, [out * in2, in1]);
    let y = matmul(reshape(x1, [-1, in1]), transpose(w));
    y = swapaxes(reshape(y, [-1, out, in2]), -2, -1);
    y = squeeze(matmul(reshape(x2, [-1, 1, in2]), y), 1);
    y = reshape(y, [...lead, out]);
    return this.bias === undefined ? y : add(y, this.bias);
  }
}
