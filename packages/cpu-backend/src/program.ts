/**
 * Encodes a run of steps into one Float64Array for a single native call. Every number is an
 * integer except the float parameters (pad's value, arange's start and step), and a double holds
 * every integer up to 2^53, so one array carries it all:
 *
 *   step   := opcode, dtype, ndim, shape[ndim], nInputs, input[nInputs], nParams, params[nParams]
 *   input  := source, dtype, ndim, shape[ndim], strides[ndim], offset
 *   source := b >= 0 for buffers[b]; -(j + 1) for the output of step j of this program
 *
 * Dtypes are `Dtype.code`; opcodes index the addon's `opNames`. native/program.cc decodes and
 * validates it.
 */
import type { CompiledParams, Step, View } from '@mlx-ts/core';
import { addon } from './addon.js';

export const opcodes: ReadonlyMap<string, number> = new Map(addon.opNames.map((name, i) => [name, i]));

/** How each opcode's params become numbers. */
const enum ParamKind {
  None,
  Axes,
  Axis,
  Scan,
  Scatter,
  Pad,
  Arange,
  Compiled,
}

const paramKindOf: Record<string, ParamKind> = {
  sum: ParamKind.Axes,
  prod: ParamKind.Axes,
  max: ParamKind.Axes,
  min: ParamKind.Axes,
  argmax: ParamKind.Axis,
  argmin: ParamKind.Axis,
  sort: ParamKind.Axis,
  argsort: ParamKind.Axis,
  concatenate: ParamKind.Axis,
  gather: ParamKind.Axis,
  gatherAxis: ParamKind.Axis,
  cumsum: ParamKind.Scan,
  cumprod: ParamKind.Scan,
  cummax: ParamKind.Scan,
  cummin: ParamKind.Scan,
  scatter: ParamKind.Scatter,
  scatterAxis: ParamKind.Scatter,
  pad: ParamKind.Pad,
  arange: ParamKind.Arange,
  compiled: ParamKind.Compiled,
};
const paramKinds: ParamKind[] = addon.opNames.map((name) => paramKindOf[name] ?? ParamKind.None);

/** Scatter modes in native/gather.cc's order. */
const scatterModes: Record<string, number> = { set: 0, add: 1, multiply: 2, maximum: 3, minimum: 4 };

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

export function beginProgram(): void {
  length = 0;
  buffers = [];
}

/** The encoded program: pass `program` and `length` to the addon with `buffers`. */
export function finishProgram(): { program: Float64Array; length: number; buffers: ArrayBuffer[] } {
  return { program, length, buffers };
}

function storageBuffer(handle: unknown, prim: string): ArrayBuffer {
  if (!(handle instanceof ArrayBuffer)) {
    throw new Error(`cpu backend: an input of '${prim}' is not storage of the cpu backend (expected an ArrayBuffer, got ${describe(handle)})`);
  }
  return handle;
}

export function describe(x: unknown): string {
  return x === null ? 'null' : typeof x === 'object' ? (x.constructor?.name ?? 'object') : typeof x;
}

function encodeInput(v: View, stepIndex: number, first: number, earlier: readonly unknown[], prim: string): void {
  const src = v.source;
  let source: number;
  if (src.kind === 'storage') {
    source = buffers.push(storageBuffer(src.handle, prim)) - 1;
  } else {
    const j = src.index;
    if (!(j >= 0 && j < stepIndex)) throw new Error(`cpu backend: step ${stepIndex} ('${prim}') reads step ${j}, which does not run before it`);
    // Steps before this program ran already (in an earlier native call or as JS kernels).
    source = j >= first ? -(j - first) - 1 : buffers.push(storageBuffer(earlier[j], prim)) - 1;
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
  p[i++] = v.offset;
  length = i;
}

/**
 * Appends step `stepIndex` of the caller's list; `first` is the index of this program's first
 * step there, and `earlier` holds the storage of the steps before it.
 */
export function encodeStep(step: Step, opcode: number, stepIndex: number, first: number, earlier: readonly unknown[]): void {
  const shape = step.shape;
  const inputs = step.inputs;
  let need = 4 + shape.length;
  for (let k = 0; k < inputs.length; k++) need += 4 + 2 * inputs[k]!.shape.length;
  reserve(need);
  const p = program;
  let i = length;
  p[i++] = opcode;
  p[i++] = step.dtype.code;
  p[i++] = shape.length;
  for (let d = 0; d < shape.length; d++) p[i++] = shape[d]!;
  p[i++] = inputs.length;
  length = i;
  for (let k = 0; k < inputs.length; k++) encodeInput(inputs[k]!, stepIndex, first, earlier, step.prim);
  encodeParams(paramKinds[opcode]!, step.params as Record<string, unknown>, shape.length);
}

function encodeParams(kind: ParamKind, params: Record<string, unknown>, ndim: number): void {
  switch (kind) {
    case ParamKind.None:
      return write(noParams);
    case ParamKind.Axes:
      return write(params.axes as readonly number[]);
    case ParamKind.Axis:
      return write([params.axis as number]);
    case ParamKind.Scan:
      return write([params.axis as number, params.reverse ? 1 : 0, params.inclusive ? 1 : 0]);
    case ParamKind.Scatter: {
      const mode = scatterModes[params.mode as string];
      if (mode === undefined) throw new Error(`cpu backend: unknown scatter mode '${String(params.mode)}'`);
      return write([params.axis as number, mode]);
    }
    case ParamKind.Pad: {
      const low = params.low as readonly number[];
      const high = params.high as readonly number[];
      if (low.length !== ndim || high.length !== ndim) throw new Error(`cpu backend: pad needs ${ndim} low and high widths`);
      return write([...low, ...high, params.value as number]);
    }
    case ParamKind.Arange:
      return write([params.start as number, params.step as number]);
    case ParamKind.Compiled:
      return write(compiledParams(params as unknown as CompiledParams));
  }
}

/** nInputs, nInstrs, then per instruction: opcode (-1 for a constant), dtype, nArgs, args, value. */
function compiledParams(p: CompiledParams): number[] {
  const out = [p.nInputs, p.instrs.length];
  for (const ins of p.instrs) {
    const op = ins.op === 'constant' ? -1 : opcodes.get(ins.op);
    if (op === undefined) throw new Error(`cpu backend: compiled program '${p.name}' uses '${ins.op}', which is not an elementwise primitive`);
    out.push(op, ins.dtype.code, ins.args.length, ...ins.args, ins.value ?? 0);
  }
  return out;
}

const noParams: readonly number[] = [];

function write(values: readonly number[]): void {
  reserve(1 + values.length);
  const p = program;
  let i = length;
  p[i++] = values.length;
  for (let k = 0; k < values.length; k++) p[i++] = values[k]!;
  length = i;
}
