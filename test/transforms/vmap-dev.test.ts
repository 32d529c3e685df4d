import { describe, expect, it } from 'vitest';
import * as mx from '@mlx-ts/core';
import { registerBackend } from '@mlx-ts/core';
import { referenceBackend } from '@mlx-ts/reference-backend';
import { vmap } from '../../packages/transforms/src/vmap.js';
registerBackend(referenceBackend);

describe('dev', () => {
  it('argmax', () => {
    const x = mx.array([[1, 2, 3], [2, 3, 1]]);
    expect(vmap((a: mx.Array) => mx.argmax(a))(x).tolist()).toEqual([2, 1]);
  });
  it('const', () => {
    const a = mx.ones([2, 3, 4]);
    const b = mx.ones([4, 3]);
    expect(vmap(() => mx.array(2), [0, null])(a, b).tolist()).toEqual([2, 2]);
    expect(vmap(() => mx.array(2), [null, 0])(a, b).tolist()).toEqual([2, 2, 2, 2]);
    expect(() => vmap(() => mx.array(2), [0, 0])(a, b)).toThrow(/vmap/);
  });
  it('matmul and sum', () => {
    const x = mx.reshape(mx.arange(24, mx.float32), [2, 3, 4]);
    const w = mx.reshape(mx.arange(8, mx.float32), [4, 2]);
    const y = vmap((a: mx.Array, b: mx.Array) => mx.sum(mx.matmul(a, b), 0), [0, null])(x, w);
    expect(y.tolist()).toEqual(mx.sum(mx.matmul(x, w), 1).tolist());
    const y2 = vmap((a: mx.Array, b: mx.Array) => mx.matmul(a, b), [1, null], 2)(x, w);
    expect(y2.tolist()).toEqual(mx.transpose(mx.matmul(x, w), [0, 2, 1]).tolist());
  });
});
