/**
 * `@mlx-ts/cpu-backend`: the native CPU backend. Storage is an ArrayBuffer of contiguous elements
 * (float16/bfloat16 as raw uint16 bits, bool as uint8); a run of steps is encoded into one program
 * and executed by one call into the addon. Primitives registered outside core get JS kernels
 * through `registerKernel`.
 */
import {
  type Aval,
  type Backend,
  describeValue,
  type Dtype,
  type HostTypedArray,
  isRowContiguous,
  type Shape,
  slotStarts,
  type Step,
  type View,
} from '@mlx-ts/core';
import { addon } from './addon.js';
import { waitForKernels } from './jit/compiler.js';
import {
  beginProgram,
  type EncodedProgram,
  encodeStep,
  finishProgram,
  inFlight,
  opcodes,
  placeSmallOutputs,
  programOutputs,
  releasedError,
  SlabStorage,
} from './program.js';

export { addonError } from './addon.js';
export { distributedInfo, mpiTransport } from './distributed.js';
export type { DistributedInfo } from './distributed.js';
export { SlabStorage } from './program.js';

/** The LAPACK the addon loaded for mx.linalg: the library dlopen found, or why none loaded. */
export interface LapackInfo {
  readonly loaded: boolean;
  /** What dlopen loaded: the BLAS library itself when it exports LAPACK (OpenBLAS), else e.g. liblapack.so.3. */
  readonly library: string;
  /** Why no LAPACK is loaded, when none is. */
  readonly error: string;
}

/**
 * The LAPACK library mx.linalg runs on (native/lapack.h: `MLX_TS_LAPACK=/path` picks one,
 * `MLX_TS_LAPACK=0` turns it off; without one every linalg kernel throws what to install).
 */
export function lapackInfo(): LapackInfo {
  return addon.lapackInfo();
}
export { configureJit, jitStatus, waitForKernels } from './jit/compiler.js';
export type { JitMode, JitOptions, JitStatus } from './jit/compiler.js';

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
 * contiguous and row-major, in the typed array `hostArrayFor(out.dtype, size)` would make; for a
 * primitive with several outputs (`out.outputs` set), one such array per output.
 */
export type JsKernel = (
  inputs: readonly KernelInput[],
  params: unknown,
  out: { readonly shape: Shape; readonly dtype: Dtype; readonly outputs?: readonly Aval[] },
) => HostTypedArray | HostTypedArray[];

const jsKernels = new Map<string, JsKernel>();

/** Gives the cpu backend a kernel for a primitive registered with `registerPrimitive`. */
export function registerKernel(prim: string, kernel: JsKernel): void {
  if (typeof prim !== 'string' || prim === '') throw new Error('registerKernel: expected a primitive name');
  if (typeof kernel !== 'function') throw new Error(`registerKernel: expected a kernel function for '${prim}', got ${typeof kernel}`);
  if (opcodes.has(prim)) throw new Error(`registerKernel: '${prim}' already has a native kernel`);
  jsKernels.set(prim, kernel);
}

type TypedArrayCtor = new (buffer: ArrayBuffer, byteOffset?: number, length?: number) => HostTypedArray;
/** Indexed by Dtype.code. */
const ctors: readonly TypedArrayCtor[] = [
  Uint8Array,
  Uint8Array,
  Uint16Array,
  Uint32Array,
  Int8Array,
  Int16Array,
  Int32Array,
  BigInt64Array,
  Uint16Array,
  Uint16Array,
  Float32Array,
  Float64Array,
  Float32Array, // complex64: (re, im) pairs
];

const released = releasedError;

function size(shape: Shape): number {
  let n = 1;
  for (let d = 0; d < shape.length; d++) n *= shape[d]!;
  return n;
}

/** The releases waiting for an executeAsync to finish with their buffers (`inFlight`). */
const pendingRelease = new Set<ArrayBuffer>();

function runJsKernel(kernel: JsKernel, step: Step, slot: number, outputs: unknown[]): void {
  const inputs = step.inputs.map((v): KernelInput => {
    const handle = v.source.kind === 'storage' ? v.source.handle : outputs[v.source.index];
    if (v.source.kind === 'step' && !(v.source.index >= 0 && v.source.index < slot)) {
      throw new Error(`cpu backend: '${step.prim}' (output slot ${slot}) reads output slot ${v.source.index}, which is not made before it`);
    }
    const Ctor = ctors[v.dtype.code]!;
    if (handle instanceof SlabStorage) {
      if (handle.released) throw released(`'${step.prim}'`);
      return {
        data: new Ctor(handle.buffer, handle.byteOffset, handle.byteLength / v.dtype.size),
        dtype: v.dtype,
        shape: v.shape,
        strides: v.strides,
        offset: v.offset,
      };
    }
    if (!(handle instanceof ArrayBuffer))
      throw new Error(`cpu backend: an input of '${step.prim}' is not storage of the cpu backend (got ${describeValue(handle)})`);
    if (handle.byteLength === 0 && size(v.shape) > 0) throw released(`'${step.prim}'`);
    return { data: new Ctor(handle), dtype: v.dtype, shape: v.shape, strides: v.strides, offset: v.offset };
  });
  const avals = step.outputs ?? [step];
  const result = kernel(
    inputs,
    step.params,
    step.outputs ? { shape: step.shape, dtype: step.dtype, outputs: step.outputs } : { shape: step.shape, dtype: step.dtype },
  );
  const outs = step.outputs ? result : [result];
  if (!Array.isArray(outs) || outs.length !== avals.length) {
    throw new Error(`cpu backend: the JS kernel for '${step.prim}' must return ${avals.length} typed arrays (one per output), got ${describeValue(result)}`);
  }
  avals.forEach((o, k) => {
    const out: unknown = outs[k];
    const Ctor = ctors[o.dtype.code]!;
    const n = size(o.shape);
    if (!(out instanceof Ctor) || out.length !== n) {
      throw new Error(
        `cpu backend: the JS kernel for '${step.prim}' must return a ${Ctor.name} of ${n} elements${avals.length > 1 ? ` for output ${k}` : ''}, got ${describeValue(out)} of length ${(out as { length?: number })?.length}`,
      );
    }
    const whole = out.byteOffset === 0 && out.byteLength === out.buffer.byteLength && out.buffer instanceof ArrayBuffer;
    outputs[slot + k] = whole ? (out.buffer as ArrayBuffer) : (out.slice().buffer as ArrayBuffer);
  });
}

/**
 * Encodes the native steps of `steps` from `from` on, up to the first one with a JS kernel (or the
 * end), into one program; returns the index after the last step encoded.
 */
function encodeRun(steps: readonly Step[], from: number, starts: readonly number[], outputs: readonly unknown[]): number {
  beginProgram();
  let i = from;
  for (; i < steps.length; i++) {
    const step = steps[i]!;
    const op = opcodes.get(step.prim);
    if (op === undefined) {
      jsKernelFor(step.prim); // no kernel at all: fail before running anything
      break;
    }
    encodeStep(step, op, starts[i]!, starts[from]!, outputs);
  }
  return i;
}

function jsKernelFor(prim: string): JsKernel {
  const kernel = jsKernels.get(prim);
  if (kernel === undefined) throw new Error(`cpu backend: no kernel for primitive '${prim}'`);
  return kernel;
}

function store(outputs: unknown[], from: number, results: readonly unknown[]): void {
  for (let k = 0; k < results.length; k++) outputs[from + k] = results[k];
}

/**
 * Runs `steps`: each run of native steps as one program (one call into the addon), and JS kernels
 * between runs. `execute` and `executeAsync` are the same loop, one awaiting the addon. Returns
 * the storage of every output slot.
 */
function runSteps(steps: readonly Step[]): unknown[] {
  const starts = slotStarts(steps);
  const outputs: unknown[] = new Array(starts[steps.length]!);
  let i = 0;
  while (i < steps.length) {
    const end = encodeRun(steps, i, starts, outputs);
    if (end > i) {
      const p = finishProgram();
      store(outputs, starts[i]!, programOutputs(p, addon.execute(p.program, p.length, p.buffers)));
      i = end;
    } else {
      runJsKernel(jsKernelFor(steps[i]!.prim), steps[i]!, starts[i]!, outputs);
      i++;
    }
  }
  return outputs;
}

async function runStepsAsync(steps: readonly Step[]): Promise<unknown[]> {
  const starts = slotStarts(steps);
  const outputs: unknown[] = new Array(starts[steps.length]!);
  let i = 0;
  while (i < steps.length) {
    const end = encodeRun(steps, i, starts, outputs);
    if (end > i) {
      const p = finishProgram();
      store(outputs, starts[i]!, programOutputs(p, await executeNativeAsync(p)));
      i = end;
    } else {
      runJsKernel(jsKernelFor(steps[i]!.prim), steps[i]!, starts[i]!, outputs);
      i++;
    }
  }
  return outputs;
}

async function executeNativeAsync(p: EncodedProgram): Promise<ArrayBuffer[]> {
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

/** The smallest block the addon's cache serves (native/allocator.cc; read on first use, as the addon may be absent). */
let pooled: number | undefined;
const pooledBytes = (): number => (pooled ??= addon.bufferCacheStats().minBytes);

export const cpuBackend: Backend = {
  name: 'cpu',
  deviceType: 'cpu',
  priority: 10,

  fromHost(data: HostTypedArray, dtype: Dtype): ArrayBuffer {
    if (!ArrayBuffer.isView(data) || data.BYTES_PER_ELEMENT * (dtype.isComplex ? 2 : 1) !== dtype.size) {
      throw new Error(`cpu backend: fromHost expects a typed array of ${dtype.size}-byte elements for ${dtype.name}, got ${describeValue(data)}`);
    }
    // From the block cache's smallest size up, the copy lives in the addon's storage (page-aligned,
    // huge pages from 2 MB), as kernel outputs do, so kernels stream host-made inputs as fast.
    if (data.byteLength >= pooledBytes()) return addon.copyFromHost(data);
    if (data.buffer instanceof ArrayBuffer) return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
    const copy = new ArrayBuffer(data.byteLength);
    new Uint8Array(copy).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return copy;
  },

  toHost(view: View): HostTypedArray {
    if (view.source.kind !== 'storage') throw new Error('cpu backend: toHost reads stored arrays, not step outputs');
    const handle = view.source.handle;
    let buffer: ArrayBuffer;
    let base = 0;
    let limit: number;
    if (handle instanceof SlabStorage) {
      if (handle.released) throw released('toHost');
      buffer = handle.buffer;
      base = handle.byteOffset;
      limit = handle.byteLength;
    } else if (handle instanceof ArrayBuffer) {
      buffer = handle;
      limit = buffer.byteLength;
    } else {
      throw new Error(`cpu backend: toHost got storage the cpu backend did not make (${describeValue(handle)})`);
    }
    const Ctor = ctors[view.dtype.code]!;
    const n = size(view.shape);
    const per = view.dtype.isComplex ? 2 : 1; // host values per element
    if (n === 0) return new Ctor(new ArrayBuffer(0));
    if (isRowContiguous(view.shape, view.strides)) {
      const start = view.offset * view.dtype.size;
      const end = start + n * view.dtype.size;
      if (buffer.byteLength === 0) throw released('toHost');
      if (!(start >= 0 && end <= limit)) throw new Error('cpu backend: toHost view lies outside its storage');
      if (end - start <= 64) {
        // A small copy into a typed array that owns no ArrayBuffer yet (V8 keeps those on its heap):
        // `item()` on a scalar should not cost a new buffer.
        const out = new (Ctor as unknown as new (length: number) => HostTypedArray)(n * per);
        (out as Float64Array).set(new Ctor(buffer, base + start, n * per) as Float64Array);
        return out;
      }
      return new Ctor(buffer.slice(base + start, base + end));
    }
    beginProgram();
    placeSmallOutputs(false);
    try {
      encodeStep({ prim: 'astype', params: { dtype: view.dtype }, inputs: [view], shape: view.shape, dtype: view.dtype }, opcodes.get('astype')!, 0, 0, []);
    } finally {
      placeSmallOutputs(true);
    }
    const p = finishProgram();
    return new Ctor(addon.execute(p.program, p.length, p.buffers)[0]!);
  },

  execute(steps: readonly Step[]): unknown[] {
    return runSteps(steps);
  },

  executeAsync(steps: readonly Step[]): Promise<unknown[]> {
    return runStepsAsync(steps);
  },

  release(handle: unknown): void {
    if (handle instanceof SlabStorage) {
      // The slab lives on until no window onto it is reachable; this window is dead now.
      handle.released = true;
      return;
    }
    if (!(handle instanceof ArrayBuffer))
      throw new Error(`cpu backend: release expects storage the cpu backend made (an ArrayBuffer), got ${describeValue(handle)}`);
    if (inFlight.size > 0 && inFlight.has(handle)) {
      pendingRelease.add(handle);
      return;
    }
    addon.detach(handle);
  },

  supports(prim: string): boolean {
    return opcodes.has(prim) || jsKernels.has(prim);
  },

  /** Bytes of the live outputs the buffer cache serves (64 KiB and more); smaller ones are not counted. */
  memoryInUse(): number | undefined {
    const stats = addon.bufferCacheStats();
    return stats.enabled ? stats.liveBytes : undefined;
  },

  waitForKernels,
};
