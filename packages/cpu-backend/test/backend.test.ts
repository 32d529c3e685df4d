import { cpuBackend, registerKernel } from '@mlx-ts/cpu-backend';
import { bool, float16, float32, getPrimitiveDef, int32, primitiveNames, uint32, type Step } from '@mlx-ts/core';
import { describe, expect, test } from 'vitest';
import { f32, input, read, step, stepOutput, store, values, view } from './helpers.js';

describe('the Backend contract', () => {
  test('identity and a kernel for every core primitive but the views', () => {
    expect([cpuBackend.name, cpuBackend.deviceType, cpuBackend.priority]).toEqual(['cpu', 'cpu', 10]);
    for (const prim of primitiveNames) {
      expect(cpuBackend.supports(prim), prim).toBe(getPrimitiveDef(prim).kind !== 'view');
    }
    expect(cpuBackend.supports('noSuchPrimitive')).toBe(false);
  });

  test('fromHost copies; toHost gives contiguous copies of strided views', () => {
    const host = new Float32Array([1, 2, 3, 4, 5, 6]);
    const h = store(host, float32);
    host[0] = 100;
    expect(h).toBeInstanceOf(ArrayBuffer);
    expect(values(read(h, float32, [6]))).toEqual([1, 2, 3, 4, 5, 6]);
    const t = cpuBackend.toHost(view(h, float32, [3, 2], [1, 3]));
    expect(t).toBeInstanceOf(Float32Array);
    expect(values(t)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(values(cpuBackend.toHost(view(h, float32, [2], [1], 4)))).toEqual([5, 6]);
    expect(values(cpuBackend.toHost(view(h, float32, [3], [-2], 5)))).toEqual([6, 4, 2]);
    const copy = cpuBackend.toHost(view(h, float32, [6]));
    copy[1] = -1;
    expect(values(read(h, float32, [6]))[1]).toBe(2);
    expect(cpuBackend.toHost(view(h, float32, [0, 3], [3, 1])).length).toBe(0);
    expect(cpuBackend.toHost(view(store(new Uint16Array([0x3c00]), float16), float16, [1]))).toBeInstanceOf(Uint16Array);
    expect(() => cpuBackend.fromHost(new Float64Array(2), float32)).toThrow(/4-byte/);
  });

  test('steps read earlier steps, through strided views', () => {
    const a = f32([1, 2, 3, 4], [2, 2]);
    const steps: Step[] = [
      step('add', [a, a], [2, 2], float32),
      // The transpose of step 0, negated.
      step('negative', [stepOutput(0, float32, [2, 2], [1, 2])], [2, 2], float32),
      step('sum', [stepOutput(1, float32, [2, 2])], [1, 2], float32, { axes: [0] }),
    ];
    const out = cpuBackend.execute(steps);
    expect(out).toHaveLength(3);
    expect(values(read(out[1], float32, [2, 2]))).toEqual([-2, -6, -4, -8]);
    expect(values(read(out[2], float32, [1, 2]))).toEqual([-6, -14]);
  });

  test('a multi-output step fills one slot per output, which later steps read by slot', async () => {
    const a = f32([7, -7, 5.5, 9], [4]);
    const b = f32([2, 2, -2, 4], [4]);
    const steps: Step[] = [
      {
        ...step('divmod', [a, b], [4], float32),
        outputs: [
          { shape: [4], dtype: float32 },
          { shape: [4], dtype: float32 },
        ],
      },
      // Slot 1 is divmod's remainder, slot 2 this step's output.
      step('negative', [stepOutput(1, float32, [4])], [4], float32),
      {
        ...step('topk', [stepOutput(2, float32, [4])], [2], float32, { k: 2 }),
        outputs: [
          { shape: [2], dtype: float32 },
          { shape: [2], dtype: uint32 },
        ],
      },
    ];
    for (const out of [cpuBackend.execute(steps), await cpuBackend.executeAsync!(steps)]) {
      expect(out).toHaveLength(5);
      expect(values(read(out[0], float32, [4]))).toEqual([3, -4, -3, 2]);
      expect(values(read(out[1], float32, [4]))).toEqual([1, 1, -0.5, 1]);
      expect(values(read(out[3], float32, [2]))).toEqual([0.5, -1]);
      expect(values(read(out[4], uint32, [2]))).toEqual([2, 0]);
    }
  });

  test('executeAsync runs off the main thread and gives what execute gives', async () => {
    const n = 1 << 16;
    const a = input(
      Float32Array.from({ length: n }, (_, i) => i),
      float32,
      [n],
    );
    const steps = [step('sqrt', [a], [n], float32), step('cumsum', [stepOutput(0, float32, [n])], [n], float32, { axis: 0, reverse: false, inclusive: true })];
    const sync = cpuBackend.execute(steps);
    const pending = cpuBackend.executeAsync!(steps);
    expect(pending).toBeInstanceOf(Promise);
    const async = await pending;
    expect(values(read(async[1], float32, [n]))).toEqual(values(read(sync[1], float32, [n])));
  });

  test('a release during executeAsync waits for it', async () => {
    const n = 1 << 20;
    const h = store(new Float32Array(n).fill(2), float32);
    const pending = cpuBackend.executeAsync!([step('sum', [view(h, float32, [n])], [1], float32, { axes: [0] })]);
    cpuBackend.release(h);
    expect((h as ArrayBuffer).byteLength).toBe(n * 4);
    const [out] = await pending;
    expect(values(read(out, float32, [1]))).toEqual([2 * n]);
    expect((h as ArrayBuffer).byteLength).toBe(0);
  });

  test('async errors reject the promise', async () => {
    await expect(cpuBackend.executeAsync!([step('exp', [input(new Int32Array(1), int32, [1])], [1], int32)])).rejects.toThrow(/floating/);
  });
});

describe('bad input gives JS errors, never a crash', () => {
  test('released storage', () => {
    const h = store(new Float32Array([1, 2]), float32);
    cpuBackend.release(h);
    expect((h as ArrayBuffer).byteLength).toBe(0);
    expect(() => cpuBackend.execute([step('exp', [view(h, float32, [2])], [2], float32)])).toThrow(/released/);
    expect(() => cpuBackend.toHost(view(h, float32, [2]))).toThrow(/released/);
    expect(() => cpuBackend.toHost(view(h, float32, [2], [-1], 1))).toThrow(/released/);
    expect(() => cpuBackend.release(h)).not.toThrow();
  });

  test('foreign handles', () => {
    expect(() => cpuBackend.execute([step('exp', [view({}, float32, [1])], [1], float32)])).toThrow(/not storage of the cpu backend/);
    expect(() => cpuBackend.execute([step('exp', [view(new Float32Array(1), float32, [1])], [1], float32)])).toThrow(/ArrayBuffer/);
    expect(() => cpuBackend.release(null)).toThrow(/ArrayBuffer/);
    expect(() => cpuBackend.toHost(view('x', float32, [1]))).toThrow(/did not make/);
  });

  test('views outside their storage, and shapes that break a kernel contract', () => {
    const h = store(new Float32Array(4), float32);
    expect(() => cpuBackend.execute([step('exp', [view(h, float32, [5])], [5], float32)])).toThrow(/outside its storage/);
    expect(() => cpuBackend.execute([step('exp', [view(h, float32, [2], [1], 3)], [2], float32)])).toThrow(/outside its storage/);
    expect(() => cpuBackend.execute([step('exp', [view(h, float32, [2], [-1], 0)], [2], float32)])).toThrow(/outside its storage/);
    expect(() => cpuBackend.execute([step('exp', [view(h, float32, [2])], [3], float32)])).toThrow(/shape/);
    expect(() => cpuBackend.execute([step('add', [view(h, float32, [2])], [2], float32)])).toThrow(/expected 2 inputs/);
    expect(() => cpuBackend.execute([step('add', [view(h, float32, [2]), view(h, int32, [2])], [2], float32)])).toThrow(/dtypes/);
    expect(() => cpuBackend.execute([step('sum', [view(h, float32, [4])], [1], float32, { axes: [3] })])).toThrow(/axis/);
    expect(() => cpuBackend.execute([step('exp', [stepOutput(0, float32, [1])], [1], float32)])).toThrow(/is not made before it/);
    expect(() => cpuBackend.execute([step('randomBits', [view(h, float32, [2])], [3], uint32, { shape: [3] })])).toThrow(/key/);
    expect(() => cpuBackend.execute([step('exp', [view(h, float32, [2], [1.5])], [2], float32)])).toThrow(/stride/);
    expect(() => cpuBackend.execute([step('nope', [], [1], float32)])).toThrow(/no kernel/);
    expect(() =>
      cpuBackend.execute([step('scatter', [view(h, float32, [4]), view(h, float32, [4]), view(h, float32, [4])], [4], float32, { axis: 0, mode: 'set' })]),
    ).toThrow(/integer/);
    expect(() => cpuBackend.execute([step('where', [view(h, float32, [4]), view(h, float32, [4]), view(h, float32, [4])], [4], float32)])).toThrow(/bool/);
  });

  test('a failing step names itself', () => {
    const h = store(new Float32Array(4), float32);
    expect(() => cpuBackend.execute([step('exp', [view(h, float32, [4])], [4], float32), step('log', [view(h, int32, [9])], [9], int32)])).toThrow(
      /log \(step 1\)/,
    );
  });
});

describe('JS kernels for primitives defined outside core', () => {
  test('run between native steps, which read their outputs', () => {
    registerKernel('testTwice', (inputs, _params, out) => {
      const x = inputs[0]!;
      const y = new Float32Array(out.shape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < y.length; i++) y[i] = 2 * (x.data as Float32Array)[x.offset + i * x.strides[0]!]!;
      return y;
    });
    expect(cpuBackend.supports('testTwice')).toBe(true);
    const a = f32([1, 2, 3]);
    const steps: Step[] = [
      step('negative', [a], [3], float32),
      step('testTwice', [stepOutput(0, float32, [3], [-1], 2)], [3], float32),
      step('add', [stepOutput(1, float32, [3]), stepOutput(0, float32, [3])], [3], float32),
      step('testTwice', [stepOutput(2, float32, [3])], [3], float32),
    ];
    const out = cpuBackend.execute(steps);
    expect(values(read(out[1], float32, [3]))).toEqual([-6, -4, -2]);
    expect(values(read(out[2], float32, [3]))).toEqual([-7, -6, -5]);
    expect(values(read(out[3], float32, [3]))).toEqual([-14, -12, -10]);
    expect(() => registerKernel('add', () => new Float32Array(0))).toThrow(/native kernel/);
    registerKernel('testWrong', () => new Int32Array(1));
    expect(() => cpuBackend.execute([step('testWrong', [], [1], float32)])).toThrow(/Float32Array/);
  });

  test('and under executeAsync', async () => {
    registerKernel('testNot', (inputs) => (inputs[0]!.data as Uint8Array).map((v) => (v ? 0 : 1)));
    const b = input(new Uint8Array([1, 0]), bool, [2]);
    const out = await cpuBackend.executeAsync!([step('testNot', [b], [2], bool), step('logicalNot', [stepOutput(0, bool, [2])], [2], bool)]);
    expect(values(read(out[0], bool, [2]))).toEqual([0, 1]);
    expect(values(read(out[1], bool, [2]))).toEqual([1, 0]);
  });
});

test('V8 frees unreleased outputs during a synchronous loop', () => {
  // 6 GB allocated in all, 100 MB at a time (fresh pages make each one slow, so not 200 of them).
  const n = 25_000_000;
  const a = view(store(new Float32Array(1), float32), float32, [n], [0]);
  let peak = 0;
  for (let i = 0; i < 60; i++) {
    cpuBackend.execute([step('negative', [a], [n], float32)]);
    peak = Math.max(peak, process.memoryUsage.rss());
  }
  expect(peak).toBeLessThan(2 * 1024 ** 3);
});
