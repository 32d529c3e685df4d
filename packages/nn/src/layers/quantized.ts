/**
 * MLX's quantized layers (`mlx.nn.QuantizedLinear`, `QuantizedEmbedding`) and `nn.quantize`, which
 * swaps every leaf module that has a `toQuantized` method (Linear, Embedding) for its quantized
 * form in place. The packed weight, scales and biases are frozen: MLX excludes them from training.
 */
import { add, Array, dequantize, describeValue, type Kind, quantize as quantizeArray, quantizedMatmul, random, readArgs, take, zeros } from '@mlx-ts/core';
import { Module } from '../module.js';
import { checkBool, checkPositiveInt, type OptionalArgs, readOptions } from '../options.js';
import { treeMapWithPath } from '../utils.js';
import { checkInput, checkLastDim } from './checks.js';

/** The quantization settings of a layer; null or absent takes MLX's affine defaults (64, 4). */
export interface QuantizationOptions {
  groupSize?: number | null;
  bits?: number | null;
  mode?: 'affine' | null;
}

const settings = (o: QuantizationOptions): [number, number] => [o.groupSize ?? 64, o.bits ?? 4];

/** A module MLX's `nn.quantize` can replace: it knows its quantized form. */
export interface Quantizable {
  /** The quantized module that replaces this one (MLX's `to_quantized`). */
  toQuantized(groupSize?: number | null, bits?: number | null, mode?: 'affine' | null): Module;
}

const isQuantizable = (m: unknown): m is Module & Quantizable => m instanceof Module && typeof (m as Partial<Quantizable>).toQuantized === 'function';

/**
 * `y = x Wᵀ + b` with W stored quantized (`weight` uint32 packed codes, `scales`, `biases`; see
 * `mx.quantize`): nn.Linear's quantized form, computed by `mx.quantizedMatmul`. Its parameters are
 * frozen (a bias taken over by `fromLinear` stays trainable, as in MLX). `QuantizedLinear.fromLinear(linear, groupSize, bits)` converts a trained Linear.
 */
export class QuantizedLinear extends Module {
  groupSize: number;
  bits: number;
  mode: 'affine';
  weight: Array;
  scales: Array;
  biases: Array;
  bias?: Array;

  constructor(
    inputDims: number,
    outputDims: number,
    ...rest: OptionalArgs<[bias: boolean, groupSize: number | null, bits: number | null, mode: 'affine' | null], { bias?: boolean } & QuantizationOptions>
  ) {
    super();
    const fn = 'QuantizedLinear';
    checkPositiveInt(fn, 'inputDims', inputDims);
    checkPositiveInt(fn, 'outputDims', outputDims);
    const o = readOptions(fn, rest, ['bias', 'groupSize', 'bits', 'mode']);
    [this.groupSize, this.bits] = settings(o);
    this.mode = 'affine';
    const scale = Math.sqrt(1 / inputDims);
    [this.weight, this.scales, this.biases] = quantizeArray(random.uniform(-scale, scale, [outputDims, inputDims]), this.groupSize, this.bits, o.mode ?? null);
    if (checkBool(fn, 'bias', o.bias ?? true)) this.bias = zeros([outputDims]);
    this.freeze();
  }

  /** A QuantizedLinear holding `linear`'s weight quantized and its bias as is (MLX's `from_linear`). */
  static fromLinear(
    linear: { weight: Array; bias?: Array },
    groupSize: number | null = null,
    bits: number | null = null,
    mode: 'affine' | null = null,
  ): QuantizedLinear {
    const [out, inp] = linear.weight.shape as [number, number];
    const q = new QuantizedLinear(inp, out, { bias: false, groupSize, bits, mode });
    [q.weight, q.scales, q.biases] = quantizeArray(linear.weight, q.groupSize, q.bits, mode);
    // Set after the constructor froze weight, scales and biases: as in MLX, the bias stays trainable.
    if (linear.bias !== undefined) q.bias = linear.bias;
    return q;
  }

  protected override extraRepr(): string {
    const [out, words] = this.weight.shape as [number, number];
    return `inputDims=${(words * 32) / this.bits}, outputDims=${out}, bias=${this.bias !== undefined}, groupSize=${this.groupSize}, bits=${this.bits}, mode=${this.mode}`;
  }

  override forward(x: Array): Array {
    checkInput('QuantizedLinear', x);
    checkLastDim('QuantizedLinear', x, (this.weight.shape[1]! * 32) / this.bits, 'inputDims');
    const y = quantizedMatmul(x, this.weight, this.scales, this.biases, true, this.groupSize, this.bits);
    return this.bias === undefined ? y : add(y, this.bias);
  }
}

/**
 * nn.Embedding with its table stored quantized: the rows at the indices are dequantized. `asLinear`
 * multiplies by the table as a QuantizedLinear does (tied input and output embeddings). Frozen.
 */
export class QuantizedEmbedding extends Module {
  groupSize: number;
  bits: number;
  mode: 'affine';
  numEmbeddings: number;
  dims: number;
  weight: Array;
  scales: Array;
  biases: Array;

  constructor(
    numEmbeddings: number,
    dims: number,
    ...rest: OptionalArgs<[groupSize: number | null, bits: number | null, mode: 'affine' | null], QuantizationOptions>
  ) {
    super();
    const fn = 'QuantizedEmbedding';
    checkPositiveInt(fn, 'numEmbeddings', numEmbeddings);
    checkPositiveInt(fn, 'dims', dims);
    const o = readOptions(fn, rest, ['groupSize', 'bits', 'mode']);
    [this.groupSize, this.bits] = settings(o);
    this.mode = 'affine';
    this.numEmbeddings = numEmbeddings;
    this.dims = dims;
    [this.weight, this.scales, this.biases] = quantizeArray(
      random.normal({ shape: [numEmbeddings, dims], scale: Math.sqrt(1 / dims) }),
      this.groupSize,
      this.bits,
      o.mode ?? null,
    );
    this.freeze();
  }

  /** A QuantizedEmbedding holding `embedding`'s table quantized (MLX's `from_embedding`). */
  static fromEmbedding(
    embedding: { weight: Array },
    groupSize: number | null = null,
    bits: number | null = null,
    mode: 'affine' | null = null,
  ): QuantizedEmbedding {
    const [n, dims] = embedding.weight.shape as [number, number];
    const q = new QuantizedEmbedding(n, dims, { groupSize, bits, mode });
    [q.weight, q.scales, q.biases] = quantizeArray(embedding.weight, q.groupSize, q.bits, mode);
    return q;
  }

  protected override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.dims}, groupSize=${this.groupSize}, bits=${this.bits}, mode=${this.mode}`;
  }

  /** The dequantized rows at the integer indices `x`: shape [...x.shape, dims]. */
  override forward(x: Array): Array {
    checkInput('QuantizedEmbedding', x);
    if (x.dtype.isFloating || x.dtype.name === 'bool') throw new Error(`QuantizedEmbedding: expected integer indices, got dtype ${x.dtype.name}`);
    return dequantize(take(this.weight, x, 0), take(this.scales, x, 0), take(this.biases, x, 0), this.groupSize, this.bits);
  }

  /** `x Wᵀ` with the quantized table (x of last dimension dims). */
  asLinear(x: Array): Array {
    checkInput('QuantizedEmbedding.asLinear', x);
    checkLastDim('QuantizedEmbedding.asLinear', x, this.dims, 'dims');
    return quantizedMatmul(x, this.weight, this.scales, this.biases, true, this.groupSize, this.bits);
  }
}

/** What `classPredicate` returns: quantize or not, or the settings to quantize this module with. */
export type QuantizePredicateResult = boolean | QuantizationOptions;

/** Options of {@link quantize} (MLX's keyword arguments). */
export interface QuantizeModelOptions extends QuantizationOptions {
  /** Which leaves to quantize, by path and module; true, false, or settings for that module. */
  classPredicate?: ((path: string, module: Module) => QuantizePredicateResult) | null;
}

const quantizeKinds: Record<string, Kind> = {
  groupSize: 'positive',
  bits: 'positive',
  mode: ['affine'],
  classPredicate: { what: 'a function (path, module) => boolean or settings', test: (v) => typeof v === 'function' },
};

/**
 * Replaces, in place, each leaf module of `model` for which `classPredicate(path, module)` holds
 * (default: every one with a `toQuantized` method, i.e. Linear and Embedding) by its quantized
 * form (MLX's `nn.quantize`). The predicate may return settings for that module instead of true.
 * Called as `quantize(model, groupSize?, bits?, classPredicate?)` or `quantize(model, { groupSize, bits, mode, classPredicate })`.
 */
export function quantize(
  model: Module,
  ...rest: OptionalArgs<
    [groupSize: number | null, bits: number | null, classPredicate: ((path: string, module: Module) => QuantizePredicateResult) | null],
    QuantizeModelOptions
  >
): void {
  const fn = 'quantize';
  if (!(model instanceof Module)) throw new Error(`${fn}: expected model to be a Module, got ${describeValue(model)}`);
  const o = readArgs(fn, rest, ['groupSize', 'bits', 'classPredicate', 'mode'], (k) => quantizeKinds[k]);
  const groupSize = (o.groupSize ?? null) as number | null;
  const bits = (o.bits ?? null) as number | null;
  const pred = (o.classPredicate ?? ((_p: string, m: Module) => isQuantizable(m))) as (path: string, module: Module) => QuantizePredicateResult;
  const swap = (path: string, m: unknown): unknown => {
    if (!(m instanceof Module)) return m;
    const r = pred(path, m);
    if (r === false) return m;
    if (!isQuantizable(m)) throw new Error(`${fn}: cannot quantize ${path} (a ${m.constructor.name}, which has no toQuantized method)`);
    if (r === true) return m.toQuantized(groupSize, bits);
    if (typeof r === 'object' && r !== null) return m.toQuantized(r.groupSize ?? groupSize, r.bits ?? bits, r.mode ?? null);
    throw new Error(`${fn}: classPredicate must return a boolean or quantization settings, got ${describeValue(r)} for ${path}`);
  };
  model.updateModules(treeMapWithPath(swap, model.leafModules(), { isLeaf: (x: unknown) => x instanceof Module }));
}
