/** Sorting (packages/core/src/ops/sort.ts). */
import { describe, expect, test } from 'vitest';
import * as mx from '@mlx-ts/core';
import './helpers.js';

describe('sorting', () => {
  const a = mx.array([
    [3, 1, 2],
    [0, 5, -1],
  ]);
  test('sort and argsort', () => {
    expect(mx.sort(a).tolist()).toEqual([
      [1, 2, 3],
      [-1, 0, 5],
    ]);
    expect(mx.sort(a, 0).tolist()).toEqual([
      [0, 1, -1],
      [3, 5, 2],
    ]);
    expect(mx.sort(a, null).tolist()).toEqual([-1, 0, 1, 2, 3, 5]);
    expect(mx.sort(a, { axis: null }).shape).toEqual([6]);
    const i = mx.argsort(a);
    expect(i.dtype).toBe(mx.uint32);
    expect(i.tolist()).toEqual([
      [1, 2, 0],
      [2, 0, 1],
    ]);
    expect(mx.argsort(a, null).tolist()).toEqual([5, 3, 1, 2, 0, 4]);
    expect(mx.argsort(mx.array([2, 1, 2, 1])).tolist()).toEqual([1, 3, 0, 2]); // stable
  });
  test('topk returns the k largest, ascending', () => {
    expect(mx.topk(a, 2).tolist()).toEqual([
      [2, 3],
      [0, 5],
    ]);
    expect(mx.topk(a, 1, 0).tolist()).toEqual([[3, 5, 2]]);
    expect(mx.topk(a, 3, null).tolist()).toEqual([2, 3, 5]);
    expect(mx.topk(a, 0).shape).toEqual([2, 0]);
    expect(() => mx.topk(a, 4)).toThrow(/topk: k must be in \[0, 3\]/);
  });
  test('partition and argpartition', () => {
    const x = mx.array([5, 2, 8, 1, 9, 3]);
    const p = mx.partition(x, 2).tolist() as number[];
    expect(p[2]).toBe(3);
    expect(p.slice(0, 2).every((v) => v <= 3) && p.slice(3).every((v) => v >= 3)).toBe(true);
    const ip = mx.argpartition(x, -1).tolist() as number[];
    expect(ip[5]).toBe(4);
    expect(() => mx.partition(x, 6)).toThrow(/partition: kth 6 is out of range/);
  });
  test('0-d arrays need axis null', () => {
    expect(() => mx.sort(mx.array(1))).toThrow(/sort: axis -1 is out of bounds/);
    expect(mx.sort(mx.array(1), null).tolist()).toEqual([1]);
  });
});
