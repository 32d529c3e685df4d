/**
 * The reference backend: float64 storage, one plain TypeScript kernel per primitive. Slow and
 * simple on purpose: it is the oracle other backends are tested against, and the example to copy.
 */
import {
  type Backend,
  type Dtype,
  getCustomPrimitive,
  type HostTypedArray,
  isPrimitive,
  shapeSize,
  type Step,
  type View,
} from '@mlx-ts/core';
import type { Kernel, Operand } from './kernel.js';
import { coreKernels } from './kernels/index.js';
import { roundInPlace } from './rounding.js';
import { decodeHost, encodeHost, liveStorage, ReferenceStorage } from './storage.js';
import { readStrided } from './strided.js';

// Each kernel gets the params of its own primitive; the map forgets which, hence `never`.
const extensionKernels = new Map<string, Kernel<never>>();

function kernelFor(prim: string): Kernel | undefined {
  const k = Object.prototype.hasOwnProperty.call(coreKernels, prim) ? coreKernels[prim as keyof typeof coreKernels] : extensionKernels.get(prim);
  return k as Kernel | undefined;
}

/**
 * Gives this backend a kernel for a primitive defined outside core (register the primitive
 * first with core's `registerPrimitive`). Registering again replaces the kernel.
 */
export function registerKernel<P>(prim: string, kernel: Kernel<P>): void {
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
  return readStrided(data, view.shape, view.strides, view.offset);
}

function runStep(step: Step, outputs: readonly ReferenceStorage[]): ReferenceStorage {
  const kernel = kernelFor(step.prim);
  if (!kernel) throw new Error(`${step.prim}: backend 'reference' has no kernel for this primitive`);
  const inputs: Operand[] = step.inputs.map((v) => ({ data: readView(v, outputs), shape: v.shape, dtype: v.dtype }));
  const data = kernel({ inputs, params: step.params, shape: step.shape, dtype: step.dtype });
  const size = shapeSize(step.shape);
  if (!(data instanceof Float64Array) || data.length !== size) {
    throw new Error(`${step.prim}: the reference kernel returned ${data instanceof Float64Array ? `${data.length} elements` : String(data)} where a Float64Array of ${size} was expected`);
  }
  // Inputs may be windows onto live storage; rounding an output that shares their memory would corrupt it.
  if (data.length > 0 && inputs.some((x) => x.data.buffer === data.buffer)) {
    throw new Error(`${step.prim}: the reference kernel returned memory it shares with an input; return a new array`);
  }
  roundInPlace(data, step.dtype);
  return new ReferenceStorage(data, step.dtype);
}

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
    for (const step of steps) outputs.push(runStep(step, outputs));
    return outputs;
  },

  release(handle: unknown): void {
    if (handle instanceof ReferenceStorage) handle.data = null;
  },

  supports(prim: string): boolean {
    return kernelFor(prim) !== undefined;
  },
};
