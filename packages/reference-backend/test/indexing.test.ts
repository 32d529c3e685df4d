import { float32, float64, int8, int32, uint8 } from '@mlx-ts/core';
import { describe, expect, it } from 'vitest';
import { run, stored } from './helpers.js';

const a = () => stored([0, 1, 2, 3, 4, 5], float32, [2, 3]);

describe('gather and gatherAxis', () => {
  it('wrap negative indices once, then clamp', () => {
    const idx = stored([-1, 5, -10, 0, 1], int32);
    expect(run('gather', { axis: 1 }, [a(), idx], [2, 5], float32)).toEqual([2, 2, 0, 0, 1, 5, 5, 3, 3, 4]);
    expect(run('gather', { axis: 0 }, [a(), stored([1, -1, -3], int8)], [3, 3], float32)).toEqual([3, 4, 5, 3, 4, 5, 0, 1, 2]);
  });

  it('take an index array of any shape', () => {
    const idx = stored([2, 0, 1, 1], uint8, [2, 2]);
    expect(run('gather', { axis: 1 }, [a(), idx], [2, 2, 2], float32)).toEqual([2, 0, 1, 1, 5, 3, 4, 4]);
  });

  it('gatherAxis takes one index per output element', () => {
    const idx = stored([2, 0, -1, 9], int32, [2, 2]);
    expect(run('gatherAxis', { axis: 1 }, [a(), idx], [2, 2], float32)).toEqual([2, 0, 5, 5]);
    expect(run('gatherAxis', { axis: 0 }, [a(), stored([1, 0, 1], int32, [1, 3])], [1, 3], float32)).toEqual([3, 1, 5]);
  });
});

describe('scatter and scatterAxis', () => {
  const base = () => stored([0, 0, 0, 0], float64);

  it('set: the last duplicate wins', () => {
    const r = run('scatter', { axis: 0, mode: 'set' }, [base(), stored([1, -1, 1, 7], int32), stored([10, 20, 30, 40], float64)], [4], float64);
    expect(r).toEqual([0, 30, 0, 40]);
  });

  it('add, multiply, maximum and minimum combine duplicates', () => {
    const x = stored([1, 2, 3, 4], float64);
    const idx = stored([0, 0, 2], int32);
    const upd = stored([5, 6, NaN], float64);
    const scatter = (mode: string) => run('scatter', { axis: 0, mode }, [x, idx, upd], [4], float64);
    expect(scatter('add')).toEqual([12, 2, NaN, 4]);
    expect(scatter('multiply')).toEqual([30, 2, NaN, 4]);
    expect(scatter('maximum')).toEqual([6, 2, NaN, 4]);
    expect(scatter('minimum')).toEqual([1, 2, NaN, 4]);
  });

  it('integer scatter-add wraps', () => {
    const r = run('scatter', { axis: 0, mode: 'add' }, [stored([250], uint8), stored([0, 0], int32), stored([3, 4], uint8)], [1], uint8);
    expect(r).toEqual([1]);
  });

  it('scatter along an inner axis with updates shaped like the gather output', () => {
    const r = run('scatter', { axis: 1, mode: 'set' }, [a(), stored([2, 0], int32), stored([10, 11, 12, 13], float32, [2, 2])], [2, 3], float32);
    expect(r).toEqual([11, 1, 10, 13, 4, 12]);
  });

  it('scatterAxis puts each update at its own index', () => {
    const r = run(
      'scatterAxis',
      { axis: 1, mode: 'add' },
      [a(), stored([1, 1, -1, 0], int32, [2, 2]), stored([10, 20, 30, 40], float32, [2, 2])],
      [2, 3],
      float32,
    );
    expect(r).toEqual([0, 31, 2, 43, 4, 35]);
  });
});

describe('concatenate and pad', () => {
  it('concatenate along an inner axis', () => {
    const b = stored([6, 7], float32, [2, 1]);
    expect(run('concatenate', { axis: 1 }, [a(), b, a()], [2, 7], float32)).toEqual([0, 1, 2, 6, 0, 1, 2, 3, 4, 5, 7, 3, 4, 5]);
    expect(run('concatenate', { axis: 0 }, [a(), stored([], float32, [0, 3]), a()], [4, 3], float32)).toEqual([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]);
  });

  it('pad with a value rounded to the dtype', () => {
    expect(run('pad', { low: [1, 0], high: [0, 2], value: 9.7 }, [stored([1, 2, 3, 4], int32, [2, 2])], [3, 4], int32)).toEqual([
      9, 9, 9, 9, 1, 2, 9, 9, 3, 4, 9, 9,
    ]);
  });
});

describe('matmul', () => {
  it('multiplies batched matrices in float64', () => {
    const x = stored([1, 2, 3, 4, 5, 6, 1, 0, 0, 1, 1, 1], float64, [2, 2, 3]);
    const y = stored([1, 0, 0, 1, 1, 1, 2, 3, 4, 5, 6, 7], float64, [2, 3, 2]);
    expect(run('matmul', {}, [x, y], [2, 2, 2], float64)).toEqual([4, 5, 10, 11, 2, 3, 12, 15]);
  });

  it('gives zeros for an empty inner dimension', () => {
    expect(run('matmul', {}, [stored([], float32, [2, 0]), stored([], float32, [0, 3])], [2, 3], float32)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
