/**
 * Pooling over the spatial axes of channels-last inputs (NLC, NHWC, NDHWC), as MLX's pooling
 * layers: pad (with -inf for max, 0 for average, so padding counts in the average as in MLX), then
 * reduce each window. Built from pad, views, concatenate and reductions, so every transform
 * differentiates it.
 */
import { Array, concatenate, describeValue, expandDims, fmtShape, max, mean, pad, reshape, sliceArray } from '@mlx-ts/core';
import { Module } from '../module.js';
import { type OptionalArgs, readOptions } from '../options.js';

type PoolKind = 'max' | 'avg';

/**
 * Windows of `x` ([B, ...spatial, C], already padded) gathered as [B, ...out, K, C] with K the window
 * size, or (stride == kernel tiling the input exactly) as [B, out0, k0, out1, k1, ..., C] by a
 * reshape alone, reduced over the k axes where they lie: moving them last would cost a strided
 * copy of the whole input in the backward pass (its cotangent transposed back), where this
 * layout's cotangent is already x's. Returns the windows and the axes to reduce.
 */
function windows(x: Array, kernel: readonly number[], stride: readonly number[]): [Array, number[]] {
  const n = kernel.length;
  const spatial = x.shape.slice(1, -1);
  const c = x.shape[x.ndim - 1]!;
  if (kernel.every((k, i) => k === stride[i] && spatial[i]! % k === 0)) {
    // Non-overlapping windows: split each spatial axis into (out, k).
    const split = [x.shape[0]!, ...spatial.flatMap((s, i) => [s / kernel[i]!, kernel[i]!]), c];
    return [reshape(x, split), kernel.map((_, i) => 2 + 2 * i)];
  }
  const out = spatial.map((s, i) => Math.floor((s - kernel[i]!) / stride[i]!) + 1);
  // One strided view per offset inside the window; the views stack on a new axis before C.
  const views: Array[] = [];
  const offsets = (d: number, acc: number[]): void => {
    if (d === n) {
      const start = [0, ...acc, 0];
      const stop = [x.shape[0]!, ...acc.map((o, i) => o + (out[i]! - 1) * stride[i]! + 1), c];
      const step = [1, ...stride, 1];
      views.push(expandDims(sliceArray(x, start, stop, step), -2));
      return;
    }
    for (let o = 0; o < kernel[d]!; o++) offsets(d + 1, [...acc, o]);
  };
  offsets(0, []);
  return [concatenate(views, -2), [n + 1]];
}

/** Max or average pooling of `x` with per-axis kernel, stride and (symmetric) padding; `fn` names the caller in errors. */
function pool(fn: string, kind: PoolKind, x: Array, kernel: readonly number[], stride: readonly number[], padding: readonly number[]): Array {
  const n = kernel.length;
  if (!(x instanceof Array)) throw new Error(`${fn}: expected x to be an mx.Array, got ${describeValue(x)}`);
  if (x.ndim !== n + 2) {
    throw new Error(`${fn}: expected a ${n + 2}-D input (batch, ${n} spatial axes, channels last), got shape ${fmtShape(x.shape)}`);
  }
  let y = x;
  if (padding.some((p) => p > 0)) {
    y = pad(x, [[0, 0], ...padding.map((p) => [p, p] as [number, number]), [0, 0]], 'constant', kind === 'max' ? -Infinity : 0);
  }
  const spatial = y.shape.slice(1, -1);
  spatial.forEach((s, i) => {
    if (s < kernel[i]!) {
      throw new Error(
        `${fn}: kernel size ${kernel[i]} is larger than spatial axis ${i} of size ${s}${padding[i]! > 0 ? ' (padded)' : ''} of input shape ${fmtShape(x.shape)}`,
      );
    }
  });
  const [w, axes] = windows(y, kernel, stride);
  return kind === 'max' ? max(w, axes) : mean(w, axes);
}

/** An int for every spatial axis, or a list of exactly `n` ints (MLX's `_value_or_list`). */
function perAxis(fn: string, what: string, v: unknown, n: number, min: number): number[] {
  const list = typeof v === 'number' ? new globalThis.Array<number>(n).fill(v) : v;
  if (!globalThis.Array.isArray(list) || list.length !== n || !list.every((e) => Number.isInteger(e))) {
    throw new Error(`${fn}: expected ${what} to be an integer or a list of ${n} integer${n === 1 ? '' : 's'}, got ${describeValue(v)}`);
  }
  if (list.some((e: number) => e < min)) {
    throw new Error(`${fn}: expected ${what} to be ${min === 0 ? 'non-negative' : 'positive'}, got ${describeValue(v)}`);
  }
  return list.slice();
}

type Size<N extends number> = number | (N extends 1 ? readonly [number] : N extends 2 ? readonly [number, number] : readonly [number, number, number]);
export interface PoolOptions<N extends number> {
  /** The window step; default the kernel size. */
  stride?: Size<N> | null;
  /** Padding on both sides of every spatial axis (-inf for max, 0 for average pooling); default 0. */
  padding?: Size<N>;
}

/** The pooling layers: `new MaxPool2d(kernelSize, stride = kernelSize, padding = 0)`, or options. */
abstract class Pool<N extends number> extends Module {
  // Private fields, not members: a JS array member would be part of the module's tree.
  readonly #kernelSize: number[];
  readonly #stride: number[];
  readonly #padding: number[];
  readonly #kind: PoolKind;

  constructor(n: N, kind: PoolKind, kernelSize: Size<N>, rest: readonly unknown[]) {
    super();
    const fn = this.constructor.name;
    const o = readOptions(fn, rest, ['stride', 'padding']);
    this.#kind = kind;
    this.#kernelSize = perAxis(fn, 'kernelSize', kernelSize, n, 1);
    this.#stride = o.stride == null ? this.#kernelSize.slice() : perAxis(fn, 'stride', o.stride, n, 1);
    this.#padding = perAxis(fn, 'padding', o.padding ?? 0, n, 0);
  }

  protected override extraRepr(): string {
    return `kernelSize=[${this.#kernelSize}], stride=[${this.#stride}], padding=[${this.#padding}]`;
  }

  override forward(x: Array): Array {
    return pool(this.constructor.name, this.#kind, x, this.#kernelSize, this.#stride, this.#padding);
  }
}

type PoolRest<N extends number> = OptionalArgs<[stride: Size<N> | null, padding: Size<N>], PoolOptions<N>>;

/** 1-d max pooling of [N, L, C] inputs; padding is -inf. */
export class MaxPool1d extends Pool<1> {
  constructor(kernelSize: Size<1>, ...rest: PoolRest<1>) {
    super(1, 'max', kernelSize, rest);
  }
}
/** 2-d max pooling of [N, H, W, C] inputs; padding is -inf. */
export class MaxPool2d extends Pool<2> {
  constructor(kernelSize: Size<2>, ...rest: PoolRest<2>) {
    super(2, 'max', kernelSize, rest);
  }
}
/** 3-d max pooling of [N, D, H, W, C] inputs; padding is -inf. */
export class MaxPool3d extends Pool<3> {
  constructor(kernelSize: Size<3>, ...rest: PoolRest<3>) {
    super(3, 'max', kernelSize, rest);
  }
}
/** 1-d average pooling of [N, L, C] inputs; zero padding counts in the average (PyTorch's count_include_pad). */
export class AvgPool1d extends Pool<1> {
  constructor(kernelSize: Size<1>, ...rest: PoolRest<1>) {
    super(1, 'avg', kernelSize, rest);
  }
}
/** 2-d average pooling of [N, H, W, C] inputs; zero padding counts in the average (PyTorch's count_include_pad). */
export class AvgPool2d extends Pool<2> {
  constructor(kernelSize: Size<2>, ...rest: PoolRest<2>) {
    super(2, 'avg', kernelSize, rest);
  }
}
/** 3-d average pooling of [N, D, H, W, C] inputs; zero padding counts in the average (PyTorch's count_include_pad). */
export class AvgPool3d extends Pool<3> {
  constructor(kernelSize: Size<3>, ...rest: PoolRest<3>) {
    super(3, 'avg', kernelSize, rest);
  }
}
