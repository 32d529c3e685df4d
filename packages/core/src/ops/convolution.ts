/**
 * Convolutions, channels-last as MLX: input [N, ...spatial, C_in], weight [C_out, ...kernel,
 * C_in / groups], output [N, ...spatial', C_out]. Every op validates here and builds one
 * `convolution` node; transposed convolutions are convolutions of the input dilated by the stride
 * with the flipped kernel (MLX's conv_transpose_general).
 */
import type { Array } from '../array.js';
import type { StreamOrDevice } from '../device.js';
import { promoteTypes } from '../dtype.js';
import { node } from '../graph.js';
import { type ConvolutionParams, convOutputSpatial, dilatedSize } from '../ir/primitives.js';
import { describeValue } from '../describe.js';
import { fmtShape } from '../shape.js';
import { type ArrayInput, astype, matchesKind, type OptArgs, parseOpts, toArray } from './convert.js';

type IntOrTuple = number | readonly number[];
/** `[low, high]`: one list of widths before and one after each spatial axis. */
type Padding = IntOrTuple | readonly [readonly number[], readonly number[]];

export interface ConvOpts {
  stride?: IntOrTuple;
  padding?: IntOrTuple;
  dilation?: IntOrTuple;
  groups?: number;
  stream?: StreamOrDevice | null;
}
export interface ConvTransposeOpts extends ConvOpts {
  outputPadding?: IntOrTuple;
}
export interface ConvGeneralOpts {
  stride?: IntOrTuple;
  padding?: Padding;
  kernelDilation?: IntOrTuple;
  inputDilation?: IntOrTuple;
  groups?: number;
  flip?: boolean;
  stream?: StreamOrDevice | null;
}

/** An int or one int per spatial axis, each at least `min`. */
function perAxis(fn: string, name: string, v: unknown, n: number, min: number): number[] {
  const list = typeof v === 'number' ? globalThis.Array<number>(n).fill(v) : v;
  if (!globalThis.Array.isArray(list) || list.length !== n || !list.every((x) => Number.isInteger(x) && x >= min)) {
    throw new Error(`${fn}: expected ${name} to be an integer >= ${min} or a list of ${n} such integers, got ${describeValue(v)}`);
  }
  return list.slice();
}

const layout = (nsp: number): string => ['NLC', 'NHWC', 'NDHWC'][nsp - 1]!;

/** convGeneral's padding: one width (or one per axis) for both sides, or `[low, high]` lists. */
const generalPadding = {
  what: 'an integer, a list of integers, or [low, high] lists',
  test: (v: unknown) =>
    matchesKind('ints', v) || (globalThis.Array.isArray(v) && v.length === 2 && v.every((e) => globalThis.Array.isArray(e) && matchesKind('ints', e))),
};

/** Validates input and weight against each other and builds the node. */
function convolve(fn: string, input: ArrayInput, weight: ArrayInput, nsp: number | null, p: ConvolutionParams, s: StreamOrDevice | null | undefined): Array {
  let x = toArray(fn, input);
  let w = toArray(fn, weight);
  const n = nsp ?? x.ndim - 2;
  if (n < 1 || n > 3) {
    throw new Error(`${fn}: expected an input of 3 to 5 dimensions ([N, ...spatial, C] with 1 to 3 spatial axes), got shape ${fmtShape(x.shape)}`);
  }
  const lay = layout(n);
  if (x.ndim !== n + 2) throw new Error(`${fn}: expected a ${n + 2}-D input in ${lay} layout, got shape ${fmtShape(x.shape)}`);
  if (w.ndim !== n + 2) {
    throw new Error(`${fn}: expected a ${n + 2}-D weight [C_out, ${['K', 'KH, KW', 'KD, KH, KW'][n - 1]}, C_in / groups], got shape ${fmtShape(w.shape)}`);
  }
  if (w.shape.slice(1, n + 1).some((k) => k === 0))
    throw new Error(`${fn}: expected a kernel of at least one element per spatial axis, got weight ${fmtShape(w.shape)}`);
  const dt = promoteTypes(x.dtype, w.dtype);
  if (!dt.isFloating) throw new Error(`${fn}: only floating-point arrays are supported, got ${x.dtype.name} and ${w.dtype.name} (cast with astype first)`);
  const g = p.groups;
  const cin = x.shape[n + 1]!,
    cout = w.shape[0]!,
    cw = w.shape[n + 1]!;
  if (cin !== cw * g) {
    const hint = x.shape[1] === cw * g ? ` (the input looks channels-first; ${fn} expects ${lay}: transpose it so the channels come last)` : '';
    throw new Error(
      `${fn}: expected an input in ${lay} layout with C = ${cw * g} channels (weight ${fmtShape(w.shape)}: C_in / groups = ${cw}, groups = ${g}), got input ${fmtShape(x.shape)} with ${cin} in its last axis${hint}`,
    );
  }
  if (cout % g !== 0) throw new Error(`${fn}: the output channels (${cout}) must be divisible by groups (${g})`);
  for (const [name, v] of Object.entries({
    stride: p.stride,
    paddingLow: p.paddingLow,
    paddingHigh: p.paddingHigh,
    kernelDilation: p.kernelDilation,
    inputDilation: p.inputDilation,
  })) {
    if (v.length !== n) throw new Error(`${fn}: expected ${name} to have ${n} entries, one per spatial axis, got ${v.length}`);
  }
  const out = convOutputSpatial(x.shape, w.shape, p);
  out.forEach((o, i) => {
    if (o < 1) {
      const span = dilatedSize(x.shape[i + 1]!, p.inputDilation[i]!) + p.paddingLow[i]! + p.paddingHigh[i]!;
      throw new Error(
        `${fn}: spatial axis ${i} of the input is ${span} after dilation and padding, smaller than the dilated kernel (${dilatedSize(w.shape[i + 1]!, p.kernelDilation[i]!)}); input ${fmtShape(x.shape)}, weight ${fmtShape(w.shape)}`,
      );
    }
  });
  x = astype(x, dt, s);
  w = astype(w, dt, s);
  return node('convolution', [x, w], p, s);
}

function convN(fn: string, nsp: number, input: ArrayInput, weight: ArrayInput, args: readonly unknown[]): Array {
  const o = parseOpts(fn, args, ['stride', 'padding', 'dilation', 'groups']);
  const groups: number = o.groups ?? 1;
  const pad = perAxis(fn, 'padding', o.padding ?? 0, nsp, 0);
  return convolve(
    fn,
    input,
    weight,
    nsp,
    {
      stride: perAxis(fn, 'stride', o.stride ?? 1, nsp, 1),
      paddingLow: pad,
      paddingHigh: pad.slice(),
      kernelDilation: perAxis(fn, 'dilation', o.dilation ?? 1, nsp, 1),
      inputDilation: globalThis.Array<number>(nsp).fill(1),
      groups,
      flip: false,
    },
    o.stream,
  );
}

type ConvArgs = OptArgs<[stride?: IntOrTuple, padding?: IntOrTuple, dilation?: IntOrTuple, groups?: number], ConvOpts>;

/** `conv1d(input [N, L, C_in], weight [C_out, K, C_in / groups], stride=1, padding=0, dilation=1, groups=1)`. */
export function conv1d(input: ArrayInput, weight: ArrayInput, ...args: ConvArgs): Array {
  return convN('conv1d', 1, input, weight, args);
}
/** `conv2d(input [N, H, W, C_in], weight [C_out, KH, KW, C_in / groups], stride=1, padding=0, dilation=1, groups=1)`; ints or pairs. */
export function conv2d(input: ArrayInput, weight: ArrayInput, ...args: ConvArgs): Array {
  return convN('conv2d', 2, input, weight, args);
}
/** `conv3d(input [N, D, H, W, C_in], weight [C_out, KD, KH, KW, C_in / groups], ...)`; ints or triples. */
export function conv3d(input: ArrayInput, weight: ArrayInput, ...args: ConvArgs): Array {
  return convN('conv3d', 3, input, weight, args);
}

function convTransposeN(fn: string, nsp: number, input: ArrayInput, weight: ArrayInput, args: readonly unknown[]): Array {
  const o = parseOpts(fn, args, ['stride', 'padding', 'dilation', 'outputPadding', 'groups']);
  const stride = perAxis(fn, 'stride', o.stride ?? 1, nsp, 1);
  const pad = perAxis(fn, 'padding', o.padding ?? 0, nsp, 0);
  const dil = perAxis(fn, 'dilation', o.dilation ?? 1, nsp, 1);
  const outPad = perAxis(fn, 'outputPadding', o.outputPadding ?? 0, nsp, 0);
  const groups: number = o.groups ?? 1;
  const w = toArray(fn, weight);
  if (w.ndim !== nsp + 2) {
    throw new Error(`${fn}: expected a ${nsp + 2}-D weight [C_out, ${['K', 'KH, KW', 'KD, KH, KW'][nsp - 1]}, C_in / groups], got shape ${fmtShape(w.shape)}`);
  }
  outPad.forEach((op, i) => {
    if (op >= Math.max(stride[i]!, dil[i]!)) {
      throw new Error(`${fn}: outputPadding (${op}) must be smaller than the stride (${stride[i]}) or the dilation (${dil[i]}) along spatial axis ${i}`);
    }
  });
  // The transpose of a strided correlation: dilate the input by the stride, pad by the kernel's
  // reach less the forward padding, and run the flipped kernel at stride 1.
  const low = pad.map((pd, i) => dilatedSize(w.shape[i + 1]!, dil[i]!) - 1 - pd);
  low.forEach((l, i) => {
    if (l < 0)
      throw new Error(`${fn}: padding (${pad[i]}) along spatial axis ${i} exceeds the dilated kernel's reach (${dilatedSize(w.shape[i + 1]!, dil[i]!) - 1})`);
  });
  return convolve(
    fn,
    input,
    w,
    nsp,
    {
      stride: globalThis.Array<number>(nsp).fill(1),
      paddingLow: low,
      paddingHigh: low.map((l, i) => l + outPad[i]!),
      kernelDilation: dil,
      inputDilation: stride,
      groups,
      flip: true,
    },
    o.stream,
  );
}

type ConvTransposeArgs = OptArgs<
  [stride?: IntOrTuple, padding?: IntOrTuple, dilation?: IntOrTuple, outputPadding?: IntOrTuple, groups?: number],
  ConvTransposeOpts
>;

/** `convTranspose1d(input [N, L, C_in], weight [C_out, K, C_in / groups], stride=1, padding=0, dilation=1, outputPadding=0, groups=1)`. */
export function convTranspose1d(input: ArrayInput, weight: ArrayInput, ...args: ConvTransposeArgs): Array {
  return convTransposeN('convTranspose1d', 1, input, weight, args);
}
/** `convTranspose2d(input [N, H, W, C_in], weight [C_out, KH, KW, C_in / groups], ...)`; ints or pairs. */
export function convTranspose2d(input: ArrayInput, weight: ArrayInput, ...args: ConvTransposeArgs): Array {
  return convTransposeN('convTranspose2d', 2, input, weight, args);
}
/** `convTranspose3d(input [N, D, H, W, C_in], weight [C_out, KD, KH, KW, C_in / groups], ...)`; ints or triples. */
export function convTranspose3d(input: ArrayInput, weight: ArrayInput, ...args: ConvTransposeArgs): Array {
  return convTransposeN('convTranspose3d', 3, input, weight, args);
}

/**
 * `convGeneral(input, weight, stride=1, padding=0, kernelDilation=1, inputDilation=1, groups=1, flip=false)`:
 * any of 1 to 3 spatial axes (the input's rank decides); padding is an int, one int per axis, or
 * `[low, high]` lists.
 */
export function convGeneral(
  input: ArrayInput,
  weight: ArrayInput,
  ...args: OptArgs<
    [stride?: IntOrTuple, padding?: Padding, kernelDilation?: IntOrTuple, inputDilation?: IntOrTuple, groups?: number, flip?: boolean],
    ConvGeneralOpts
  >
): Array {
  const fn = 'convGeneral';
  const o = parseOpts(fn, args, ['stride', 'padding', 'kernelDilation', 'inputDilation', 'groups', 'flip'], { padding: generalPadding });
  const x = toArray(fn, input);
  const nsp = x.ndim - 2;
  if (nsp < 1 || nsp > 3) {
    throw new Error(`${fn}: expected an input of 3 to 5 dimensions ([N, ...spatial, C] with 1 to 3 spatial axes), got shape ${fmtShape(x.shape)}`);
  }
  const padding: unknown = o.padding ?? 0;
  const pair = globalThis.Array.isArray(padding) && padding.length === 2 && padding.every((v) => globalThis.Array.isArray(v));
  const low = perAxis(fn, 'padding', pair ? (padding as unknown[])[0] : padding, nsp, 0);
  const high = pair ? perAxis(fn, 'padding', (padding as unknown[])[1], nsp, 0) : low.slice();
  return convolve(
    fn,
    x,
    weight,
    nsp,
    {
      stride: perAxis(fn, 'stride', o.stride ?? 1, nsp, 1),
      paddingLow: low,
      paddingHigh: high,
      kernelDilation: perAxis(fn, 'kernelDilation', o.kernelDilation ?? 1, nsp, 1),
      inputDilation: perAxis(fn, 'inputDilation', o.inputDilation ?? 1, nsp, 1),
      groups: o.groups ?? 1,
      flip: o.flip ?? false,
    },
    o.stream,
  );
}
