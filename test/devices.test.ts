/**
 * Devices and streams as in MLX: mx.cpu, mx.gpu, defaultDevice, setDefaultDevice, the `stream`
 * option on ops (a Device or a Stream, positionally or in the options object), withStream, and
 * newStream. Only the CPU has a backend on this machine: GPU work fails with a clear error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mx } from './helpers/index.js';
import { $stream } from 'mlx-ts/internals';

const streamOf = (a: mx.Array) => a[$stream]!;
const hasGpu = mx.listBackends().some((b) => b.deviceType === 'gpu');

afterEach(() => mx.setDefaultDevice(mx.cpu));

describe('devices', () => {
  it('mx.cpu and mx.gpu are Devices', () => {
    expect(mx.cpu).toBeInstanceOf(mx.Device);
    expect(mx.gpu).toBeInstanceOf(mx.Device);
    expect(mx.cpu.type).toBe('cpu');
    expect(mx.gpu.type).toBe('gpu');
    expect(mx.cpu.equals(new mx.Device('cpu', 0))).toBe(true);
    expect(mx.cpu.equals(mx.gpu)).toBe(false);
    expect(String(mx.cpu)).toMatch(/cpu/);
  });

  it.skipIf(!hasGpu)('setDefaultDevice changes where new ops run', () => {
    const a = mx.ones([2]);
    mx.setDefaultDevice(mx.gpu);
    expect(mx.defaultDevice().equals(mx.gpu)).toBe(true);
    expect(streamOf(mx.exp(a)).device.type).toBe('gpu');
    mx.setDefaultDevice(mx.cpu);
    expect(streamOf(mx.add(a, 1)).device.type).toBe('cpu');
  });

  it.skipIf(hasGpu)('without a GPU backend, setDefaultDevice(mx.gpu) throws saying none is present and why, and the CPU stays the default', () => {
    expect(mx.defaultDevice().equals(mx.cpu)).toBe(true);
    expect(() => mx.setDefaultDevice(mx.gpu)).toThrow(
      /^setDefaultDevice: no GPU backend is present on this machine \(device 'gpu'\): @mlx-ts\/metal-backend (runs only on macOS with Apple silicon|.*not implemented yet)/,
    );
    expect(mx.defaultDevice().equals(mx.cpu)).toBe(true);
    expect(mx.add(mx.ones([2]), 1).tolist()).toEqual([2, 2]);
  });

  it('setDefaultDevice rejects a non-device, naming the function', () => {
    expect(() => mx.setDefaultDevice('gpu' as never)).toThrow(/^setDefaultDevice: expected a Device/);
  });
});

describe('streams', () => {
  it('defaultStream is one stream per device; newStream makes distinct ones', () => {
    const s = mx.defaultStream(mx.cpu);
    expect(s).toBeInstanceOf(mx.Stream);
    expect(s.device.equals(mx.cpu)).toBe(true);
    expect(mx.defaultStream(mx.cpu)).toBe(s);
    const t = mx.newStream(mx.cpu);
    expect(t).not.toBe(s);
    expect(t.index).not.toBe(s.index);
  });

  it('ops take a stream (a Device or a Stream) in their options object', () => {
    const s = mx.newStream(mx.cpu);
    const x = mx.ones([2, 3]);
    const results = [
      mx.add(x, 1, { stream: s }),
      mx.exp(x, { stream: s }),
      mx.sum(x, { axis: 0, stream: s }),
      mx.sum(x, 0, false, { stream: s }),
      mx.reshape(x, [3, 2], { stream: s }),
      mx.transpose(x, { stream: s }),
      mx.matmul(x, x.T, { stream: s }),
      mx.take(x, mx.array(new Int32Array([0])), { axis: 1, stream: s }),
      mx.cumsum(x, { axis: 1, stream: s }),
      mx.sort(x, { stream: s }),
      mx.astype(x, mx.int32, s),
      mx.where(mx.greater(x, 0, { stream: s }), x, 0, { stream: s }),
      x.index(0, { stream: s }),
      mx.random.uniform({ shape: [2], key: mx.random.key(0), stream: s }),
    ];
    for (const r of results) {
      expect(streamOf(r)).toBe(s);
      expect(r.tolist()).toBeDefined();
    }
    expect(streamOf(mx.add(x, 1, { stream: mx.cpu })).device.type).toBe('cpu');
    expect(mx.add(x, 1, { stream: mx.cpu }).tolist()).toEqual([
      [2, 2, 2],
      [2, 2, 2],
    ]);
  });

  it('withStream sets the stream of ops that name none, nests, and restores after an exception', () => {
    const s1 = mx.newStream(mx.cpu);
    const s2 = mx.newStream(mx.cpu);
    const x = mx.ones([2]);
    const r = mx.withStream(s1, () => {
      const a = mx.add(x, 1);
      expect(streamOf(a)).toBe(s1);
      mx.withStream(s2, () => expect(streamOf(mx.add(x, 1))).toBe(s2));
      expect(streamOf(mx.add(x, 1, { stream: s2 }))).toBe(s2);
      expect(streamOf(mx.add(x, 1))).toBe(s1);
      return a;
    });
    expect(r.tolist()).toEqual([2, 2]);
    expect(() =>
      mx.withStream(s1, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(streamOf(mx.add(x, 1))).toBe(mx.defaultStream(mx.cpu));
    expect(streamOf(mx.withStream(mx.cpu, () => mx.add(x, 1))).device.type).toBe('cpu');
  });

  it.skipIf(hasGpu)('an op given the GPU stream throws when it is called, with the same message (no GPU backend here)', () => {
    const x = mx.ones([2]);
    const gpuError = /no GPU backend is present on this machine \(device 'gpu'\)/;
    expect(() => mx.exp(x, { stream: mx.gpu })).toThrow(/^exp: no GPU backend is present/);
    expect(() => mx.add(x, 1, { stream: mx.gpu })).toThrow(gpuError);
    expect(() => mx.zeros([2], { stream: mx.gpu })).toThrow(gpuError);
    expect(() => mx.withStream(mx.gpu, () => mx.exp(x))).toThrow(/^withStream: no GPU backend/);
    expect(() => mx.newStream(mx.gpu)).toThrow(/^newStream: no GPU backend/);
    expect(() => mx.defaultStream(mx.gpu)).toThrow(/^defaultStream: no GPU backend/);
    // A Stream built by hand reaches evaluation only if no op checks it: the evaluator's lookup says the same.
    expect(() => mx.exp(x, { stream: new mx.Stream(mx.gpu, 99) })).toThrow(gpuError);
    // The CPU still works afterwards.
    expect(mx.add(x, 1).tolist()).toEqual([2, 2]);
  });

  it('arrays evaluated on one stream feed ops on another', () => {
    const s = mx.newStream(mx.cpu);
    const a = mx.add(mx.ones([3]), 1, { stream: s });
    mx.eval(a);
    const b = mx.multiply(a, 2);
    expect(b.tolist()).toEqual([4, 4, 4]);
  });
});
