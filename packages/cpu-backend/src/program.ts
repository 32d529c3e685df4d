/**
 * Encodes a run of steps into one Float64Array for a single native call. Every number is an
 * integer except the float parameters (pad's value, arange's start and step), and a double holds
 * every integer up to 2^53, so one array carries it all:
 *
 *   step   := opcode, dtype, ndim, shape[ndim], out, nInputs, input[nInputs], nParams, params[nParams]
 *   out    := -1 for a new buffer; b, byteOffset to write into buffers[b] at byteOffset
 *   input  := source, dtype, ndim, shape[ndim], strides[ndim], offset
 *   source := b >= 0 for buffers[b]; -(j + 1) for the output of step j of this program
 *
 * Dtypes are `Dtype.code`; opcodes index the addon's `opNames`. native/program.cc decodes and
 * validates it.
 *
 * Small outputs do not get a buffer each: a new ArrayBuffer costs about a microsecond (more than a
 * small step), so outputs of at most `smallBytes` are placed in a shared slab and their storage is
 * a `SlabStorage` window onto it. A slab stays alive while any window onto it is reachable, which
 * bounds what a surviving small array can pin to one slab (`slabBytes`).
 */
import {
  argReductions,
  binaryPredicate,
  binarySameDtype,
  type CompiledParams,
  type KernelPrimitive,
  type Params,
  reductions,
  type ScanParams,
  type ScatterMode,
  scans,
  type Step,
  table,
  unaryPredicate,
  unarySameDtype,
  type View,
} from '@mlx-ts/core';
import { addon } from './addon.js';
import { kernelIdFor } from './jit/compiler.js';

/** Storage of a small array: `byteLength` bytes of a shared slab from `byteOffset` (a multiple of 8). */
export class SlabStorage {
  /** Set by `release`: the window is dead even though the slab lives on. */
  released = false;
  constructor(
    readonly buffer: ArrayBuffer,
    readonly byteOffset: number,
    readonly byteLength: number,
  ) {}
}

/** Outputs of at most this many bytes go into a slab. */
const smallBytes = 64;
const slabBytes = 2048;
let slab = new ArrayBuffer(0);
let slabUsed = 0;
/** The current slab's index in this program's `buffers`, or -1 when not passed yet. */
let slabIndex = -1;

export const opcodes: ReadonlyMap<string, number> = new Map(addon.opNames.map((name, i) => [name, i]));

/**
 * How a primitive's params become the numbers after a step's inputs (`nParams, params...`), read
 * by native/program.cc. Typed over every primitive that reaches a kernel, so a new primitive
 * without its layout does not compile. Each entry documents its layout.
 */
type ParamEncoder<P extends KernelPrimitive> = (params: Params<P>, ndim: number, inputs: readonly View[]) => readonly number[];
const none = (): readonly number[] => noParams;
/** [axis] */
const axis = (p: { axis: number }): readonly number[] => [p.axis];
/** [axes...] (reduced axes, kept as size 1) */
const axes = (p: { axes: readonly number[] }): readonly number[] => p.axes;
/** [axis, reverse, inclusive] */
const scan = (p: ScanParams): readonly number[] => [p.axis, p.reverse ? 1 : 0, p.inclusive ? 1 : 0];
/** [axis, mode] with mode in native/gather.cc's order */
const scatter = (p: { axis: number; mode: ScatterMode }): readonly number[] => [p.axis, scatterModes[p.mode]];

const paramEncoders: { readonly [P in KernelPrimitive]: ParamEncoder<P> } = {
  ...table(unarySameDtype, none),
  ...table(unaryPredicate, none),
  ...table(binarySameDtype, none),
  ...table(binaryPredicate, none),
  ...table(reductions, axes),
  ...table(argReductions, axis),
  ...table(scans, scan),
  astype: none, // the target is the step's dtype
  where: none,
  sort: axis,
  argsort: axis,
  softmax: axis,
  logsumexp: axis,
  concatenate: axis,
  gather: axis,
  gatherAxis: axis,
  scatter,
  scatterAxis: scatter,
  matmul: none,
  randomBits: none, // the shape is the step's
  /** [low..., high..., value] */
  pad: (p, ndim) => {
    if (p.low.length !== ndim || p.high.length !== ndim) throw new Error(`cpu backend: pad needs ${ndim} low and high widths`);
    return [...p.low, ...p.high, p.value];
  },
  /** [start, step] (n and dtype are the step's shape and dtype) */
  arange: (p) => [p.start, p.step],
  compiled: (p, _ndim, inputs) => compiledParams(p, inputs),
  /** [groups, flip, stride..., paddingLow..., paddingHigh..., kernelDilation..., inputDilation...], one entry per spatial axis (ndim - 2 of them) */
  convolution: (p) => [p.groups, p.flip ? 1 : 0, ...p.stride, ...p.paddingLow, ...p.paddingHigh, ...p.kernelDilation, ...p.inputDilation],
};
// The addon and core must agree on the primitives: a stale build would misread every program.
const encoders: ParamEncoder<any>[] = addon.opNames.map((name) => {
  const e = (paramEncoders as Record<string, ParamEncoder<any>>)[name];
  if (e === undefined) throw new Error(`@mlx-ts/cpu-backend: the addon runs '${name}', which is not a kernel primitive of @mlx-ts/core; rebuild the addon`);
  return e;
});

/** Scatter modes in native/gather.cc's order. */
const scatterModes: Record<ScatterMode, number> = { set: 0, add: 1, multiply: 2, maximum: 3, minimum: 4 };

/** The program being built; reused across calls, since the addon copies what it reads. */
let program = new Float64Array(1024);
let length = 0;
let buffers: ArrayBuffer[] = [];

function reserve(n: number): void {
  if (length + n <= program.length) return;
  const grown = new Float64Array(Math.max(length + n, program.length * 2));
  grown.set(program.subarray(0, length));
  program = grown;
}

/**
 * Storage placed in a slab by the steps encoded so far, by their index in the program (undefined
 * for steps that get a new buffer, which the addon returns in order).
 */
let placed: (SlabStorage | undefined)[] = [];
let stepCount = 0;

export function beginProgram(): void {
  length = 0;
  buffers = [];
  slabIndex = -1;
  placed = [];
  stepCount = 0;
}

export interface EncodedProgram {
  readonly program: Float64Array;
  readonly length: number;
  readonly buffers: ArrayBuffer[];
  /** One entry per step: its slab storage, or undefined where the addon returns a new buffer. */
  readonly placed: readonly (SlabStorage | undefined)[];
  readonly steps: number;
}

/** The encoded program: pass `program` and `length` to the addon with `buffers`. */
export function finishProgram(): EncodedProgram {
  return { program, length, buffers, placed, steps: stepCount };
}

/** The storage of each step of `p`, given the new buffers the addon returned for it. */
export function programOutputs(p: EncodedProgram, fresh: readonly ArrayBuffer[]): unknown[] {
  const out = new Array<unknown>(p.steps);
  let j = 0;
  for (let k = 0; k < p.steps; k++) out[k] = p.placed[k] ?? fresh[j++];
  if (j !== fresh.length) throw new Error(`cpu backend: internal error: the addon returned ${fresh.length} buffers for ${j} outputs`);
  return out;
}

function notStorage(handle: unknown, prim: string): Error {
  return new Error(`cpu backend: an input of '${prim}' is not storage of the cpu backend (expected an ArrayBuffer, got ${describe(handle)})`);
}

export function releasedError(what: string): Error {
  return new Error(`cpu backend: ${what} reads storage that was released (its array was disposed)`);
}

/** The lowest and one past the highest element a view reads (both equal when it reads none). */
function viewExtent(shape: readonly number[], strides: readonly number[], offset: number): [number, number] {
  let lo = offset;
  let hi = offset;
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (n === 0) return [offset, offset];
    const e = (n - 1) * strides[d]!;
    if (e < 0) lo += e;
    else hi += e;
  }
  return [lo, hi + 1];
}

/**
 * Passes the buffer behind a storage handle and returns its index in `buffers`, leaving in
 * `inputShift` the element offset of the handle's start there. Slab windows are bounds-checked
 * here, since the addon only sees the whole slab.
 */
function pushStorage(handle: unknown, v: View, prim: string): number {
  if (handle instanceof ArrayBuffer) {
    inputShift = 0;
    return buffers.push(handle) - 1;
  }
  if (!(handle instanceof SlabStorage)) throw notStorage(handle, prim);
  if (handle.released) throw releasedError(`'${prim}'`);
  const item = v.dtype.size;
  const n = v.shape.length;
  if (n > 0 || v.offset !== 0 || handle.byteLength < item) {
    const [lo, hi] = viewExtent(v.shape, v.strides, v.offset);
    if (hi > lo && (lo < 0 || hi * item > handle.byteLength)) {
      throw new Error(`cpu backend: '${prim}': an input addresses elements outside its storage; the view's offset and strides do not fit a buffer of ${handle.byteLength} bytes`);
    }
  }
  inputShift = handle.byteOffset / item;
  return handle.buffer === slab && slabIndex >= 0 ? slabIndex : buffers.push(handle.buffer) - 1;
}
/** Set by `pushStorage`: what to add to the view's offset. */
let inputShift = 0;

export function describe(x: unknown): string {
  return x === null ? 'null' : typeof x === 'object' ? (x.constructor?.name ?? 'object') : typeof x;
}

function encodeInput(v: View, stepIndex: number, first: number, earlier: readonly unknown[], prim: string): void {
  const src = v.source;
  let source: number;
  inputShift = 0;
  if (src.kind === 'storage') {
    source = pushStorage(src.handle, v, prim);
  } else {
    const j = src.index;
    if (!(j >= 0 && j < stepIndex)) throw new Error(`cpu backend: step ${stepIndex} ('${prim}') reads step ${j}, which does not run before it`);
    // Steps before this program ran already (in an earlier native call or as JS kernels).
    source = j >= first ? -(j - first) - 1 : pushStorage(earlier[j], v, prim);
  }
  const shape = v.shape;
  const strides = v.strides;
  const nd = shape.length;
  const p = program;
  let i = length;
  p[i++] = source;
  p[i++] = v.dtype.code;
  p[i++] = nd;
  for (let d = 0; d < nd; d++) p[i++] = shape[d]!;
  for (let d = 0; d < nd; d++) p[i++] = strides[d]!;
  p[i++] = v.offset + inputShift;
  length = i;
}

/** Encodes where a step's output of `bytes` bytes goes (the slab, or a new buffer) at `i`; returns the next index. */
function placeOutput(bytes: number, i: number): number {
  const p = program;
  if (bytes > smallBytes || !placing) {
    p[i++] = -1;
    placed.push(undefined);
    return i;
  }
  let at = (slabUsed + 7) & ~7;
  if (at + bytes > slab.byteLength || slab.byteLength === 0) {
    slab = new ArrayBuffer(slabBytes);
    at = 0;
    slabIndex = -1;
  }
  if (slabIndex < 0) slabIndex = buffers.push(slab) - 1;
  slabUsed = at + bytes;
  p[i++] = slabIndex;
  p[i++] = at;
  placed.push(new SlabStorage(slab, at, bytes));
  return i;
}

/** Whether small outputs go into slabs (off for `toHost`'s copies, which it reads at once). */
let placing = true;
export function placeSmallOutputs(on: boolean): void {
  placing = on;
}

/**
 * Appends step `stepIndex` of the caller's list; `first` is the index of this program's first
 * step there, and `earlier` holds the storage of the steps before it.
 */
export function encodeStep(step: Step, opcode: number, stepIndex: number, first: number, earlier: readonly unknown[]): void {
  const shape = step.shape;
  const inputs = step.inputs;
  let need = 6 + shape.length;
  for (let k = 0; k < inputs.length; k++) need += 4 + 2 * inputs[k]!.shape.length;
  reserve(need);
  const p = program;
  let i = length;
  p[i++] = opcode;
  p[i++] = step.dtype.code;
  p[i++] = shape.length;
  let n = 1;
  for (let d = 0; d < shape.length; d++) n *= p[i++] = shape[d]!;
  i = placeOutput(n * step.dtype.size, i);
  stepCount++;
  p[i++] = inputs.length;
  length = i;
  for (let k = 0; k < inputs.length; k++) encodeInput(inputs[k]!, stepIndex, first, earlier, step.prim);
  write(encoders[opcode]!(step.params, shape.length, inputs));
}

/**
 * Kernel id (-1: interpret), nInputs, nInstrs, then per instruction: opcode (-1 for a constant),
 * dtype, nArgs, args, value. All but the id are encoded once per program.
 */
function compiledParams(p: CompiledParams, inputs: readonly View[]): number[] {
  let out = encodedPrograms.get(p);
  if (out === undefined) {
    out = [-1, p.nInputs, p.instrs.length];
    for (const ins of p.instrs) {
      const op = ins.op === 'constant' ? -1 : opcodes.get(ins.op);
      if (op === undefined) throw new Error(`cpu backend: compiled program '${p.name}' uses '${ins.op}', which is not an elementwise primitive`);
      out.push(op, ins.dtype.code, ins.args.length, ...ins.args, ins.value ?? 0);
    }
    encodedPrograms.set(p, out);
  }
  out[0] = kernelIdFor(p, inputs);
  return out;
}
const encodedPrograms = new WeakMap<CompiledParams, number[]>();

const noParams: readonly number[] = [];

function write(values: readonly number[]): void {
  reserve(1 + values.length);
  const p = program;
  let i = length;
  p[i++] = values.length;
  for (let k = 0; k < values.length; k++) p[i++] = values[k]!;
  length = i;
}
