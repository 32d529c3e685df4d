/**
 * MLX's convolution layers: `Conv1d/2d/3d` and `ConvTranspose1d/2d/3d`, channels-last (inputs
 * [N, ...spatial, C]), weight [outChannels, ...kernelSize, inChannels / groups] drawn from
 * U(-s, s) with s = 1/√(inChannels · prod(kernelSize)), bias zeros, as MLX initialises them.
 */
import { add, Array, conv1d, conv2d, conv3d, convTranspose1d, convTranspose2d, convTranspose3d, describeValue, fmtShape, random, zeros } from '@mlx-ts/core';
import { Module } from '../module.js';
import { checkBool, checkPositiveInt, type OptionalArgs, readOptions } from '../options.js';
import { checkFloating, checkInput } from './checks.js';

type IntOrTuple = number | readonly number[];

export interface ConvOptions {
  stride?: IntOrTuple;
  padding?: IntOrTuple;
  dilation?: IntOrTuple;
  groups?: number;
  bias?: boolean;
}
export interface ConvTransposeOptions {
  stride?: IntOrTuple;
  padding?: IntOrTuple;
  dilation?: IntOrTuple;
  outputPadding?: IntOrTuple;
  bias?: boolean;
}

const layouts = ['NLC', 'NHWC', 'NDHWC'] as const;

/** An int or one int per spatial axis, each at least `min`. */
function tuple(layer: string, name: string, v: unknown, n: number, min: number): number[] {
  const list = typeof v === 'number' ? globalThis.Array<number>(n).fill(v) : v;
  if (!globalThis.Array.isArray(list) || list.length !== n || !list.every((d) => Number.isInteger(d) && d >= min)) {
    throw new Error(`${layer}: ${name} must be an integer >= ${min} or ${n} of them, got ${describeValue(v)}`);
  }
  return list.slice();
}

/** The checks every convolution layer makes on its input before the op's own. */
function checkConvInput(layer: string, x: unknown, nsp: number, inChannels: number): Array {
  const a = checkInput(layer, x);
  checkFloating(layer, a);
  const lay = layouts[nsp - 1]!;
  if (a.ndim !== nsp + 2) {
    throw new Error(`${layer}: expected a ${nsp + 2}-D input in ${lay} layout (C = inChannels = ${inChannels}), got shape ${fmtShape(a.shape)}`);
  }
  if (a.shape[nsp + 1] !== inChannels) {
    const hint = a.shape[1] === inChannels ? '; it looks channels-first: move the channels to the last axis' : '';
    throw new Error(`${layer}: expected an input in ${lay} layout with C = inChannels = ${inChannels} in its last axis, got shape ${fmtShape(a.shape)}${hint}`);
  }
  return a;
}

abstract class ConvBase extends Module {
  weight: Array;
  bias?: Array;
  protected readonly _stride: number[];
  protected readonly _padding: number[];
  protected readonly _dilation: number[];
  protected readonly _layer: string;
  protected readonly _nsp: number;

  protected constructor(
    layer: string,
    nsp: number,
    inChannels: number,
    outChannels: number,
    kernelSize: IntOrTuple,
    o: { stride?: IntOrTuple; padding?: IntOrTuple; dilation?: IntOrTuple; bias?: boolean },
    weightIn: number,
  ) {
    super();
    this._layer = layer;
    this._nsp = nsp;
    checkPositiveInt(layer, 'inChannels', inChannels);
    checkPositiveInt(layer, 'outChannels', outChannels);
    const k = tuple(layer, 'kernelSize', kernelSize, nsp, 1);
    this._stride = tuple(layer, 'stride', o.stride ?? 1, nsp, 1);
    this._padding = tuple(layer, 'padding', o.padding ?? 0, nsp, 0);
    this._dilation = tuple(layer, 'dilation', o.dilation ?? 1, nsp, 1);
    const scale = Math.sqrt(1 / (inChannels * k.reduce((p, q) => p * q, 1)));
    this.weight = random.uniform(-scale, scale, [outChannels, ...k, weightIn]);
    if (checkBool(layer, 'bias', o.bias ?? true)) this.bias = zeros([outChannels]);
  }

  protected withBias(y: Array): Array {
    return this.bias === undefined ? y : add(y, this.bias);
  }

  protected kernelSize(): number[] {
    return this.weight.shape.slice(1, this._nsp + 1);
  }
}

const convOps = [conv1d, conv2d, conv3d] as const;

class ConvN extends ConvBase {
  protected readonly _groups: number;
  private readonly _inChannels: number;

  constructor(layer: string, nsp: number, inChannels: number, outChannels: number, kernelSize: IntOrTuple, rest: readonly unknown[]) {
    const o = readOptions(layer, rest, ['stride', 'padding', 'dilation', 'groups', 'bias']);
    const groups = checkPositiveInt(layer, 'groups', o.groups ?? 1);
    if (inChannels % groups !== 0) throw new Error(`${layer}: inChannels (${inChannels}) must be divisible by groups (${groups})`);
    if (outChannels % groups !== 0) throw new Error(`${layer}: outChannels (${outChannels}) must be divisible by groups (${groups})`);
    super(layer, nsp, inChannels, outChannels, kernelSize, o, inChannels / groups);
    this._groups = groups;
    this._inChannels = inChannels;
  }

  protected override extraRepr(): string {
    return `${this._inChannels}, ${this.weight.shape[0]}, kernelSize=${JSON.stringify(this.kernelSize())}, stride=${JSON.stringify(this._stride)}, padding=${JSON.stringify(this._padding)}, dilation=${JSON.stringify(this._dilation)}, groups=${this._groups}, bias=${this.bias !== undefined}`;
  }

  override forward(x: Array): Array {
    const a = checkConvInput(this._layer, x, this._nsp, this._inChannels);
    return this.withBias(convOps[this._nsp - 1]!(a, this.weight, this._stride, this._padding, this._dilation, this._groups));
  }
}

const convTransposeOps = [convTranspose1d, convTranspose2d, convTranspose3d] as const;

class ConvTransposeN extends ConvBase {
  protected readonly _outputPadding: number[];

  constructor(layer: string, nsp: number, inChannels: number, outChannels: number, kernelSize: IntOrTuple, rest: readonly unknown[]) {
    const o = readOptions(layer, rest, ['stride', 'padding', 'dilation', 'outputPadding', 'bias']);
    super(layer, nsp, inChannels, outChannels, kernelSize, o, inChannels);
    this._outputPadding = tuple(layer, 'outputPadding', o.outputPadding ?? 0, nsp, 0);
  }

  protected override extraRepr(): string {
    return `${this.weight.shape[this._nsp + 1]}, ${this.weight.shape[0]}, kernelSize=${JSON.stringify(this.kernelSize())}, stride=${JSON.stringify(this._stride)}, padding=${JSON.stringify(this._padding)}, dilation=${JSON.stringify(this._dilation)}, outputPadding=${JSON.stringify(this._outputPadding)}, bias=${this.bias !== undefined}`;
  }

  override forward(x: Array): Array {
    const a = checkConvInput(this._layer, x, this._nsp, this.weight.shape[this._nsp + 1]!);
    return this.withBias(convTransposeOps[this._nsp - 1]!(a, this.weight, this._stride, this._padding, this._dilation, this._outputPadding));
  }
}

type ConvArgs = OptionalArgs<[stride: IntOrTuple, padding: IntOrTuple, dilation: IntOrTuple, groups: number, bias: boolean], ConvOptions>;
type ConvTransposeArgs = OptionalArgs<
  [stride: IntOrTuple, padding: IntOrTuple, dilation: IntOrTuple, outputPadding: IntOrTuple, bias: boolean],
  ConvTransposeOptions
>;

/** `Conv1d(inChannels, outChannels, kernelSize, stride=1, padding=0, dilation=1, groups=1, bias=true)` on [N, L, C]. */
export class Conv1d extends ConvN {
  constructor(inChannels: number, outChannels: number, kernelSize: number, ...rest: ConvArgs) {
    super('Conv1d', 1, inChannels, outChannels, kernelSize, rest);
  }
}
/** `Conv2d(inChannels, outChannels, kernelSize, stride=1, padding=0, dilation=1, groups=1, bias=true)` on [N, H, W, C]; ints or pairs. */
export class Conv2d extends ConvN {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, ...rest: ConvArgs) {
    super('Conv2d', 2, inChannels, outChannels, kernelSize, rest);
  }
}
/** `Conv3d(inChannels, outChannels, kernelSize, stride=1, padding=0, dilation=1, groups=1, bias=true)` on [N, D, H, W, C]; ints or triples. */
export class Conv3d extends ConvN {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, ...rest: ConvArgs) {
    super('Conv3d', 3, inChannels, outChannels, kernelSize, rest);
  }
}
/** `ConvTranspose1d(inChannels, outChannels, kernelSize, stride=1, padding=0, dilation=1, outputPadding=0, bias=true)` (MLX's: no groups). */
export class ConvTranspose1d extends ConvTransposeN {
  constructor(inChannels: number, outChannels: number, kernelSize: number, ...rest: ConvTransposeArgs) {
    super('ConvTranspose1d', 1, inChannels, outChannels, kernelSize, rest);
  }
}
/** `ConvTranspose2d(inChannels, outChannels, kernelSize, stride=1, padding=0, dilation=1, outputPadding=0, bias=true)`; ints or pairs. */
export class ConvTranspose2d extends ConvTransposeN {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, ...rest: ConvTransposeArgs) {
    super('ConvTranspose2d', 2, inChannels, outChannels, kernelSize, rest);
  }
}
/** `ConvTranspose3d(inChannels, outChannels, kernelSize, stride=1, padding=0, dilation=1, outputPadding=0, bias=true)`; ints or triples. */
export class ConvTranspose3d extends ConvTransposeN {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, ...rest: ConvTransposeArgs) {
    super('ConvTranspose3d', 3, inChannels, outChannels, kernelSize, rest);
  }
}
