/** Reading the PyTorch fixtures (fixtures/gen_*.py write them) and comparing against them. */
import { readFileSync } from 'node:fs';
import * as mx from 'mlx-ts';
import { assertAllClose } from '@mlx-ts/testing';

export interface Tensor {
  shape: number[];
  data: number[];
}

export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as T;
}

/** A fixture tensor as an Array (float32 unless told). */
export function arr(t: Tensor, dtype: mx.DtypeLike = mx.float32): mx.Array {
  return mx.reshape(mx.array(t.data, dtype), t.shape);
}

/** Asserts `actual` has the fixture's shape and values. */
export function expectClose(actual: mx.Array, expected: Tensor, opts: { rtol?: number; atol?: number; what?: string } = {}): void {
  assertAllClose(actual, mx.reshape(mx.array(expected.data, mx.float64), expected.shape), { rtol: opts.rtol ?? 1e-5, atol: opts.atol ?? 1e-5, what: opts.what, checkDtype: false });
}
