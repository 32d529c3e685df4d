/**
 * The Metal backend's binding (host/binding.h, host/napi_binding.h, src/backend.ts) over the fake
 * device: storage is one buffer the CPU backend reads in place, a run of GPU steps is one native
 * call, a step the plan does not cover runs on the CPU backend, dispose and asyncEval behave as
 * the CPU backend's do, and a malformed program is a clear Error.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mx } from '../helpers/index.js';
import type { MetalAddon, MetalStepRecord } from '@mlx-ts/metal-backend';
import { registerFakeGpu } from './fake-addon.js';

let addon: MetalAddon;
let log: MetalStepRecord[];
let backend: mx.Backend;

beforeAll(async () => {
  ({ addon, log, backend } = await registerFakeGpu());
}, 600_000);

const onGpu = <T>(f: () => T): T => {
  mx.setDefaultDevice(mx.gpu);
  try {
    return f();
  } finally {
    mx.setDefaultDevice(mx.cpu);
  }
};

describe('the Metal binding over the fake device', () => {
  it('runs a chain of kernels in one native call and reads the result back', () => {
    const before = addon.stats().gpuSteps;
    const y = onGpu(() =>
      mx.sum(
        mx.multiply(
          mx.exp(mx.zeros([2, 3])),
          mx.array([
            [1, -2, 3],
            [4, 5, -6],
          ]),
        ),
        1,
      ),
    );
    expect(y.tolist()).toEqual([2, 3]);
    expect(addon.stats().gpuSteps - before).toBeGreaterThanOrEqual(3);
    expect(log.slice(-3).map((r) => `${r.prim}:${r.where}`)).toEqual(['exp:gpu', 'multiply:gpu', 'sum:gpu']);
  });

  it('runs a step without a kernel on the CPU backend, over the same buffers, between GPU steps', () => {
    const x = onGpu(() => mx.cumsum(mx.add(mx.array(new Int32Array([3, -1, 2])), mx.array(new Int32Array([1, 1, 1])))));
    expect(x.tolist()).toEqual([4, 4, 7]);
    const fell = log.filter((r) => r.where === 'cpu').map((r) => r.prim);
    expect(fell).toEqual(expect.arrayContaining(['add', 'cumsum']));
    // float32 cumsum over the last axis has a kernel.
    const f = onGpu(() => mx.cumsum(mx.array([1, 2, 3]), 0));
    expect(f.tolist()).toEqual([1, 3, 6]);
    expect(log.at(-1)).toEqual({ prim: 'cumsum', where: 'gpu' });
  });

  it('gives the CPU backend the GPU storage itself (an external ArrayBuffer over the block), not a copy', () => {
    const cpu = mx.getBackendByName('cpu');
    const handle = backend.fromHost(new Float32Array([1, 2, 3, 4]), mx.float32) as ArrayBuffer;
    expect(handle).toBeInstanceOf(ArrayBuffer);
    const view = { source: { kind: 'storage' as const, handle }, dtype: mx.float32, shape: [4], strides: [1], offset: 0 };
    const [out] = backend.execute([{ prim: 'exp', params: {}, inputs: [view], shape: [4], dtype: mx.float32 }]) as ArrayBuffer[];
    // The CPU backend reads the GPU's output in place: writing through one view is seen by the other.
    addon.sync([out!]);
    new Float32Array(out!)[0] = 42;
    expect(cpu.toHost({ ...view, source: { kind: 'storage', handle: out! } })[0]).toBe(42);
    backend.release(out!);
    backend.release(handle);
  });

  it('dispose frees the block at once; a disposed array is a clear Error', () => {
    const live = backend.memoryInUse!()!;
    const a = onGpu(() => mx.add(mx.ones([1000]), 1));
    mx.eval(a);
    expect(backend.memoryInUse!()!).toBeGreaterThanOrEqual(live + 4000);
    a.dispose();
    expect(backend.memoryInUse!()!).toBeLessThan(live + 4000);
    expect(() => a.tolist()).toThrow(/dispose/);
  });

  it('asyncEval resolves once the GPU is done, with what eval gives', async () => {
    const build = () => mx.softmax(mx.multiply(mx.arange(12, mx.float32).reshape([3, 4]), 0.5), -1);
    const want = build().tolist();
    const y = onGpu(build);
    await mx.asyncEval(y);
    expect(y.tolist()).toEqual(want);
  });

  it('arrays move between the CPU and the GPU within one graph', () => {
    const a = mx.add(mx.ones([3]), 1, { stream: mx.cpu });
    const b = mx.multiply(a, a, { stream: mx.gpu });
    const c = mx.subtract(b, 1, { stream: mx.cpu });
    expect(c.tolist()).toEqual([3, 3, 3]);
  });

  it('a malformed program is an Error naming what is wrong, before anything runs', () => {
    expect(() => addon.execute(new Float64Array([1, 0, 10, 1, 4, 1, 5]), ['exp'], [])).toThrow(/malformed program: buffer index 5 out of range/);
    expect(() => addon.execute(new Float64Array([1, 0, 99]), ['exp'], [])).toThrow(/dtype code 99 out of range/);
    expect(() => addon.execute(new Float64Array([1]), ['exp'], [])).toThrow(/ends early/);
    expect(() => addon.sync([new ArrayBuffer(8)])).toThrow(/not storage of the gpu backend/);
  });
});
