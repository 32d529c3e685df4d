/**
 * MLX's attention and transformer layers (mlx.nn.layers.transformer). Attention is
 * `mx.fast.scaledDotProductAttention`, as MLX's; the parameters, their names (MLX's query_proj
 * etc. in camelCase) and the math are MLX's.
 */
import {
  add,
  arange,
  Array,
  astype,
  describeValue,
  type Dtype,
  type DtypeLike,
  dtypeLimits,
  expandDims,
  fast,
  float32,
  fmtShape,
  less,
  multiply,
  reshape,
  toDtype,
  transpose,
} from '@mlx-ts/core';
import { checkpoint } from '../checkpoint.js';
import { relu } from '../activations.js';
import { Module } from '../module.js';
import { checkBool, checkNumber, checkPositiveInt, type OptionalArgs, readOptions } from '../options.js';
import { checkInput } from './checks.js';
import { Dropout } from './dropout.js';
import { Linear } from './linear.js';
import { LayerNorm } from './normalization.js';

/**
 * An attention mask: additive (-inf or very negative where not attended), boolean (true where
 * attended), or 'causal' (query i sees keys up to i + S - L, MLX's bottom-right alignment).
 */
export type AttentionMask = Array | 'causal' | null | undefined;

export interface MultiHeadAttentionOptions {
  queryInputDims?: number | null;
  keyInputDims?: number | null;
  valueInputDims?: number | null;
  valueDims?: number | null;
  valueOutputDims?: number | null;
  bias?: boolean;
}

/**
 * Multi-head scaled dot-product attention: `new MultiHeadAttention(dims, numHeads, queryInputDims?,
 * keyInputDims?, valueInputDims?, valueDims?, valueOutputDims?, bias = false)`, optional arguments
 * positionally or as options. Inputs are [B, L, D] queries and [B, S, D'] keys and values;
 * `forward(queries, keys, values, mask?)` takes 'causal' or an additive (or boolean) mask broadcastable with
 * [B, numHeads, L, S]. Projections have no bias by default (PyTorch's have one).
 */
export class MultiHeadAttention extends Module {
  readonly numHeads: number;
  queryProj: Linear;
  keyProj: Linear;
  valueProj: Linear;
  outProj: Linear;

  constructor(
    dims: number,
    numHeads: number,
    ...rest: OptionalArgs<
      [
        queryInputDims: number | null,
        keyInputDims: number | null,
        valueInputDims: number | null,
        valueDims: number | null,
        valueOutputDims: number | null,
        bias: boolean,
      ],
      MultiHeadAttentionOptions
    >
  ) {
    super();
    const fn = 'MultiHeadAttention';
    const o = readOptions(fn, rest, ['queryInputDims', 'keyInputDims', 'valueInputDims', 'valueDims', 'valueOutputDims', 'bias']);
    checkPositiveInt(fn, 'dims', dims);
    this.numHeads = checkPositiveInt(fn, 'numHeads', numHeads);
    if (dims % numHeads !== 0) throw new Error(`${fn}: expected dims to be divisible by numHeads, got dims ${dims} and numHeads ${numHeads}`);
    const dim = (name: string, v: unknown, dflt: number) => (v == null ? dflt : checkPositiveInt(fn, name, v));
    const queryInputDims = dim('queryInputDims', o.queryInputDims, dims);
    const keyInputDims = dim('keyInputDims', o.keyInputDims, dims);
    const valueInputDims = dim('valueInputDims', o.valueInputDims, keyInputDims);
    const valueDims = dim('valueDims', o.valueDims, dims);
    const valueOutputDims = dim('valueOutputDims', o.valueOutputDims, dims);
    if (valueDims % numHeads !== 0)
      throw new Error(`${fn}: expected valueDims to be divisible by numHeads, got valueDims ${valueDims} and numHeads ${numHeads}`);
    const bias = checkBool(fn, 'bias', o.bias ?? false);
    this.queryProj = new Linear(queryInputDims, dims, { bias });
    this.keyProj = new Linear(keyInputDims, dims, { bias });
    this.valueProj = new Linear(valueInputDims, valueDims, { bias });
    this.outProj = new Linear(valueDims, valueOutputDims, { bias });
  }

  override forward(queries: Array, keys: Array, values: Array, mask?: AttentionMask): Array {
    const fn = 'MultiHeadAttention';
    for (const [what, a] of [
      ['queries', queries],
      ['keys', keys],
      ['values', values],
    ] as const) {
      checkInput(fn, a, what);
      if (a.ndim !== 3) throw new Error(`${fn}: expected ${what} of shape [batch, length, features], got shape ${fmtShape(a.shape)}`);
    }
    if (keys.shape[1] !== values.shape[1])
      throw new Error(`${fn}: expected keys and values of one length, got shapes ${fmtShape(keys.shape)} and ${fmtShape(values.shape)}`);
    // [B, L, D] -> [B, H, L, D / H]
    const heads = (x: Array) => transpose(reshape(x, [x.shape[0]!, x.shape[1]!, this.numHeads, -1]), [0, 2, 1, 3]);
    const q = heads(this.queryProj.forward(queries));
    const k = heads(this.keyProj.forward(keys));
    const v = heads(this.valueProj.forward(values));
    if (mask != null && mask !== 'causal') checkInput(fn, mask, 'mask');
    const o = fast.scaledDotProductAttention(q, k, v, { scale: Math.sqrt(1 / q.shape[3]!), mask: mask ?? null });
    const merged = transpose(o, [0, 2, 1, 3]);
    return this.outProj.forward(reshape(merged, [merged.shape[0]!, merged.shape[1]!, -1]));
  }

  /** An [N, N] additive mask hiding future positions: the dtype's lowest finite value above the diagonal, 0 elsewhere. */
  static createAdditiveCausalMask(n: number, dtype: DtypeLike = float32): Array {
    checkPositiveInt('MultiHeadAttention.createAdditiveCausalMask', 'N', n);
    const dt: Dtype = toDtype(dtype, 'MultiHeadAttention.createAdditiveCausalMask');
    const i = arange(n);
    const future = less(expandDims(i, 1), expandDims(i, 0));
    return multiply(astype(future, dt), dtypeLimits(dt).min);
  }
}

/** An activation for the MLP of a transformer layer: a function, or a Module (whose forward is used). */
export type Activation = ((x: Array) => Array) | Module;

function activate(a: Activation, x: Array): Array {
  const y = a instanceof Module ? a.forward(x) : a(x);
  if (!(y instanceof Array)) throw new Error(`transformer layer: expected the activation to return an mx.Array, got ${describeValue(y)}`);
  return y;
}

export interface TransformerLayerOptions {
  mlpDims?: number | null;
  dropout?: number;
  activation?: Activation;
  normFirst?: boolean;
}

function layerOptions(fn: string, dims: number, numHeads: number, rest: readonly unknown[], extra: readonly string[] = []) {
  const o = readOptions(fn, rest, ['mlpDims', 'dropout', 'activation', 'normFirst', ...extra]);
  checkPositiveInt(fn, 'dims', dims);
  checkPositiveInt(fn, 'numHeads', numHeads);
  const activation: Activation = o.activation ?? relu;
  if (typeof activation !== 'function' && !(activation instanceof Module))
    throw new Error(`${fn}: expected activation to be a function or a Module, got ${describeValue(activation)}`);
  return {
    checkpoint: o.checkpoint as unknown,
    mlpDims: o.mlpDims == null ? dims * 4 : checkPositiveInt(fn, 'mlpDims', o.mlpDims),
    dropout: checkNumber(fn, 'dropout', o.dropout ?? 0),
    activation,
    normFirst: checkBool(fn, 'normFirst', o.normFirst ?? true),
  };
}

type LayerRest = OptionalArgs<[mlpDims: number | null, dropout: number, activation: Activation, normFirst: boolean], TransformerLayerOptions>;

/**
 * A transformer encoder layer: self-attention and an MLP (dims -> mlpDims = 4 dims -> dims), each with
 * a residual connection and LayerNorm, before (`normFirst`, the default) or after the sublayer.
 * `new TransformerEncoderLayer(dims, numHeads, mlpDims?, dropout = 0, activation = relu, normFirst = true)`.
 */
export class TransformerEncoderLayer extends Module {
  attention: MultiHeadAttention;
  ln1: LayerNorm;
  ln2: LayerNorm;
  linear1: Linear;
  linear2: Linear;
  dropout1: Dropout;
  dropout2: Dropout;
  activation: Activation;
  readonly normFirst: boolean;

  constructor(dims: number, numHeads: number, ...rest: LayerRest) {
    super();
    const o = layerOptions('TransformerEncoderLayer', dims, numHeads, rest);
    this.attention = new MultiHeadAttention(dims, numHeads);
    this.ln1 = new LayerNorm(dims);
    this.ln2 = new LayerNorm(dims);
    this.linear1 = new Linear(dims, o.mlpDims);
    this.linear2 = new Linear(o.mlpDims, dims);
    this.dropout1 = new Dropout(o.dropout);
    this.dropout2 = new Dropout(o.dropout);
    this.activation = o.activation;
    this.normFirst = o.normFirst;
  }

  override forward(x: Array, mask?: AttentionMask): Array {
    const mlp = (y: Array) => this.linear2.forward(this.dropout2.forward(activate(this.activation, this.linear1.forward(y))));
    if (this.normFirst) {
      let y = this.ln1.forward(x);
      x = add(x, this.dropout1.forward(this.attention.forward(y, y, y, mask)));
      y = this.ln2.forward(x);
      return add(x, mlp(y));
    }
    x = this.ln1.forward(add(x, this.dropout1.forward(this.attention.forward(x, x, x, mask))));
    return this.ln2.forward(add(x, mlp(x)));
  }
}

export interface TransformerStackOptions extends TransformerLayerOptions {
  checkpoint?: boolean;
}
type StackRest = OptionalArgs<
  [mlpDims: number | null, dropout: number, activation: Activation, normFirst: boolean, checkpoint: boolean],
  TransformerStackOptions
>;

/**
 * `numLayers` encoder layers followed by a LayerNorm. `new TransformerEncoder(numLayers, dims, numHeads,
 * mlpDims?, dropout = 0, activation = relu, normFirst = true, checkpoint = false)`; `checkpoint`
 * recomputes each layer in the backward pass instead of keeping its intermediates.
 */
export class TransformerEncoder extends Module {
  layers: TransformerEncoderLayer[];
  ln: LayerNorm;
  readonly checkpoint: boolean;

  constructor(numLayers: number, dims: number, numHeads: number, ...rest: StackRest) {
    super();
    const fn = 'TransformerEncoder';
    const o = layerOptions(fn, dims, numHeads, rest, ['checkpoint']);
    checkPositiveInt(fn, 'numLayers', numLayers);
    this.layers = globalThis.Array.from(
      { length: numLayers },
      () => new TransformerEncoderLayer(dims, numHeads, o.mlpDims, o.dropout, o.activation, o.normFirst),
    );
    this.ln = new LayerNorm(dims);
    this.checkpoint = checkBool(fn, 'checkpoint', o.checkpoint ?? false);
  }

  override forward(x: Array, mask?: AttentionMask): Array {
    for (const l of this.layers) {
      x = this.checkpoint ? checkpoint(l, (a: Array, m: AttentionMask) => l.forward(a, m))(x, mask) : l.forward(x, mask);
    }
    return this.ln.forward(x);
  }
}

/**
 * A transformer decoder layer: self-attention, cross-attention over the encoder's `memory` and an MLP,
 * each with a residual connection and LayerNorm (before the sublayer when `normFirst`).
 * `new TransformerDecoderLayer(dims, numHeads, mlpDims?, dropout = 0, activation = relu, normFirst = true)`.
 */
export class TransformerDecoderLayer extends Module {
  selfAttention: MultiHeadAttention;
  crossAttention: MultiHeadAttention;
  ln1: LayerNorm;
  ln2: LayerNorm;
  ln3: LayerNorm;
  linear1: Linear;
  linear2: Linear;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  activation: Activation;
  readonly normFirst: boolean;

  constructor(dims: number, numHeads: number, ...rest: LayerRest) {
    super();
    const o = layerOptions('TransformerDecoderLayer', dims, numHeads, rest);
    this.selfAttention = new MultiHeadAttention(dims, numHeads);
    this.crossAttention = new MultiHeadAttention(dims, numHeads);
    this.ln1 = new LayerNorm(dims);
    this.ln2 = new LayerNorm(dims);
    this.ln3 = new LayerNorm(dims);
    this.linear1 = new Linear(dims, o.mlpDims);
    this.linear2 = new Linear(o.mlpDims, dims);
    this.dropout1 = new Dropout(o.dropout);
    this.dropout2 = new Dropout(o.dropout);
    this.dropout3 = new Dropout(o.dropout);
    this.activation = o.activation;
    this.normFirst = o.normFirst;
  }

  override forward(x: Array, memory: Array, xMask?: AttentionMask, memoryMask?: AttentionMask): Array {
    const mlp = (y: Array) => this.linear2.forward(this.dropout3.forward(activate(this.activation, this.linear1.forward(y))));
    if (this.normFirst) {
      let y = this.ln1.forward(x);
      x = add(x, this.dropout1.forward(this.selfAttention.forward(y, y, y, xMask)));
      y = this.ln2.forward(x);
      x = add(x, this.dropout2.forward(this.crossAttention.forward(y, memory, memory, memoryMask)));
      return add(x, mlp(this.ln3.forward(x)));
    }
    x = this.ln1.forward(add(x, this.dropout1.forward(this.selfAttention.forward(x, x, x, xMask))));
    x = this.ln2.forward(add(x, this.dropout2.forward(this.crossAttention.forward(x, memory, memory, memoryMask))));
    return this.ln3.forward(add(x, mlp(x)));
  }
}

/** `numLayers` decoder layers followed by a LayerNorm; arguments as TransformerEncoder's. */
export class TransformerDecoder extends Module {
  layers: TransformerDecoderLayer[];
  ln: LayerNorm;
  readonly checkpoint: boolean;

  constructor(numLayers: number, dims: number, numHeads: number, ...rest: StackRest) {
    super();
    const fn = 'TransformerDecoder';
    const o = layerOptions(fn, dims, numHeads, rest, ['checkpoint']);
    checkPositiveInt(fn, 'numLayers', numLayers);
    this.layers = globalThis.Array.from(
      { length: numLayers },
      () => new TransformerDecoderLayer(dims, numHeads, o.mlpDims, o.dropout, o.activation, o.normFirst),
    );
    this.ln = new LayerNorm(dims);
    this.checkpoint = checkBool(fn, 'checkpoint', o.checkpoint ?? false);
  }

  override forward(x: Array, memory: Array, xMask?: AttentionMask, memoryMask?: AttentionMask): Array {
    for (const l of this.layers) {
      x = this.checkpoint
        ? checkpoint(l, (a: Array, m: Array, xm: AttentionMask, mm: AttentionMask) => l.forward(a, m, xm, mm))(x, memory, xMask, memoryMask)
        : l.forward(x, memory, xMask, memoryMask);
    }
    return this.ln.forward(x);
  }
}

/** What a custom encoder or decoder of `Transformer` must provide. */
export interface TransformerEncoderLike extends Module {
  forward(src: Array, srcMask?: AttentionMask): Array;
}
export interface TransformerDecoderLike extends Module {
  forward(tgt: Array, memory: Array, tgtMask?: AttentionMask, memoryMask?: AttentionMask): Array;
}

export interface TransformerOptions extends TransformerStackOptions {
  dims?: number;
  numHeads?: number;
  numEncoderLayers?: number;
  numDecoderLayers?: number;
  customEncoder?: TransformerEncoderLike | null;
  customDecoder?: TransformerDecoderLike | null;
}

/**
 * The encoder-decoder Transformer of "Attention Is All You Need": `new Transformer(dims = 512,
 * numHeads = 8, numEncoderLayers = 6, numDecoderLayers = 6, mlpDims?, dropout = 0, activation = relu,
 * customEncoder?, customDecoder?, normFirst = true, checkpoint = false)`, or one options object.
 * `forward(src, tgt, srcMask, tgtMask, memoryMask)`.
 */
export class Transformer extends Module {
  encoder: TransformerEncoderLike;
  decoder: TransformerDecoderLike;

  constructor(
    ...rest: OptionalArgs<
      [
        dims: number,
        numHeads: number,
        numEncoderLayers: number,
        numDecoderLayers: number,
        mlpDims: number | null,
        dropout: number,
        activation: Activation,
        customEncoder: TransformerEncoderLike | null,
        customDecoder: TransformerDecoderLike | null,
        normFirst: boolean,
        checkpoint: boolean,
      ],
      TransformerOptions
    >
  ) {
    super();
    const fn = 'Transformer';
    const o = readOptions(fn, rest, [
      'dims',
      'numHeads',
      'numEncoderLayers',
      'numDecoderLayers',
      'mlpDims',
      'dropout',
      'activation',
      'customEncoder',
      'customDecoder',
      'normFirst',
      'checkpoint',
    ]);
    const dims = o.dims ?? 512;
    const numHeads = o.numHeads ?? 8;
    const stack = { mlpDims: o.mlpDims, dropout: o.dropout, activation: o.activation, normFirst: o.normFirst, checkpoint: o.checkpoint };
    for (const [name, m] of [
      ['customEncoder', o.customEncoder],
      ['customDecoder', o.customDecoder],
    ] as const) {
      if (m != null && !(m instanceof Module)) throw new Error(`${fn}: expected ${name} to be an nn.Module, got ${describeValue(m)}`);
    }
    this.encoder = o.customEncoder ?? new TransformerEncoder(o.numEncoderLayers ?? 6, dims, numHeads, stack);
    this.decoder = o.customDecoder ?? new TransformerDecoder(o.numDecoderLayers ?? 6, dims, numHeads, stack);
  }

  override forward(src: Array, tgt: Array, srcMask?: AttentionMask, tgtMask?: AttentionMask, memoryMask?: AttentionMask): Array {
    const memory = this.encoder.forward(src, srcMask);
    return this.decoder.forward(tgt, memory, tgtMask, memoryMask);
  }
}
