/**
 * Encodes a run of steps into one Float64Array for a single native call. Every number is an
 * integer except the float parameters (pad's value, arange's start and step), and a double holds
 * every integer up to 2^53, so one array carries it all:
 *
 *   step   := opcode, output, nExtra, output[nExtra], nInputs, input[nInputs], nParams, params[nParams]
 *   output := dtype, ndim, shape[ndim], place
 *   place  := -1 for a new buffer; b, byteOffset to write into buffers[b] at byteOffset; -2 - j to
 *             write over output slot j of this program (a donated intermediate: no later step reads it)
 *   input  := source, dtype, ndim, shape[ndim], strides[ndim], offset
 *   source := b >= 0 for buffers[b]; -(j + 1) for output slot j of this program
 *
 * A step has one output slot, a multi-output step (`nExtra` > 0) one per output; slots are
 * numbered in step order, as core's `Source.index` numbers them.
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
  describeValue,
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
 * Kernels that may write their output over a donated input (`Step.donate`): each reads an
 * input element only at the position of the output element it computes, before writing it
 * (the elementwise families, `where`, and compiled programs, whose interpreter and generated
 * kernels both load a tile's or an element's inputs before storing its result), so an output
 * laid over an input of the same shape and element size reads every value before it is
 * overwritten. Complex steps are left out (their kernels pack pairs through scratch).
 */
const donatable: ReadonlySet<string> = new Set([...addon.elementwiseOps.map((op) => op.name), 'where', 'compiled']);

/** Buffers an executeAsync is using (index.ts): a donation into one would race its kernels. */
export const inFlight = new Map<ArrayBuffer, number>();

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
  divmod: none,
  /** [k] (along the last axis) */
  topk: (p) => [p.k],
  /** [group, reduction: 0 sum, 1 max, 2 min] */
  allReduce: (p) => [p.group, { sum: 0, max: 1, min: 2 }[p.reduce]],
  /** [group] */
  allGather: (p) => [p.group],
  /** [group, dst] */
  send: (p) => [p.group, p.dst],
  /** [group, src] (shape and dtype are the step's) */
  recv: (p) => [p.group, p.src],
  /** [groups, flip, stride..., paddingLow..., paddingHigh..., kernelDilation..., inputDilation...], one entry per spatial axis (ndim - 2 of them) */
  convolution: (p) => [p.groups, p.flip ? 1 : 0, ...p.stride, ...p.paddingLow, ...p.paddingHigh, ...p.kernelDilation, ...p.inputDilation],
  /** [groupSize, bits, transpose] */
  quantizedMatmul: (p) => [p.groupSize, p.bits, p.transpose ? 1 : 0],
  /** [eps] */
  rmsNorm: (p) => [p.eps],
  /** [eps] */
  layerNorm: (p) => [p.eps],
  /** [dims, traditional, base, scale, forward] */
  rope: (p) => [p.dims, p.traditional ? 1 : 0, p.base, p.scale, p.forward ? 1 : 0],
  /** [scale, causal] */
  scaledDotProductAttention: (p) => [p.scale, p.causal ? 1 : 0],
  view: none, // the target is the step's dtype
  qr: none,
  svd: none,
  inv: none,
  /** [upper] */
  triInv: (p) => [p.upper ? 1 : 0],
  /** [upper] */
  cholesky: (p) => [p.upper ? 1 : 0],
  /** [upper: 1 for UPLO 'U'] */
  eigh: (p) => [p.uplo === 'U' ? 1 : 0],
  luFactor: none,
  imag: none,
  conjugate: none,
  /** [naxes, axes..., n..., inverse, real] */
  fft: (p) => [p.axes.length, ...p.axes, ...p.n, p.inverse ? 1 : 0, p.real ? 1 : 0],
  eig: none,
  eigvals: none,
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
 * Storage placed in a slab by the outputs encoded so far, by their slot in the program (undefined
 * for outputs that get a new buffer, which the addon returns in order).
 */
let placed: (SlabStorage | ArrayBuffer | number | undefined)[] = [];
let slotCount = 0;

export function beginProgram(): void {
  length = 0;
  buffers = [];
  slabIndex = -1;
  placed = [];
  slotCount = 0;
}

export interface EncodedProgram {
  readonly program: Float64Array;
  readonly length: number;
  readonly buffers: ArrayBuffer[];
  /**
   * One entry per output slot: its slab storage, the donated input's buffer it was written into,
   * the earlier slot of this program whose buffer it was written over (a donated intermediate), or
   * undefined where the addon returns a new buffer.
   */
  readonly placed: readonly (SlabStorage | ArrayBuffer | number | undefined)[];
  readonly slots: number;
}

/** The encoded program: pass `program` and `length` to the addon with `buffers`. */
export function finishProgram(): EncodedProgram {
  return { program, length, buffers, placed, slots: slotCount };
}

/** The storage of each output slot of `p`, given the new buffers the addon returned for it. */
export function programOutputs(p: EncodedProgram, fresh: readonly ArrayBuffer[]): unknown[] {
  const out = new Array<unknown>(p.slots);
  let j = 0;
  for (let k = 0; k < p.slots; k++) {
    const at = p.placed[k];
    out[k] = typeof at === 'number' ? out[at] : (at ?? fresh[j++]);
  }
  if (j !== fresh.length) throw new Error(`cpu backend: internal error: the addon returned ${fresh.length} buffers for ${j} outputs`);
  return out;
}

function notStorage(handle: unknown, prim: string): Error {
  return new Error(`cpu backend: an input of '${prim}' is not storage of the cpu backend (expected an ArrayBuffer, got ${describeValue(handle)})`);
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
      throw new Error(
        `cpu backend: '${prim}': an input addresses elements outside its storage; the view's offset and strides do not fit a buffer of ${handle.byteLength} bytes`,
      );
    }
  }
  inputShift = handle.byteOffset / item;
  return handle.buffer === slab && slabIndex >= 0 ? slabIndex : buffers.push(handle.buffer) - 1;
}
/** Set by `pushStorage`: what to add to the view's offset. */
let inputShift = 0;

function encodeInput(v: View, slot: number, first: number, earlier: readonly unknown[], prim: string): void {
  const src = v.source;
  let source: number;
  inputShift = 0;
  if (src.kind === 'storage') {
    source = pushStorage(src.handle, v, prim);
  } else {
    const j = src.index;
    if (!(j >= 0 && j < slot)) throw new Error(`cpu backend: '${prim}' (output slot ${slot}) reads output slot ${j}, which is not made before it`);
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

/** Encodes one output (dtype, shape, place) at `i`; returns the next index. */
function encodeOutput(shape: readonly number[], dtype: Step['dtype'], i: number): number {
  const p = program;
  p[i++] = dtype.code;
  p[i++] = shape.length;
  let n = 1;
  for (let d = 0; d < shape.length; d++) n *= p[i++] = shape[d]!;
  slotCount++;
  return placeOutput(n * dtype.size, i);
}

/**
 * Where this kernel may write its output over the input `step.donate` names: that input's buffer,
 * or the slot of this program (counted from its first, `first` in the caller's list) that
 * computes it; null when it may not.
 */
function donatedPlace(step: Step, first: number): ArrayBuffer | number | null {
  const v = step.inputs[step.donate!];
  if (v === undefined || !donatable.has(step.prim) || step.dtype.isComplex) return null;
  for (const x of step.inputs) if (x.dtype.isComplex) return null;
  let n = 1;
  for (let d = 0; d < step.shape.length; d++) n *= step.shape[d]!;
  const bytes = n * step.dtype.size;
  // Small outputs live in slab windows: no block to save.
  if (bytes <= smallBytes || v.offset !== 0) return null;
  if (v.source.kind === 'step') {
    // A step of an earlier program (or a JS kernel, whose buffer may be the kernel's own) is not offered.
    return v.source.index >= first ? v.source.index - first : null;
  }
  const handle = v.source.handle;
  // A buffer an asyncEval is reading is not free to overwrite.
  if (!(handle instanceof ArrayBuffer) || inFlight.has(handle)) return null;
  return handle.byteLength >= bytes ? handle : null;
}

/** Encodes a step's output placed over its donated input (a buffer, or a slot of this program) at `i`; returns the next index. */
function encodeDonatedOutput(step: Step, donor: ArrayBuffer | number, i: number): number {
  const p = program;
  p[i++] = step.dtype.code;
  p[i++] = step.shape.length;
  for (let d = 0; d < step.shape.length; d++) p[i++] = step.shape[d]!;
  slotCount++;
  if (typeof donor === 'number') {
    p[i++] = -2 - donor;
  } else {
    p[i++] = buffers.push(donor) - 1;
    p[i++] = 0;
  }
  placed.push(donor);
  return i;
}

/**
 * Appends a step whose first output is output slot `slot` of the caller's list; `first` is the
 * slot of this program's first output there, and `earlier` holds the storage of the slots before
 * it. Returns the slot after the step's outputs.
 */
export function encodeStep(step: Step, opcode: number, slot: number, first: number, earlier: readonly unknown[]): number {
  const inputs = step.inputs;
  const outs = step.outputs;
  let need = 9 + step.shape.length;
  if (outs) for (const o of outs) need += 4 + o.shape.length;
  for (let k = 0; k < inputs.length; k++) need += 4 + 2 * inputs[k]!.shape.length;
  reserve(need);
  const p = program;
  let i = length;
  p[i++] = opcode;
  const donor = step.donate === undefined ? null : donatedPlace(step, first);
  if (donor === null) i = encodeOutput(step.shape, step.dtype, i);
  else i = encodeDonatedOutput(step, donor, i);
  const extra = outs ? outs.length - 1 : 0;
  p[i++] = extra;
  for (let k = 1; k <= extra; k++) i = encodeOutput(outs![k]!.shape, outs![k]!.dtype, i);
  p[i++] = inputs.length;
  length = i;
  for (let k = 0; k < inputs.length; k++) encodeInput(inputs[k]!, slot, first, earlier, step.prim);
  write(encoders[opcode]!(step.params, step.shape.length, inputs));
  return slot + 1 + extra;
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
