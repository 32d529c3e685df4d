/** Reading the PyTorch fixtures stored as `{ shape, data }` tensors (fixtures/gen_*.py) and comparing against them. */
import { readFileSync } from 'node:fs';
import * as mx from 'mlx-ts';
import { assertAllClose } from '@mlx-ts/testing';
import { fixturePath } from './fixtures.js';

export interface Tensor {
  shape: number[];
  data: number[];
}

export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(fixturePath(`${name}.json`), 'utf8')) as T;
}

/** A fixture tensor as an Array (float32 unless told). */
export function arr(t: Tensor, dtype: mx.DtypeLike = mx.float32): mx.Array {
  return mx.reshape(mx.array(t.data, dtype), t.shape);
}

/** Asserts `actual` has the fixture's shape and values. */
export function expectClose(actual: mx.Array, expected: Tensor, opts: { rtol?: number; atol?: number; what?: string } = {}): void {
  assertAllClose(actual, mx.reshape(mx.array(expected.data, mx.float64), expected.shape), {
    rtol: opts.rtol ?? 1e-5,
    atol: opts.atol ?? 1e-5,
    what: opts.what,
    checkDtype: false,
  });
}
