import { bool, float16, float32, float64, int32, int64, uint8, uint32 } from '@mlx-ts/core';
import { describe, expect, it } from 'vitest';
import { restride, run, stored } from './helpers.js';

const iota = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('reductions', () => {
  it('reduce the listed axes and keep them as size 1', () => {
    const x = stored(iota(24), float32, [2, 3, 4]);
    expect(run('sum', { axes: [0, 2] }, [x], [1, 3, 1], float32)).toEqual([60, 92, 124]);
    expect(run('max', { axes: [1] }, [x], [2, 1, 4], float32)).toEqual([8, 9, 10, 11, 20, 21, 22, 23]);
    expect(run('prod', { axes: [0, 1, 2] }, [stored([1, 2, 3, 4], float64, [2, 2])], [1, 1], float64)).toEqual([24]);
  });

  it('reduce a strided view', () => {
    const x = stored(iota(6), float32, [2, 3]);
    // The transpose, reversed along its rows: [[3, 0], [4, 1], [5, 2]].
    const v = restride(x, [3, 2], [1, -3], 3);
    expect(run('min', { axes: [1] }, [v], [3, 1], float32)).toEqual([0, 1, 2]);
    expect(run('sum', { axes: [0] }, [restride(x, [4, 3], [0, 1], 3)], [1, 3], float32)).toEqual([12, 16, 20]);
  });

  it('give the identity over empty axes', () => {
    const e = (d: typeof float32) => stored([], d, [2, 0]);
    expect(run('sum', { axes: [1] }, [e(float32)], [2, 1], float32)).toEqual([0, 0]);
    expect(run('prod', { axes: [1] }, [e(int32)], [2, 1], int32)).toEqual([1, 1]);
    expect(run('max', { axes: [1] }, [e(float16)], [2, 1], float16)).toEqual([-Infinity, -Infinity]);
    expect(run('max', { axes: [1] }, [e(int32)], [2, 1], int32)).toEqual([-2147483648, -2147483648]);
    expect(run('min', { axes: [1] }, [e(uint8)], [2, 1], uint8)).toEqual([255, 255]);
    expect(run('min', { axes: [1] }, [e(bool)], [2, 1], bool)).toEqual([1, 1]);
    expect(run('min', { axes: [1] }, [e(int64)], [2, 1], int64)).toEqual([2 ** 63, 2 ** 63]);
  });

  it('wrap integer sums and propagate NaN through max', () => {
    expect(run('sum', { axes: [0] }, [stored([2147483647, 1, 5], int32)], [1], int32)).toEqual([-2147483643]);
    expect(run('prod', { axes: [0] }, [stored([65536, 65536, 3], int32)], [1], int32)).toEqual([0]);
    expect(run('max', { axes: [0] }, [stored([1, NaN, 3], float32)], [1], float32)).toEqual([NaN]);
  });

  it('argmax/argmin give the first occurrence, NaN winning both', () => {
    const x = stored([1, 3, 3, 0, 0, 2, NaN, 4, NaN], float32, [3, 3]);
    expect(run('argmax', { axis: 1 }, [x], [3, 1], uint32)).toEqual([1, 2, 0]);
    expect(run('argmin', { axis: 1 }, [x], [3, 1], uint32)).toEqual([0, 0, 0]);
    expect(run('argmax', { axis: 0 }, [x], [1, 3], uint32)).toEqual([2, 2, 2]);
    expect(run('argmin', { axis: 0 }, [x], [1, 3], uint32)).toEqual([2, 1, 2]);
  });
});

describe('scans', () => {
  const x = stored([1, 2, 3, 4, 5, 6], float32, [2, 3]);
  const scan = (prim: string, axis: number, reverse: boolean, inclusive: boolean) => run(prim, { axis, reverse, inclusive }, [x], [2, 3], float32);

  it('inclusive, exclusive and reversed along either axis', () => {
    expect(scan('cumsum', 1, false, true)).toEqual([1, 3, 6, 4, 9, 15]);
    expect(scan('cumsum', 1, false, false)).toEqual([0, 1, 3, 0, 4, 9]);
    expect(scan('cumsum', 1, true, true)).toEqual([6, 5, 3, 15, 11, 6]);
    expect(scan('cumprod', 0, false, true)).toEqual([1, 2, 3, 4, 10, 18]);
    expect(scan('cumprod', 0, true, false)).toEqual([4, 5, 6, 1, 1, 1]);
    expect(scan('cummin', 1, false, false)).toEqual([Infinity, 1, 1, Infinity, 4, 4]);
  });

  it('cummax carries NaN forward; integer cumsum wraps', () => {
    expect(run('cummax', { axis: 0, reverse: false, inclusive: true }, [stored([1, NaN, 3], float64)], [3], float64)).toEqual([1, NaN, NaN]);
    expect(run('cumsum', { axis: 0, reverse: false, inclusive: true }, [stored([127, 1], int32)], [2], int32)).toEqual([127, 128]);
    expect(run('cumsum', { axis: 0, reverse: false, inclusive: true }, [stored([2147483647, 1], int32)], [2], int32)).toEqual([2147483647, -2147483648]);
  });
});

describe('sort and argsort', () => {
  it('sort ascending, stable, NaN last', () => {
    const x = stored([3, NaN, 1, 3, -1, NaN, 0, 2], float32, [2, 4]);
    expect(run('sort', { axis: 1 }, [x], [2, 4], float32)).toEqual([1, 3, 3, NaN, -1, 0, 2, NaN]);
    expect(run('argsort', { axis: 1 }, [x], [2, 4], uint32)).toEqual([2, 0, 3, 1, 0, 2, 3, 1]);
    expect(run('argsort', { axis: 0 }, [x], [2, 4], uint32)).toEqual([1, 0, 1, 1, 0, 1, 0, 0]);
  });

  it('keeps equal elements in input order', () => {
    expect(run('argsort', { axis: 0 }, [stored([2, 1, 2, 1, 2], int32)], [5], uint32)).toEqual([1, 3, 0, 2, 4]);
    expect(run('argsort', { axis: 0 }, [stored([0, -0, 0], float64)], [3], uint32)).toEqual([0, 1, 2]);
  });
});
