/** Small outputs share slabs (src/program.ts): they read back, view, release and fail like any storage. */
import { cpuBackend, SlabStorage } from '@mlx-ts/cpu-backend';
import { float32, float64, int32, uint8 } from '@mlx-ts/core';
import { describe, expect, test } from 'vitest';
import { input, read, step, stepOutput, values, view } from './helpers.js';

describe('small outputs in slabs', () => {
  test('many small outputs of mixed dtypes read back, each its own window', () => {
    const a = input(new Float32Array([1.5]), float32, []);
    const steps = [];
    for (let i = 0; i < 300; i++) steps.push(step('add', [i === 0 ? a : stepOutput(i - 1, float32, []), a], [], float32));
    steps.push(step('astype', [stepOutput(299, float32, [])], [], float64, { dtype: float64 }));
    steps.push(step('astype', [stepOutput(299, float32, [])], [], uint8, { dtype: uint8 }));
    const out = cpuBackend.execute(steps);
    expect(out[0]).toBeInstanceOf(SlabStorage);
    expect(values(read(out[0], float32, []))).toEqual([3]);
    expect(values(read(out[299], float32, []))).toEqual([451.5]);
    expect(values(read(out[300], float64, []))).toEqual([451.5]);
    expect(values(read(out[301], uint8, []))).toEqual([451 & 255]);
    const windows = new Set(
      out.map((h) => `${(h as SlabStorage).byteOffset}@${[...new Set(out.map((x) => (x as SlabStorage).buffer))].indexOf((h as SlabStorage).buffer)}`),
    );
    expect(windows.size).toBe(out.length);
  });

  test('strided views of a small output, through a later step and toHost', () => {
    const [h] = cpuBackend.execute([
      step('add', [input(new Float32Array([1, 2, 3, 4]), float32, [2, 2]), input(new Float32Array([0, 0, 0, 0]), float32, [2, 2])], [2, 2], float32),
    ]);
    expect(h).toBeInstanceOf(SlabStorage);
    expect(values(cpuBackend.toHost(view(h, float32, [2, 2], [1, 2])))).toEqual([1, 3, 2, 4]);
    expect(values(cpuBackend.toHost(view(h, float32, [2], [1], 2)))).toEqual([3, 4]);
    const [t] = cpuBackend.execute([step('negative', [view(h, float32, [2, 2], [1, 2])], [2, 2], float32)]);
    expect(values(read(t, float32, [2, 2]))).toEqual([-1, -3, -2, -4]);
  });

  test('a view outside its window is refused even though the slab holds more', () => {
    const [h] = cpuBackend.execute([step('add', [input(new Int32Array([1, 2]), int32, [2]), input(new Int32Array([1, 1]), int32, [2])], [2], int32)]);
    expect(() => cpuBackend.execute([step('negative', [view(h, int32, [3])], [3], int32)])).toThrow(/outside its storage/);
    expect(() => cpuBackend.execute([step('negative', [view(h, int32, [2], [1], 1)], [2], int32)])).toThrow(/outside its storage/);
    expect(() => cpuBackend.toHost(view(h, int32, [3]))).toThrow(/outside its storage/);
  });

  test('released windows refuse reads; other windows of the slab still work', () => {
    const a = input(new Float32Array([2]), float32, []);
    const [h1, h2] = cpuBackend.execute([step('negative', [a], [], float32), step('square', [a], [], float32)]);
    cpuBackend.release(h1);
    expect(() => cpuBackend.toHost(view(h1, float32, []))).toThrow(/released/);
    expect(() => cpuBackend.execute([step('exp', [view(h1, float32, [])], [], float32)])).toThrow(/released/);
    expect(() => cpuBackend.release(h1)).not.toThrow();
    expect(values(read(h2, float32, []))).toEqual([4]);
  });

  test('empty outputs, and outputs just above the threshold, which get their own buffer', () => {
    const out = cpuBackend.execute([
      step('negative', [input(new Float32Array(0), float32, [0])], [0], float32),
      step('negative', [input(new Float32Array(17).fill(1), float32, [17])], [17], float32),
    ]);
    expect(cpuBackend.toHost(view(out[0], float32, [0])).length).toBe(0);
    expect(out[1]).toBeInstanceOf(ArrayBuffer);
    expect(values(read(out[1], float32, [17]))).toEqual(new Array(17).fill(-1));
  });

  test('executeAsync places small outputs too, and allocates big ones off the main thread', async () => {
    const n = 1 << 16;
    const big = input(new Float32Array(n).fill(3), float32, [n]);
    const out = await cpuBackend.executeAsync!([
      step('negative', [big], [n], float32),
      step('sum', [stepOutput(0, float32, [n])], [1], float32, { axes: [0] }),
      step('exp', [stepOutput(0, float32, [n])], [n], float32),
    ]);
    expect(out[0]).toBeInstanceOf(ArrayBuffer);
    expect(out[1]).toBeInstanceOf(SlabStorage);
    expect(values(read(out[1], float32, [1]))).toEqual([-3 * n]);
    expect(values(read(out[2], float32, [n])).slice(0, 2)).toEqual([Math.fround(Math.exp(-3)), Math.fround(Math.exp(-3))]);
    cpuBackend.release(out[0]);
    expect((out[0] as ArrayBuffer).byteLength).toBe(0);
  });
});
