/**
 * `@mlx-ts/cpu-backend`: the native CPU backend. Storage is an ArrayBuffer of contiguous elements
 * (float16/bfloat16 as raw uint16 bits, bool as uint8); a run of steps is encoded into one program
 * and executed by one call into the addon. Primitives registered outside core get JS kernels
 * through `registerKernel`.
 */
import { type Backend, type Dtype, type HostTypedArray, type Shape, type Step, type View } from '@mlx-ts/core';
import { addon } from './addon.js';
import { beginProgram, describe, encodeStep, finishProgram, opcodes } from './program.js';

/** An input as a JS kernel sees it: the whole storage as a typed array, and the view onto it. */
export interface KernelInput {
  readonly data: HostTypedArray;
  readonly dtype: Dtype;
  readonly shape: Shape;
  /** In elements; may be 0 or negative. */
  readonly strides: readonly number[];
  readonly offset: number;
}

/**
 * A kernel written in JS for a primitive defined outside core. It returns the output's elements,
 * contiguous and row-major, in the typed array `hostArrayFor(out.dtype, size)` would make.
 */
export type JsKernel = (inputs: readonly KernelInput[], params: unknown, out: { readonly shape: Shape; readonly dtype: Dtype }) => HostTypedArray;

const jsKernels = new Map<string, JsKernel>();

/** Gives the cpu backend a kernel for a primitive registered with `registerPrimitive`. */
export function registerKernel(prim: string, kernel: JsKernel): void {
  if (typeof prim !== 'string' || prim === '') throw new Error('registerKernel: expected a primitive name');
  if (typeof kernel !== 'function') throw new Error(`registerKernel: expected a kernel function for '${prim}', got ${typeof kernel}`);
  if (opcodes.has(prim)) throw new Error(`registerKernel: '${prim}' already has a native kernel`);
  jsKernels.set(prim, kernel);
}

type TypedArrayCtor = new (buffer: ArrayBuffer) => HostTypedArray;
/** Indexed by Dtype.code. */
const ctors: readonly TypedArrayCtor[] = [
  Uint8Array, Uint8Array, Uint16Array, Uint32Array, Int8Array, Int16Array, Int32Array,
  BigInt64Array, Uint16Array, Uint16Array, Float32Array, Float64Array,
];

function released(what: string): Error {
  return new Error(`cpu backend: ${what} reads storage that was released (its array was disposed)`);
}

function isRowContiguous(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!;
    if (n === 1) continue;
    if (strides[d] !== expected) return false;
    expected *= n;
  }
  return true;
}

function size(shape: Shape): number {
  let n = 1;
  for (let d = 0; d < shape.length; d++) n *= shape[d]!;
  return n;
}

/** Buffers an executeAsync is using, and the releases waiting for it to finish. */
const inFlight = new Map<ArrayBuffer, number>();
const pendingRelease = new Set<ArrayBuffer>();

function runJsKernel(kernel: JsKernel, step: Step, index: number, outputs: readonly unknown[]): ArrayBuffer {
  const inputs = step.inputs.map((v): KernelInput => {
    const handle = v.source.kind === 'storage' ? v.source.handle : outputs[v.source.index];
    if (v.source.kind === 'step' && !(v.source.index >= 0 && v.source.index < index)) {
      throw new Error(`cpu backend: step ${index} ('${step.prim}') reads step ${v.source.index}, which does not run before it`);
    }
    if (!(handle instanceof ArrayBuffer)) throw new Error(`cpu backend: an input of '${step.prim}' is not storage of the cpu backend (got ${describe(handle)})`);
    if (handle.byteLength === 0 && size(v.shape) > 0) throw released(`'${step.prim}'`);
    return { data: new ctors[v.dtype.code]!(handle), dtype: v.dtype, shape: v.shape, strides: v.strides, offset: v.offset };
  });
  const out = kernel(inputs, step.params, { shape: step.shape, dtype: step.dtype });
  const Ctor = ctors[step.dtype.code]!;
  if (!(out instanceof Ctor) || out.length !== size(step.shape)) {
    throw new Error(`cpu backend: the JS kernel for '${step.prim}' must return a ${Ctor.name} of ${size(step.shape)} elements, got ${describe(out)} of length ${(out as { length?: number })?.length}`);
  }
  const whole = out.byteOffset === 0 && out.byteLength === out.buffer.byteLength && out.buffer instanceof ArrayBuffer;
  return whole ? (out.buffer as ArrayBuffer) : (out.slice().buffer as ArrayBuffer);
}

/**
 * Walks `steps`, encoding runs of native steps into programs and running JS kernels between them.
 * It yields each program for the caller to run (synchronously or not) and takes back its outputs,
 * so that execute and executeAsync share the walk.
 */
function* runSteps(steps: readonly Step[]): Generator<ReturnType<typeof finishProgram>, unknown[], ArrayBuffer[]> {
  const outputs: unknown[] = new Array(steps.length);
  let first = 0;
  beginProgram();
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const op = opcodes.get(step.prim);
    if (op !== undefined) {
      encodeStep(step, op, i, first, outputs);
      continue;
    }
    const kernel = jsKernels.get(step.prim);
    if (kernel === undefined) throw new Error(`cpu backend: no kernel for primitive '${step.prim}'`);
    if (i > first) {
      const results = yield finishProgram();
      for (let k = 0; k < results.length; k++) outputs[first + k] = results[k];
    }
    outputs[i] = runJsKernel(kernel, step, i, outputs);
    first = i + 1;
    beginProgram();
  }
  if (steps.length > first) {
    const results = yield finishProgram();
    for (let k = 0; k < results.length; k++) outputs[first + k] = results[k];
  }
  return outputs;
}

async function executeNativeAsync(p: ReturnType<typeof finishProgram>): Promise<ArrayBuffer[]> {
  const held = p.buffers;
  for (const b of held) inFlight.set(b, (inFlight.get(b) ?? 0) + 1);
  try {
    return await addon.executeAsync(p.program, p.length, held);
  } finally {
    for (const b of held) {
      const n = inFlight.get(b)! - 1;
      if (n > 0) {
        inFlight.set(b, n);
        continue;
      }
      inFlight.delete(b);
      if (pendingRelease.delete(b)) addon.detach(b);
    }
  }
}

export const cpuBackend: Backend = {
  name: 'cpu',
  deviceType: 'cpu',
  priority: 10,

  fromHost(data: HostTypedArray, dtype: Dtype): ArrayBuffer {
    if (!ArrayBuffer.isView(data) || data.BYTES_PER_ELEMENT !== dtype.size) {
      throw new Error(`cpu backend: fromHost expects a typed array of ${dtype.size}-byte elements for ${dtype.name}, got ${describe(data)}`);
    }
    if (data.buffer instanceof ArrayBuffer) return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
    const copy = new ArrayBuffer(data.byteLength);
    new Uint8Array(copy).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return copy;
  },

  toHost(view: View): HostTypedArray {
    if (view.source.kind !== 'storage') throw new Error('cpu backend: toHost reads stored arrays, not step outputs');
    const buffer = view.source.handle;
    if (!(buffer instanceof ArrayBuffer)) throw new Error(`cpu backend: toHost got storage the cpu backend did not make (${describe(buffer)})`);
    const Ctor = ctors[view.dtype.code]!;
    const n = size(view.shape);
    if (n === 0) return new Ctor(new ArrayBuffer(0));
    if (isRowContiguous(view.shape, view.strides)) {
      const start = view.offset * view.dtype.size;
      const end = start + n * view.dtype.size;
      if (buffer.byteLength === 0) throw released('toHost');
      if (!(start >= 0 && end <= buffer.byteLength)) throw new Error('cpu backend: toHost view lies outside its storage');
      return new Ctor(buffer.slice(start, end));
    }
    beginProgram();
    encodeStep({ prim: 'astype', params: { dtype: view.dtype }, inputs: [view], shape: view.shape, dtype: view.dtype }, opcodes.get('astype')!, 0, 0, []);
    const p = finishProgram();
    return new Ctor(addon.execute(p.program, p.length, p.buffers)[0]!);
  },

  execute(steps: readonly Step[]): unknown[] {
    const run = runSteps(steps);
    let r = run.next();
    while (!r.done) {
      const p = r.value;
      r = run.next(addon.execute(p.program, p.length, p.buffers));
    }
    return r.value;
  },

  async executeAsync(steps: readonly Step[]): Promise<unknown[]> {
    const run = runSteps(steps);
    let r = run.next();
    while (!r.done) r = run.next(await executeNativeAsync(r.value));
    return r.value;
  },

  release(handle: unknown): void {
    if (!(handle instanceof ArrayBuffer)) throw new Error(`cpu backend: release expects storage the cpu backend made (an ArrayBuffer), got ${describe(handle)}`);
    if (inFlight.size > 0 && inFlight.has(handle)) {
      pendingRelease.add(handle);
      return;
    }
    addon.detach(handle);
  },

  supports(prim: string): boolean {
    return opcodes.has(prim) || jsKernels.has(prim);
  },
};
