/** MLX's `Embedding`. */
import { Array, matmul, random, take, transpose } from '@mlx-ts/core';
import { Module } from '../module.js';
import { checkPositiveInt } from '../options.js';
import { checkInput, checkLastDim } from './checks.js';
import { QuantizedEmbedding } from './quantized.js';

/**
 * A lookup table of `numEmbeddings` vectors of size `dims`: `weight` [numEmbeddings, dims], drawn
 * from N(0, 1/dims) as MLX does (PyTorch draws N(0, 1)).
 */
export class Embedding extends Module {
  weight: Array;

  constructor(numEmbeddings: number, dims: number) {
    super();
    checkPositiveInt('Embedding', 'numEmbeddings', numEmbeddings);
    checkPositiveInt('Embedding', 'dims', dims);
    this.weight = random.normal({ shape: [numEmbeddings, dims], scale: Math.sqrt(1 / dims) });
  }

  protected override extraRepr(): string {
    return `${this.weight.shape[0]}, ${this.weight.shape[1]}`;
  }

  /** The rows of `weight` at the integer indices `x`: shape [...x.shape, dims]. */
  override forward(x: Array): Array {
    checkInput('Embedding', x);
    if (x.dtype.isFloating || x.dtype.name === 'bool') throw new Error(`Embedding: expected integer indices, got dtype ${x.dtype.name}`);
    return take(this.weight, x, 0);
  }

  /** `x Wᵀ`: the embedding used as the output projection of tied weights (x of last dimension dims). */
  asLinear(x: Array): Array {
    checkInput('Embedding.asLinear', x);
    checkLastDim('Embedding.asLinear', x, this.weight.shape[1]!, 'dims');
    return matmul(x, transpose(this.weight));
  }

  /** This layer as a QuantizedEmbedding (MLX's `to_quantized`, what `nn.quantize` calls). */
  toQuantized(groupSize: number | null = null, bits: number | null = null, mode: 'affine' | null = null): QuantizedEmbedding {
    return QuantizedEmbedding.fromEmbedding(this, groupSize, bits, mode);
  }
}
