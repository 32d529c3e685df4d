/**
 * The `gpu` Backend over the Metal backend's N-API addon (host/napi_binding.h): the Mac addon
 * (host/addon.cpp) or, in the Linux tests, the fake-device addon (shim/fake_addon.cc), which
 * export the same functions. Storage is an external ArrayBuffer over a shared block, so the CPU
 * backend's kernels read it as their own storage: a primitive without a Metal kernel runs on the
 * CPU backend over the same input bytes (after waiting for the GPU work that writes them).
 */
import { allDtypes, type Backend, describeValue, type Dtype, getBackendByName, type HostTypedArray, slotStarts, type Step, type View } from '@mlx-ts/core';
import { capabilities } from './capabilities.js';

/** What one native run did: outputs of the steps it ran, the first step it did not run, and why. */
export interface MetalRun {
  readonly outputs: ArrayBuffer[];
  readonly stop: number;
  readonly why: string;
}

/** The addon's exports (host/napi_binding.h). */
export interface MetalAddon {
  /** Creates the device, its queue and event and compiles the kernel library from `kernelDir`; returns the device's name. */
  init(dtypeNames: readonly string[], kernelDir: string): string;
  fromHost(bytes: Uint8Array): ArrayBuffer;
  execute(program: Float64Array, prims: readonly string[], buffers: readonly ArrayBuffer[]): MetalRun;
  executeAsync(program: Float64Array, prims: readonly string[], buffers: readonly ArrayBuffer[]): Promise<MetalRun>;
  /** Waits for the GPU work that writes these buffers (before the CPU reads them). */
  sync(buffers: readonly ArrayBuffer[]): void;
  release(buffer: ArrayBuffer): void;
  stats(): { liveBytes: number; cachedBytes: number; hits: number; misses: number; gpuSteps: number };
}

/** A step ran where: `gpu` through host/plan.h's kernels, `cpu` on the CPU backend (`why` the plan's reason). */
export interface MetalStepRecord {
  readonly prim: string;
  readonly where: 'gpu' | 'cpu';
  readonly why?: string;
}

/** Options of `createMetalBackend`. */
export interface MetalBackendOptions {
  /** The backend's name (default 'metal'). */
  readonly name?: string;
  /** Priority among `gpu` backends (default 10). */
  readonly priority?: number;
  /** Records where each step ran (tests tell kernels from fallbacks by it). */
  readonly log?: MetalStepRecord[];
}

/** The integer params host/plan.h reads for a primitive, in its order (pad's value as its float32 bits). */
export function encodeMetalParams(prim: string, params: unknown): number[] {
  const p = params as { axes?: number[]; axis?: number; reverse?: boolean; inclusive?: boolean; low?: number[]; high?: number[]; value?: number };
  switch (prim) {
    case 'sum':
    case 'prod':
    case 'max':
    case 'min':
      return [...p.axes!];
    case 'argmax':
    case 'argmin':
    case 'softmax':
    case 'logsumexp':
    case 'concatenate':
    case 'gather':
    case 'sort':
    case 'argsort':
      return [p.axis!];
    case 'cumsum':
    case 'cumprod':
    case 'cummax':
    case 'cummin':
      return [p.axis!, p.reverse ? 1 : 0, p.inclusive ? 1 : 0];
    case 'pad':
      return [...p.low!, ...p.high!, new Uint32Array(new Float32Array([p.value!]).buffer)[0]!];
    default:
      return [];
  }
}

/** A step the addon may plan: one output, and a primitive the capability table gives a Metal kernel. */
function gpuCandidate(step: Step): boolean {
  if (step.outputs !== undefined) return false;
  const c = (capabilities as Readonly<Record<string, { kind: string }>>)[step.prim];
  if (c === undefined || c.kind !== 'metal') return false;
  // pad's value travels as float32 and the fill kernel converts it as Metal does (saturating); an
  // integer output whose value is not an integer float32 holds exactly follows the CPU's conversion.
  if (step.prim === 'pad' && !step.dtype.isFloating) {
    const v = (step.params as { value: number }).value;
    const [lo, hi] = step.dtype.name === 'int32' ? [-(2 ** 31), 2 ** 31 - 1] : [0, 2 ** 32 - 1];
    if (!Number.isInteger(v) || Math.fround(v) !== v || v < lo || v > hi) return false;
  }
  return true;
}

function asStorage(handle: unknown, what: string): ArrayBuffer {
  if (!(handle instanceof ArrayBuffer)) throw new Error(`metal backend: ${what} is not storage of the gpu backend (got ${describeValue(handle)})`);
  return handle;
}

/** The gpu Backend, with the addon's counters (blocks held, cache hits, steps run by kernels). */
export type MetalBackend = Backend & { stats(): ReturnType<MetalAddon['stats']> };

/**
 * The `gpu` Backend over an initialised addon. Steps with a Metal kernel run on the GPU, in one
 * native call per run of them; a step without one runs on the registered `cpu` backend over the
 * same buffers, and its output is copied into a shared block.
 */
export function createMetalBackend(addon: MetalAddon, options: MetalBackendOptions = {}): MetalBackend {
  const log = options.log;
  const cpu = (): Backend => {
    const b = getBackendByName('cpu');
    if (b.deviceType !== 'cpu') throw new Error(`metal backend: the backend named 'cpu' serves '${b.deviceType}', not the CPU`);
    return b;
  };

  /** Encodes steps [from, to) (all candidates) as host/binding.h's program. */
  const encode = (steps: readonly Step[], from: number, to: number, starts: readonly number[], outputs: readonly unknown[]) => {
    const nums: number[] = [to - from];
    const prims: string[] = [];
    const primIndex = new Map<string, number>();
    const buffers: ArrayBuffer[] = [];
    const bufferIndex = new Map<ArrayBuffer, number>();
    const bufferOf = (h: unknown): number => {
      const ab = asStorage(h, 'an input');
      let k = bufferIndex.get(ab);
      if (k === undefined) {
        k = buffers.length;
        buffers.push(ab);
        bufferIndex.set(ab, k);
      }
      return k;
    };
    for (let i = from; i < to; i++) {
      const s = steps[i]!;
      let pi = primIndex.get(s.prim);
      if (pi === undefined) {
        pi = prims.length;
        prims.push(s.prim);
        primIndex.set(s.prim, pi);
      }
      nums.push(pi, s.dtype.code, s.shape.length, ...s.shape, s.inputs.length);
      for (const v of s.inputs) {
        let src: number;
        if (v.source.kind === 'storage') src = bufferOf(v.source.handle);
        else if (v.source.index >= starts[from]!) src = -(v.source.index - starts[from]! + 1);
        else src = bufferOf(outputs[v.source.index]);
        nums.push(src, v.dtype.code, v.shape.length, ...v.shape, ...v.strides, v.offset);
      }
      const params = encodeMetalParams(s.prim, s.params);
      nums.push(params.length, ...params);
    }
    return { program: new Float64Array(nums), prims, buffers };
  };

  /** Runs one step on the CPU backend over the same input bytes; its outputs become shared blocks. */
  const fallback = (step: Step, slot: number, outputs: unknown[], why: string): void => {
    const c = cpu();
    const inputs = step.inputs.map((v): View => {
      const h = v.source.kind === 'storage' ? v.source.handle : outputs[v.source.index];
      return { ...v, source: { kind: 'storage', handle: asStorage(h, `an input of '${step.prim}'`) } };
    });
    addon.sync(inputs.map((v) => (v.source as { handle: ArrayBuffer }).handle));
    const made = c.execute([{ ...step, inputs }]);
    const avals = step.outputs ?? [{ shape: step.shape, dtype: step.dtype }];
    avals.forEach((a, k) => {
      const strides: number[] = [];
      let n = 1;
      for (let d = a.shape.length - 1; d >= 0; d--) {
        strides[d] = n;
        n *= a.shape[d]!;
      }
      const host = c.toHost({ source: { kind: 'storage', handle: made[k] }, dtype: a.dtype, shape: a.shape, strides, offset: 0 });
      c.release(made[k]);
      outputs[slot + k] = addon.fromHost(new Uint8Array(host.buffer, host.byteOffset, host.byteLength));
    });
    log?.push({ prim: step.prim, where: 'cpu', why });
  };

  const record = (steps: readonly Step[], from: number, n: number) => {
    if (log) for (let k = 0; k < n; k++) log.push({ prim: steps[from + k]!.prim, where: 'gpu' });
  };

  /** The walk shared by execute and executeAsync; `native` runs one encoded run on the GPU. */
  function* walk(steps: readonly Step[]): Generator<{ from: number; to: number; starts: number[]; outputs: unknown[] }, unknown[], MetalRun> {
    const starts = slotStarts(steps);
    const outputs: unknown[] = new Array(starts[steps.length]!);
    let i = 0;
    while (i < steps.length) {
      if (!gpuCandidate(steps[i]!)) {
        const s = steps[i]!;
        fallback(s, starts[i]!, outputs, s.outputs !== undefined ? 'a multi-output step' : `'${s.prim}' has no Metal kernel (capability table)`);
        i++;
        continue;
      }
      let j = i;
      while (j < steps.length && gpuCandidate(steps[j]!)) j++;
      const r = yield { from: i, to: j, starts, outputs };
      for (let k = 0; k < r.stop; k++) outputs[starts[i]! + k] = r.outputs[k];
      record(steps, i, r.stop);
      i += r.stop;
      if (i < j) {
        fallback(steps[i]!, starts[i]!, outputs, r.why);
        i++;
      }
    }
    return outputs;
  }

  const backend: MetalBackend = {
    name: options.name ?? 'metal',
    deviceType: 'gpu',
    priority: options.priority ?? 10,

    fromHost(data: HostTypedArray, dtype: Dtype): ArrayBuffer {
      if (!ArrayBuffer.isView(data) || data.BYTES_PER_ELEMENT * (dtype.isComplex ? 2 : 1) !== dtype.size) {
        throw new Error(`metal backend: fromHost expects a typed array of ${dtype.size}-byte elements for ${dtype.name}, got ${describeValue(data)}`);
      }
      return addon.fromHost(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    },

    toHost(view: View): HostTypedArray {
      if (view.source.kind !== 'storage') throw new Error('metal backend: toHost reads stored arrays, not step outputs');
      const ab = asStorage(view.source.handle, 'toHost: the view');
      // An empty (or disposed, hence detached) buffer has nothing to wait for; the CPU backend's
      // toHost reads the bytes in place, and says so when they were released.
      if (ab.byteLength > 0) addon.sync([ab]);
      return cpu().toHost(view);
    },

    execute(steps: readonly Step[]): unknown[] {
      const it = walk(steps);
      let next = it.next();
      while (!next.done) {
        const { from, to, starts, outputs } = next.value;
        const p = encode(steps, from, to, starts, outputs);
        next = it.next(addon.execute(p.program, p.prims, p.buffers));
      }
      return next.value;
    },

    async executeAsync(steps: readonly Step[]): Promise<unknown[]> {
      const it = walk(steps);
      let next = it.next();
      while (!next.done) {
        const { from, to, starts, outputs } = next.value;
        const p = encode(steps, from, to, starts, outputs);
        next = it.next(await addon.executeAsync(p.program, p.prims, p.buffers));
      }
      return next.value;
    },

    release(handle: unknown): void {
      addon.release(asStorage(handle, 'release: the handle'));
    },

    supports(prim: string): boolean {
      const c = (capabilities as Readonly<Record<string, { kind: string }>>)[prim];
      if (c?.kind === 'metal') return true;
      try {
        return cpu().supports(prim);
      } catch {
        return false;
      }
    },

    memoryInUse(): number {
      return addon.stats().liveBytes;
    },

    stats: () => addon.stats(),
  };
  return backend;
}

/** Initialises `addon` with core's dtype table and the kernel sources in `kernelDir`; returns the device's name. */
export function initMetalAddon(addon: MetalAddon, kernelDir: string): string {
  const names: string[] = [];
  for (const d of allDtypes) names[d.code] = d.name;
  return addon.init(names, kernelDir);
}
