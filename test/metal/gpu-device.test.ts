/**
 * With a backend serving `gpu` (here the fake device: host/plan.h and the shimmed kernels),
 * mx.gpu works as MLX's does: setDefaultDevice(mx.gpu) and `{stream: mx.gpu}` run ops there, and
 * arrays move between the CPU and the GPU within one graph. The same file's first check is what
 * the real backend will meet on a Mac.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mx } from '../helpers/index.js';
import { fakeMetalBackend, stepRunner, type StepRecord } from './fake-device.js';

let log: StepRecord[] = [];

beforeAll(async () => {
  const fake = fakeMetalBackend(await stepRunner(), 'metal-shim-gpu', 'gpu');
  log = fake.log;
  mx.registerBackend(fake);
  // On a Mac the real 'metal' backend is registered too: the fake must serve mx.gpu here.
  mx.useBackend(fake.name, 'gpu');
}, 300_000);

afterEach(() => mx.setDefaultDevice(mx.cpu));

describe('mx.gpu with a GPU backend registered (the fake device)', () => {
  it('setDefaultDevice(mx.gpu) runs ops on it, kernels and CPU fallbacks alike', () => {
    mx.setDefaultDevice(mx.gpu);
    const x = mx.array([
      [1, -2, 3],
      [4, 5, -6],
    ]);
    const y = mx.sum(mx.multiply(mx.exp(mx.zeros([2, 3])), x), 1);
    expect(y.tolist()).toEqual([2, 3]);
    expect(log.map((r) => `${r.prim}:${r.where}`)).toEqual(expect.arrayContaining(['multiply:shim', 'sum:shim']));
    // cumsum of int32 has no Metal kernel: declared CPU fallback, same answer.
    expect(mx.cumsum(mx.array(new Int32Array([3, -1, 2]))).tolist()).toEqual([3, 2, 4]);
    expect(log.some((r) => r.prim === 'cumsum' && r.where === 'cpu')).toBe(true);
  });

  it('one graph mixes devices: a CPU result feeds a GPU op and back', () => {
    const a = mx.add(mx.ones([3]), 1, { stream: mx.cpu });
    const b = mx.multiply(a, a, { stream: mx.gpu });
    const c = mx.subtract(b, 1, { stream: mx.cpu });
    expect(c.tolist()).toEqual([3, 3, 3]);
  });
});
