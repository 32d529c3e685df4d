/** Scans (packages/core/src/ops/scan.ts). */
import { describe, expect, test } from 'vitest';
import * as mx from '@mlx-ts/core';
import { iota } from './helpers.js';

describe('scans', () => {
  test('cumsum flattens by default and scans along an axis', () => {
    const a = iota([2, 3]);
    expect(mx.cumsum(a).tolist()).toEqual([0, 1, 3, 6, 10, 15]);
    expect(mx.cumsum(a, 1).tolist()).toEqual([
      [0, 1, 3],
      [3, 7, 12],
    ]);
    expect(mx.cumsum(a, { axis: 0 }).tolist()).toEqual([
      [0, 1, 2],
      [3, 5, 7],
    ]);
    expect(mx.cumsum(a, -1, { reverse: true }).tolist()).toEqual([
      [3, 3, 2],
      [12, 9, 5],
    ]);
    expect(mx.cumsum(a, 1, { inclusive: false }).tolist()).toEqual([
      [0, 0, 1],
      [0, 3, 7],
    ]);
    expect(mx.cumsum(a, { axis: 1, reverse: true, inclusive: false }).tolist()).toEqual([
      [3, 2, 0],
      [9, 5, 0],
    ]);
  });
  test('cumsum/cumprod of bool give int32; cummax/cummin keep the dtype', () => {
    const b = mx.array([true, false, true]);
    expect(mx.cumsum(b).dtype).toBe(mx.int32);
    expect(mx.cumsum(b).tolist()).toEqual([1, 1, 2]);
    expect(mx.cumprod(b).dtype).toBe(mx.int32);
    const x = mx.array([3, 1, 4, 1, 5], mx.int32);
    expect(mx.cumprod(x).tolist()).toEqual([3, 3, 12, 12, 60]);
    expect(mx.cummax(x).tolist()).toEqual([3, 3, 4, 4, 5]);
    expect(mx.cummin(x).tolist()).toEqual([3, 1, 1, 1, 1]);
    expect(mx.cummax(x, 0, { reverse: true }).tolist()).toEqual([5, 5, 5, 5, 5]);
    expect(mx.cummax(x).dtype).toBe(mx.int32);
  });
  test('errors name the function', () => {
    expect(() => mx.cumsum(iota([2]), 1)).toThrow(/cumsum: axis 1 is out of bounds/);
    expect(() => mx.cumsum(iota([2]), 0, { bogus: 1 } as never)).toThrow(/cumsum: unknown option 'bogus'/);
  });
});
