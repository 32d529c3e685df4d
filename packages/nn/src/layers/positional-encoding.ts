/** MLX's positional encodings: `RoPE`, `SinusoidalPositionalEncoding` and `ALiBi`. */
import {
  abs,
  add,
  Array,
  arange,
  array,
  astype,
  concatenate,
  cos,
  type Dtype,
  exp,
  expandDims,
  fast,
  float32,
  multiply,
  negative,
  reshape,
  sin,
  subtract,
} from '@mlx-ts/core';
import { Module } from '../module.js';
import { checkBool, checkNumber, checkPositiveInt, type OptionalArgs, readOptions } from '../options.js';
import { checkInput } from './checks.js';

export interface RoPEOptions {
  /** Rotate consecutive feature pairs (2i, 2i + 1) instead of (i, i + dims / 2). Default false. */
  traditional?: boolean;
  /** The base of the angular frequencies. Default 10000. */
  base?: number;
  /** Multiplies the positions. Default 1. */
  scale?: number;
}

/**
 * Rotary positional encoding (RoFormer) through `mx.fast.rope`: the first `dims` features of
 * [B, ..., T, D] inputs are rotated by angles that grow with the position along T; the rest pass
 * through. `RoPE(dims, traditional = false, base = 10000, scale = 1)`, `forward(x, offset = 0)`.
 */
export class RoPE extends Module {
  readonly dims: number;
  readonly traditional: boolean;
  readonly base: number;
  readonly scale: number;

  constructor(dims: number, ...rest: OptionalArgs<[traditional: boolean, base: number, scale: number], RoPEOptions>) {
    super();
    const fn = 'RoPE';
    const o = readOptions(fn, rest, ['traditional', 'base', 'scale']);
    this.dims = checkPositiveInt(fn, 'dims', dims);
    this.traditional = checkBool(fn, 'traditional', o.traditional ?? false);
    this.base = checkNumber(fn, 'base', o.base ?? 10000);
    this.scale = checkNumber(fn, 'scale', o.scale ?? 1);
  }

  protected override extraRepr(): string {
    return `${this.dims}, traditional=${this.traditional}`;
  }

  /**
   * Rotates x's features by its positions.
   *
   * @param offset - The position of x's first step along T (an integer or an integer array, one per batch row).
   */
  override forward(x: Array, offset: number | Array = 0): Array {
    checkInput('RoPE', x);
    return fast.rope(x, this.dims, { traditional: this.traditional, base: this.base, scale: this.scale, offset });
  }
}

export interface SinusoidalPositionalEncodingOptions {
  /** The lowest frequency. Default 0.0001. */
  minFreq?: number;
  /** The highest frequency. Default 1. */
  maxFreq?: number;
  /** Multiplies the embeddings. Default sqrt(2 / dims). */
  scale?: number | null;
  /** Embed as [cos, sin] instead of [sin, cos]. Default false. */
  cosFirst?: boolean;
  /** Multiply the frequencies by 2π. Default false. */
  fullTurns?: boolean;
}

/**
 * Sinusoidal positional encoding ("Attention Is All You Need"): x [...] -> [..., dims], the sines
 * and cosines of x times dims / 2 frequencies spaced geometrically from maxFreq down to minFreq.
 * `SinusoidalPositionalEncoding(dims, minFreq = 1e-4, maxFreq = 1, scale = sqrt(2 / dims), cosFirst = false, fullTurns = false)`.
 */
export class SinusoidalPositionalEncoding extends Module {
  /** The frequencies (underscored: not a parameter). */
  readonly _sigmas: Array;
  readonly scale: number;
  readonly cosFirst: boolean;

  constructor(
    dims: number,
    ...rest: OptionalArgs<[minFreq: number, maxFreq: number, scale: number | null, cosFirst: boolean, fullTurns: boolean], SinusoidalPositionalEncodingOptions>
  ) {
    super();
    const fn = 'SinusoidalPositionalEncoding';
    const o = readOptions(fn, rest, ['minFreq', 'maxFreq', 'scale', 'cosFirst', 'fullTurns']);
    checkPositiveInt(fn, 'dims', dims);
    if (dims % 2 !== 0) throw new Error(`${fn}: dims must be positive and even, got ${dims}`);
    const lo = Math.log(checkNumber(fn, 'minFreq', o.minFreq ?? 1e-4));
    const hi = Math.log(checkNumber(fn, 'maxFreq', o.maxFreq ?? 1));
    const half = dims / 2;
    // From 1 down to 0 across the pairs (one pair: just 1), so the frequencies run from maxFreq to minFreq.
    const oneZero = half === 1 ? array([1]) : subtract(1, multiply(arange(0, half), 1 / (half - 1)));
    const sigmas = exp(add(multiply(oneZero, hi - lo), lo));
    this._sigmas = checkBool(fn, 'fullTurns', o.fullTurns ?? false) ? multiply(sigmas, 2 * Math.PI) : sigmas;
    this.scale = o.scale === null || o.scale === undefined ? Math.sqrt(2 / dims) : checkNumber(fn, 'scale', o.scale);
    this.cosFirst = checkBool(fn, 'cosFirst', o.cosFirst ?? false);
  }

  override forward(x: Array): Array {
    checkInput('SinusoidalPositionalEncoding', x);
    const y = multiply(expandDims(x, -1), this._sigmas);
    const parts = this.cosFirst ? [cos(y), sin(y)] : [sin(y), cos(y)];
    const out = concatenate(parts, -1);
    return this.scale === 1 ? out : multiply(out, this.scale);
  }
}

/** ALiBi's slope per head: a geometric sequence from 2^(-8 / n), interleaved for head counts that are not powers of two. */
function alibiSlopes(n: number): number[] {
  if (Number.isInteger(Math.log2(n))) {
    const start = 2 ** -(2 ** -(Math.log2(n) - 3));
    return globalThis.Array.from({ length: n }, (_, i) => start * start ** i);
  }
  const p = 2 ** Math.floor(Math.log2(n));
  return [
    ...alibiSlopes(p),
    ...alibiSlopes(2 * p)
      .filter((_, i) => i % 2 === 0)
      .slice(0, n - p),
  ];
}

/**
 * Attention with linear biases: adds -slope_h * |i - j| to head h's scores of query i and key j.
 * `forward(attentionScores [B, H, Tq, Tk], offset = 0, mask?)`, queries at positions offset...
 */
export class ALiBi extends Module {
  /** The [1, H, Tq, Tk] bias (`offset`: the first query's position). */
  static createAlibiMatrix(qSequenceLength: number, kSequenceLength: number, numHeads: number, offset: number, dtype: Dtype = float32): Array {
    const q = arange(offset, qSequenceLength);
    const k = arange(0, kSequenceLength);
    const distance = negative(abs(subtract(reshape(q, [1, 1, -1, 1]), reshape(k, [1, 1, 1, -1]))));
    return astype(multiply(distance, ALiBi.createAlibiSlope(numHeads, dtype)), dtype);
  }

  /** The [H, 1, 1] slopes. */
  static createAlibiSlope(numHeads: number, dtype: Dtype = float32): Array {
    return reshape(array(alibiSlopes(checkPositiveInt('ALiBi', 'numHeads', numHeads)), dtype), [numHeads, 1, 1]);
  }

  override forward(attentionScores: Array, offset = 0, mask?: Array): Array {
    checkInput('ALiBi', attentionScores);
    const [, h, tq, tk] = attentionScores.shape as number[];
    if (attentionScores.ndim !== 4) throw new Error(`ALiBi: expected scores [B, H, Tq, Tk], got ${attentionScores.ndim} dimensions`);
    let bias = ALiBi.createAlibiMatrix(tq! + offset, tk!, h!, offset, attentionScores.dtype);
    if (mask !== undefined) bias = add(bias, mask);
    return add(attentionScores, bias);
  }
}
