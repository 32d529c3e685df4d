import { bfloat16, bool, encodeHost, float16, float32, float64, getPrimitiveDef, int64, primitiveNames, uint32, uint8 } from '@mlx-ts/core';
import { referenceBackend as ref } from '@mlx-ts/reference-backend';
import { describe, expect, it } from 'vitest';
import { elements, read, restride, run, step, stepOutput, stored } from './helpers.js';

describe('reference backend: registration', () => {
  it('has the names and priority the evaluator expects', () => {
    expect([ref.name, ref.deviceType, ref.priority]).toEqual(['reference', 'cpu', 0]);
  });

  it('has a kernel for every core primitive that reaches a backend, and none for views', () => {
    for (const p of primitiveNames) expect(ref.supports(p), p).toBe(getPrimitiveDef(p).kind !== 'view');
    expect(ref.supports('noSuchPrimitive')).toBe(false);
  });
});

describe('reference backend: host transfer', () => {
  it('round-trips each dtype through its host typed array', () => {
    const h16 = ref.toHost(stored([1.5, -2, 65504], float16));
    expect(h16).toBeInstanceOf(Uint16Array);
    expect(elements(h16)).toEqual(elements(encodeHost([1.5, -2, 65504], float16)));
    expect(elements(ref.toHost(stored([1, 0.1], bfloat16)))).toEqual(elements(encodeHost([1, 0.1], bfloat16)));
    const b = ref.toHost(stored([0, 2, 1], bool));
    expect(b).toBeInstanceOf(Uint8Array);
    expect(elements(b)).toEqual([0, 1, 1]);
    const i64 = ref.toHost(stored([2n ** 53n, -(2n ** 40n), 2n ** 63n - 1n, -(2n ** 63n)], int64));
    expect(i64).toBeInstanceOf(BigInt64Array);
    expect(elements(i64)).toEqual([2n ** 53n, -(2n ** 40n), 2n ** 63n - 1n, -(2n ** 63n)]);
  });

  it('rounds values to the dtype on the way in', () => {
    const h = ref.fromHost(new Float64Array([0.1, 1 / 3]), float32);
    expect(read(h, float32, [2])).toEqual([Math.fround(0.1), Math.fround(1 / 3)]);
    expect(read(ref.fromHost(new Uint8Array([0, 7]), bool), bool, [2])).toEqual([0, 1]);
  });

  it('reads strided views: offsets, broadcast (stride 0) and negative strides', () => {
    const v = stored([0, 1, 2, 3, 4, 5], float32, [2, 3]);
    expect(elements(ref.toHost(restride(v, [3, 2], [1, 3], 0)))).toEqual([0, 3, 1, 4, 2, 5]);
    expect(elements(ref.toHost(restride(v, [2, 3], [0, 1], 3)))).toEqual([3, 4, 5, 3, 4, 5]);
    expect(elements(ref.toHost(restride(v, [2, 3], [-3, -1], 5)))).toEqual([5, 4, 3, 2, 1, 0]);
    expect(elements(ref.toHost(restride(v, [2], [2], 1)))).toEqual([1, 3]);
    expect(elements(ref.toHost(restride(v, [0, 3], [3, 1], 0)))).toEqual([]);
  });

  it('drops the data on release', () => {
    const v = stored([1, 2], float32);
    if (v.source.kind !== 'storage') throw new Error('expected storage');
    ref.release(v.source.handle);
    expect(() => ref.toHost(v)).toThrow(/released/);
  });
});

describe('reference backend: execute', () => {
  it('feeds a step the output of an earlier step in the same list', () => {
    const a = stored([1, 2, 3], float32);
    const outs = ref.execute([
      step('add', {}, [a, a], [3], float32),
      step('multiply', {}, [stepOutput(0, float32, [3]), a], [3], float32),
      step('sum', { axes: [0] }, [restride(stepOutput(1, float32, [3]), [3], [-1], 2)], [1], float32),
    ]);
    expect(outs).toHaveLength(3);
    expect(read(outs[1], float32, [3])).toEqual([2, 8, 18]);
    expect(read(outs[2], float32, [1])).toEqual([28]);
  });

  it('computes on broadcast, transposed and reversed inputs', () => {
    const a = stored([1, 2, 3, 4, 5, 6], float64, [2, 3]);
    const row = stored([10, 20, 30], float64);
    const broadcastRow = restride(row, [2, 3], [0, 1], 0);
    expect(run('add', {}, [a, broadcastRow], [2, 3], float64)).toEqual([11, 22, 33, 14, 25, 36]);
    const aT = restride(a, [3, 2], [1, 3], 0);
    const reversedCol = restride(row, [3, 2], [-1, 0], 2);
    expect(run('subtract', {}, [aT, reversedCol], [3, 2], float64)).toEqual([-29, -26, -18, -15, -7, -4]);
  });

  it('handles empty arrays', () => {
    const e = stored([], float32, [0, 3]);
    expect(run('add', {}, [e, e], [0, 3], float32)).toEqual([]);
    expect(run('exp', {}, [e], [0, 3], float32)).toEqual([]);
    expect(run('sort', { axis: 1 }, [e], [0, 3], float32)).toEqual([]);
    expect(run('cumsum', { axis: 0, reverse: false, inclusive: true }, [e], [0, 3], float32)).toEqual([]);
    expect(run('sum', { axes: [0] }, [e], [1, 3], float32)).toEqual([0, 0, 0]);
    expect(run('randomBits', { shape: [0] }, [stored([1, 2], uint32)], [0], uint32)).toEqual([]);
  });

  it('rounds every output to its dtype', () => {
    const a = stored([1, 3], float32);
    expect(run('divide', {}, [a, stored([3, 7], float32)], [2], float32)).toEqual([Math.fround(1 / 3), Math.fround(3 / 7)]);
    const h = stored([1.1, 2], float16);
    expect(run('exp', {}, [h], [2], float16)).toEqual([3.00390625, 7.390625]);
    expect(run('add', {}, [stored([250, 7], uint8), stored([10, 1], uint8)], [2], uint8)).toEqual([4, 8]);
  });
});
