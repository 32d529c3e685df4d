/**
 * The reference backend: float64 storage, one plain TypeScript kernel per primitive. Slow and
 * simple on purpose: it is the oracle other backends are tested against, and the example to copy.
 */
import { type Backend, type Dtype, getCustomPrimitive, type HostTypedArray, isPrimitive, shapeSize, type Step, type View } from '@mlx-ts/core';
import type { Kernel, MultiKernel, Operand } from './kernel.js';
import { coreKernels } from './kernels/index.js';
import { complexKernels, runSeparable, separable } from './kernels/complex.js';
import { roundInPlace } from './rounding.js';
import { decodeHost, encodeHost, liveStorage, ReferenceStorage } from './storage.js';
import { readStrided } from './strided.js';

// Each kernel gets the params of its own primitive; the map forgets which, hence `never`.
const extensionKernels = new Map<string, Kernel<never> | MultiKernel<never>>();

function kernelFor(prim: string): Kernel | undefined {
  const k = Object.prototype.hasOwnProperty.call(coreKernels, prim) ? coreKernels[prim as keyof typeof coreKernels] : extensionKernels.get(prim);
  return k as Kernel | undefined;
}

/**
 * Gives this backend a kernel for a primitive defined outside core (register the primitive
 * first with core's `registerPrimitive`). Registering again replaces the kernel.
 */
export function registerKernel<P>(prim: string, kernel: Kernel<P>): void;
/** A kernel for a registered primitive with several outputs: one array per output. */
export function registerKernel<P>(prim: string, kernel: MultiKernel<P>): void;
export function registerKernel<P>(prim: string, kernel: Kernel<P> | MultiKernel<P>): void {
  const fn = 'registerKernel';
  if (typeof kernel !== 'function') throw new Error(`${fn}: expected a kernel function for '${prim}', got ${typeof kernel}`);
  if (isPrimitive(prim)) throw new Error(`${fn}: '${prim}' is a core primitive; the reference backend's kernel for it is built in`);
  if (!getCustomPrimitive(prim)) throw new Error(`${fn}: no primitive named '${prim}'; register it with registerPrimitive first`);
  extensionKernels.set(prim, kernel);
}

/** The view's elements, contiguous; its source is storage passed in or an earlier step's output. */
function readView(view: View, outputs: readonly ReferenceStorage[]): Float64Array {
  const { source } = view;
  if (source.kind === 'step' && source.index >= outputs.length) throw new Error(`reference: a view reads step ${source.index}, which has not run yet`);
  const { data, dtype } = liveStorage(source.kind === 'storage' ? source.handle : outputs[source.index]);
  if (dtype !== view.dtype) throw new Error(`reference: a ${view.dtype.name} view onto ${dtype.name} storage`);
  if (!dtype.isComplex) return readStrided(data, view.shape, view.strides, view.offset);
  // Complex storage interleaves (re, im): each part is a view with doubled strides.
  const strides = view.strides.map((s) => 2 * s);
  const re = readStrided(data, view.shape, strides, 2 * view.offset);
  const im = readStrided(data, view.shape, strides, 2 * view.offset + 1);
  const out = new Float64Array(2 * re.length);
  for (let i = 0; i < re.length; i++) {
    out[2 * i] = re[i]!;
    out[2 * i + 1] = im[i]!;
  }
  return out;
}

/** The kernel call of a step with a complex operand: its real kernel per part, or its complex kernel. */
function complexCall(step: Step, kernel: Kernel, call: Parameters<Kernel>[0]): Float64Array {
  if (separable.has(step.prim)) return runSeparable(kernel, call, step.prim);
  const k = complexKernels[step.prim];
  if (!k) throw new Error(`${step.prim}: backend 'reference' does not compute on complex64`);
  return (k as Kernel)(call);
}

/** Runs one step; returns its outputs' storage (one, or one per output of a multi-output step). */
function runStep(step: Step, outputs: readonly ReferenceStorage[]): ReferenceStorage[] {
  const kernel = kernelFor(step.prim);
  if (!kernel) throw new Error(`${step.prim}: backend 'reference' has no kernel for this primitive`);
  const inputs: Operand[] = step.inputs.map((v) => ({ data: readView(v, outputs), shape: v.shape, dtype: v.dtype }));
  const avals = step.outputs ?? [step];
  const call = { inputs, params: step.params, shape: step.shape, dtype: step.dtype };
  const complex = step.dtype.isComplex || inputs.some((x) => x.dtype.isComplex);
  const result: unknown = step.outputs
    ? (kernel as unknown as MultiKernel)({ ...call, outputs: step.outputs })
    : complex
      ? complexCall(step, kernel, call)
      : kernel(call);
  const datas = step.outputs ? result : [result];
  if (!globalThis.Array.isArray(datas) || datas.length !== avals.length) {
    throw new Error(`${step.prim}: the reference kernel returned ${describeResult(result)} where ${avals.length} Float64Arrays (one per output) were expected`);
  }
  return avals.map((o, k) => {
    const data: unknown = datas[k];
    const size = shapeSize(o.shape) * (o.dtype.isComplex ? 2 : 1);
    if (!(data instanceof Float64Array) || data.length !== size) {
      throw new Error(
        `${step.prim}: the reference kernel returned ${describeResult(data)} where a Float64Array of ${size} was expected${avals.length > 1 ? ` (output ${k})` : ''}`,
      );
    }
    // Inputs may be windows onto live storage; rounding an output that shares their memory would corrupt it.
    if (data.length > 0 && inputs.some((x) => x.data.buffer === data.buffer)) {
      throw new Error(`${step.prim}: the reference kernel returned memory it shares with an input; return a new array`);
    }
    roundInPlace(data, o.dtype);
    return new ReferenceStorage(data, o.dtype);
  });
}

const describeResult = (x: unknown): string =>
  x instanceof Float64Array ? `${x.length} elements` : globalThis.Array.isArray(x) ? `${x.length} arrays` : String(x);

export const referenceBackend: Backend = {
  name: 'reference',
  deviceType: 'cpu',
  priority: 0,

  fromHost(data: HostTypedArray, dtype: Dtype): ReferenceStorage {
    return new ReferenceStorage(decodeHost(data, dtype), dtype);
  },

  toHost(view: View): HostTypedArray {
    return encodeHost(readView(view, []), view.dtype);
  },

  execute(steps: readonly Step[]): ReferenceStorage[] {
    const outputs: ReferenceStorage[] = [];
    for (const step of steps) outputs.push(...runStep(step, outputs));
    return outputs;
  },

  release(handle: unknown): void {
    if (handle instanceof ReferenceStorage) handle.data = null;
  },

  supports(prim: string): boolean {
    return kernelFor(prim) !== undefined;
  },
};
