/**
 * Spatial upsampling of channels-last inputs ([B, ...spatial, C]), as MLX's `Upsample`: nearest
 * neighbour, (multi)linear and (multi)cubic interpolation, optionally antialiased when downscaling.
 * Every mode is separable, so each spatial axis is resampled in turn: a sum over taps of
 * `take(x, index_k, axis) * weight_k`. Sample positions are computed in float32 arithmetic, as MLX
 * computes them, so the chosen neighbours match MLX's at exact ties.
 */
import { add, array, Array, broadcastTo, describeValue, float32, fmtShape, multiply, reshape, take, uint32 } from '@mlx-ts/core';
import { Module } from '../module.js';
import { checkBool, type OptionalArgs, readOptions } from '../options.js';
import { checkInput } from './checks.js';

const f = Math.fround;

/** Source positions of the M = floor(scale * N) outputs along an axis of size N (float32, as MLX). */
function scaledPositions(n: number, scale: number, alignCorners: boolean): number[] {
  const m = Math.floor(scale * n);
  const out: number[] = [];
  if (alignCorners) {
    const step = f((n - 1) / Math.max(m - 1, 1));
    for (let i = 0; i < m; i++) out.push(f(i * step));
  } else {
    const step = 1 / scale;
    const start = f(((m - 1) * step - n + 1) / 2);
    const st = f(step);
    for (let i = 0; i < m; i++) out.push(f(f(i * st) - start));
  }
  return out;
}

type Taps = { index: number[]; weight: number[] }[];

function linearTaps(n: number, scale: number, alignCorners: boolean): Taps {
  const pos = scaledPositions(n, scale, alignCorners).map((p) => Math.min(Math.max(p, 0), n - 1));
  const l = pos.map(Math.floor);
  const w = pos.map((p, i) => f(p - l[i]!));
  return [
    { index: l, weight: w.map((v) => f(1 - v)) },
    { index: pos.map(Math.ceil), weight: w },
  ];
}

/** Keys' cubic convolution weight at distance x, for |x| <= 1 (inner) or 1 < |x| <= 2 (outer). */
function keys(a: number, x: number, inner: boolean): number {
  return inner ? ((a + 2) * x - (a + 3)) * x * x + 1 : (((x - 5) * x + 8) * x - 4) * a;
}

function cubicTaps(n: number, scale: number, alignCorners: boolean): Taps {
  const pos = scaledPositions(n, scale, alignCorners);
  // a = -0.75 (OpenCV's and PyTorch's bicubic without antialiasing); positions are not clamped, the
  // indices are (border replication).
  const clampI = (i: number) => Math.min(Math.max(i, 0), n - 1);
  const l1 = pos.map(Math.floor);
  const r1 = pos.map((p) => Math.floor(p + 1));
  const tap = (idx: number[], inner: boolean) => ({
    index: idx.map(clampI),
    weight: idx.map((g, i) => f(keys(-0.75, Math.abs(pos[i]! - g), inner))),
  });
  return [
    tap(l1, true),
    tap(r1, true),
    tap(
      l1.map((v) => v - 1),
      false,
    ),
    tap(
      r1.map((v) => v + 1),
      false,
    ),
  ];
}

/** Antialiased taps: the kernel widened by 1/scale when downscaling, out-of-range taps dropped, weights renormalized. */
function antialiasTaps(n: number, scale: number, alignCorners: boolean, kernel: (d: number) => number, radius: number): Taps {
  const pos = scaledPositions(n, scale, alignCorners);
  const inv = scale < 1 ? 1 / scale : 1;
  const numTaps = Math.ceil(radius * inv) + 1;
  const taps: Taps = [];
  for (let k = -numTaps + 1; k < numTaps; k++) {
    const idx = pos.map((p) => Math.floor(p) + k);
    const w = idx.map((g, i) => (g >= 0 && g < n ? kernel(Math.abs(pos[i]! - g) / inv) : 0));
    taps.push({ index: idx, weight: w });
  }
  for (let i = 0; i < pos.length; i++) {
    let total = 0;
    for (const t of taps) total += t.weight[i]!;
    if (total <= 0) total = 1;
    for (const t of taps) t.weight[i] = f(t.weight[i]! / total);
  }
  for (const t of taps) t.index = t.index.map((g) => Math.min(Math.max(g, 0), n - 1));
  return taps;
}

const triangle = (x: number) => Math.max(1 - x, 0);
// Keys with a = -0.5 (PIL's convention), which PyTorch switches to when antialiasing.
const cubicAa = (x: number) => (x <= 1 ? keys(-0.5, x, true) : x <= 2 ? keys(-0.5, x, false) : 0);

function nearestIndices(n: number, scale: number): number[] {
  const m = Math.floor(scale * n);
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    // float32 arithmetic and round-half-to-even, as MLX's mx.round.
    if (m > n) {
      const v = f(f(f(i + 0.5) * f(n / m)) - 0.5);
      const r = Math.round(v);
      out.push(Math.max(0, Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r));
    } else out.push(Math.trunc(f(i * f(n / m))));
  }
  return out;
}

/** Resamples axis `axis` of `x` by the taps: sum_k take(x, index_k, axis) * weight_k. */
function resample(x: Array, axis: number, taps: Taps): Array {
  let out: Array | null = null;
  for (const t of taps) {
    const shape = x.shape.map((_, i) => (i === axis ? t.index.length : 1));
    const w = reshape(array(t.weight, float32), shape);
    const term = multiply(take(x, array(t.index, uint32), axis), w);
    out = out === null ? term : add(out, term);
  }
  return out!;
}

/** A positive, finite scale, or a non-empty list of them. */
function checkScaleFactor(fn: string, scaleFactor: unknown): void {
  const scales = typeof scaleFactor === 'number' ? [scaleFactor] : scaleFactor;
  if (!globalThis.Array.isArray(scales) || scales.length === 0 || !scales.every((s) => typeof s === 'number' && s > 0 && Number.isFinite(s))) {
    throw new Error(`${fn}: expected scaleFactor to be a positive number or a list of them, got ${describeValue(scaleFactor)}`);
  }
}

function checkScales(fn: string, x: Array, scaleFactor: readonly number[]): void {
  checkInput(fn, x, 'x');
  if (!globalThis.Array.isArray(scaleFactor)) {
    throw new Error(`${fn}: expected scaleFactor to be a list of positive numbers, one per spatial axis, got ${describeValue(scaleFactor)}`);
  }
  checkScaleFactor(fn, scaleFactor);
  if (x.ndim - 2 !== scaleFactor.length) {
    throw new Error(`${fn}: expected one scale per spatial axis (${scaleFactor.length}), got an input of shape ${fmtShape(x.shape)} with ${x.ndim - 2}`);
  }
}

/** Nearest-neighbour upsampling by `scaleFactor` (one per spatial axis); integer scales repeat each element. */
export function upsampleNearest(x: Array, scaleFactor: readonly number[]): Array {
  checkScales('upsampleNearest', x, scaleFactor);
  if (scaleFactor.every(Number.isInteger)) {
    // Insert a broadcast axis after each spatial axis and merge it back.
    const spatial = x.shape.slice(1, -1);
    const b = x.shape[0]!;
    const c = x.shape[x.ndim - 1]!;
    const expanded = reshape(x, [b, ...spatial.flatMap((s) => [s, 1]), c]);
    const bc = broadcastTo(expanded, [b, ...spatial.flatMap((s, i) => [s, scaleFactor[i]!]), c]);
    return reshape(bc, [b, ...spatial.map((s, i) => s * scaleFactor[i]!), c]);
  }
  let out = x;
  scaleFactor.forEach((s, i) => {
    out = take(out, array(nearestIndices(x.shape[i + 1]!, s), uint32), i + 1);
  });
  return out;
}

function interpolate(fn: string, x: Array, scaleFactor: readonly number[], tapsOf: (n: number, s: number) => Taps): Array {
  checkScales(fn, x, scaleFactor);
  let out = x;
  scaleFactor.forEach((s, i) => {
    out = resample(out, i + 1, tapsOf(x.shape[i + 1]!, s));
  });
  return out;
}

function checkAntialias(fn: string, alignCorners: boolean, antialias: boolean): void {
  checkBool(fn, 'alignCorners', alignCorners);
  checkBool(fn, 'antialias', antialias);
  if (antialias && alignCorners) throw new Error(`${fn}: antialias with alignCorners is not supported (use alignCorners false)`);
}

/** Linear (bilinear, trilinear, ...) interpolation by `scaleFactor`; `antialias` low-pass filters when downscaling. */
export function upsampleLinear(x: Array, scaleFactor: readonly number[], alignCorners = false, antialias = false): Array {
  checkAntialias('upsampleLinear', alignCorners, antialias);
  return interpolate('upsampleLinear', x, scaleFactor, (n, s) => (antialias ? antialiasTaps(n, s, alignCorners, triangle, 1) : linearTaps(n, s, alignCorners)));
}

/** Cubic (bicubic, ...) interpolation by `scaleFactor`; `antialias` low-pass filters when downscaling (and uses a = -0.5). */
export function upsampleCubic(x: Array, scaleFactor: readonly number[], alignCorners = false, antialias = false): Array {
  checkAntialias('upsampleCubic', alignCorners, antialias);
  return interpolate('upsampleCubic', x, scaleFactor, (n, s) => (antialias ? antialiasTaps(n, s, alignCorners, cubicAa, 2) : cubicTaps(n, s, alignCorners)));
}

export type UpsampleMode = 'nearest' | 'linear' | 'cubic';
export interface UpsampleOptions {
  mode?: UpsampleMode;
  alignCorners?: boolean;
  antialias?: boolean;
}
const modes: readonly UpsampleMode[] = ['nearest', 'linear', 'cubic'];

/**
 * `new Upsample(scaleFactor, mode = 'nearest', alignCorners = false, antialias = false)`: resamples
 * the spatial axes 1..ndim-2 of a channels-last input by `scaleFactor` (one number for every axis,
 * or one per axis). Output sizes are floor(scale * size). With `alignCorners` the corner samples of
 * input and output coincide. `antialias` (linear and cubic only, not with alignCorners) low-pass
 * filters when downscaling, as PyTorch's `antialias=True`. Where scale * size is not a whole number,
 * MLX centres the sampling grid on the input, so results differ from PyTorch's there.
 */
export class Upsample extends Module {
  // Private fields, not members: a JS array member would be part of the module's tree.
  readonly #scaleFactor: number | number[];
  readonly #mode: UpsampleMode;
  readonly #alignCorners: boolean;
  readonly #antialias: boolean;

  constructor(
    scaleFactor: number | readonly number[],
    ...rest: OptionalArgs<[mode: UpsampleMode, alignCorners: boolean, antialias: boolean], UpsampleOptions>
  ) {
    super();
    const fn = 'Upsample';
    const o = readOptions(fn, rest, ['mode', 'alignCorners', 'antialias']);
    checkScaleFactor(fn, scaleFactor);
    const mode = o.mode ?? 'nearest';
    if (!modes.includes(mode)) throw new Error(`${fn}: expected mode to be one of 'nearest', 'linear', 'cubic', got ${describeValue(mode)}`);
    this.#scaleFactor = typeof scaleFactor === 'number' ? scaleFactor : scaleFactor.slice();
    this.#mode = mode;
    this.#alignCorners = o.alignCorners ?? false;
    this.#antialias = o.antialias ?? false;
    checkAntialias(fn, this.#alignCorners, this.#antialias);
    if (this.#antialias && mode === 'nearest') throw new Error(`${fn}: antialias is not supported for mode 'nearest'`);
  }

  protected override extraRepr(): string {
    return `scaleFactor=${JSON.stringify(this.#scaleFactor)}, mode='${this.#mode}', alignCorners=${this.#alignCorners}${this.#antialias ? ', antialias=true' : ''}`;
  }

  override forward(x: Array): Array {
    const fn = 'Upsample';
    checkInput(fn, x);
    const dims = x.ndim - 2;
    if (dims <= 0)
      throw new Error(
        `${fn}: expected an input with at least one spatial axis (at least 3 dimensions: batch, spatial..., channels), got shape ${fmtShape(x.shape)}`,
      );
    const sf = this.#scaleFactor;
    if (typeof sf !== 'number' && sf.length !== dims) {
      throw new Error(
        `${fn}: expected one scale per spatial axis, got scaleFactor ${describeValue(sf)} for an input of shape ${fmtShape(x.shape)} with ${dims} spatial axes`,
      );
    }
    const scales = typeof sf === 'number' ? new globalThis.Array<number>(dims).fill(sf) : sf;
    if (this.#mode === 'nearest') return upsampleNearest(x, scales);
    if (this.#mode === 'linear') return upsampleLinear(x, scales, this.#alignCorners, this.#antialias);
    return upsampleCubic(x, scales, this.#alignCorners, this.#antialias);
  }
}
