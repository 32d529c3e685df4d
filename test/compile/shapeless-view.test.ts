/**
 * `view`'s symbolic shape rule under `compile({ shapeless: true })`: a smaller item multiplies
 * the last axis by a constant (the trace is reused for any shape), a larger one divides it, so
 * that axis keeps its traced size (a new size retraces) while the others stay free.
 */
import { expect, it } from 'vitest';
import { mx } from '../helpers/index.js';

type A = mx.Array;
const same = (got: A, want: A) => {
  expect(got.shape).toEqual(want.shape);
  expect(got.dtype).toBe(want.dtype);
  expect(got.tolist()).toEqual(want.tolist());
};

it('view to a smaller item: one trace for every shape of the rank', () => {
  const f = (x: A) => mx.view(mx.multiply(x, 2), mx.uint8);
  const cf = mx.compile(f, { shapeless: true });
  for (const [m, n] of [
    [2, 3],
    [5, 7],
    [1, 4],
  ] as const) {
    const x = mx.random.normal([m, n], { key: mx.random.key(m * n) });
    same(cf(x), f(x));
  }
  expect(cf.traceCount).toBe(2);
});

it('view to a larger item: the last axis is pinned, the others stay free', () => {
  const f = (x: A) => mx.add(mx.view(x, mx.int32), 1);
  const cf = mx.compile(f, { shapeless: true });
  const make = (m: number, n: number) => mx.reshape(mx.astype(mx.arange(m * n), mx.uint8), [m, n]);
  for (const m of [2, 5, 3]) same(cf(make(m, 8)), f(make(m, 8)));
  const traces = cf.traceCount;
  same(cf(make(2, 12)), f(make(2, 12)));
  expect(cf.traceCount).toBeGreaterThan(traces);
});
