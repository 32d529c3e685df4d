/**
 * A cache hit replays the plan without retracing. Its cost in microseconds is measured by
 * bench/compile-overhead.mjs, not here: timings stay out of unit tests.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mx, useFusedReference } from './helpers.js';

type A = mx.Array;

beforeAll(() => useFusedReference());
afterAll(() => mx.useBackend(null));

it('cache hits of a compiled training step do not retrace and match eager', () => {
  const loss = (p: { w1: A; w2: A }, xb: A, yb: A) => mx.mean(mx.square(mx.subtract(mx.matmul(mx.maximum(mx.matmul(xb, p.w1), 0), p.w2), yb)));
  const step = (model: { w1: A; w2: A }, xb: A, yb: A) => {
    const [l, g] = mx.valueAndGrad(loss)(model, xb, yb) as [A, { w1: A; w2: A }];
    return [l, { w1: mx.subtract(model.w1, mx.multiply(g.w1, 0.01)), w2: mx.subtract(model.w2, mx.multiply(g.w2, 0.01)) }] as const;
  };
  const cstep = mx.compile(step);
  let model = { w1: mx.multiply(mx.ones([8, 16]), 0.1), w2: mx.multiply(mx.ones([16, 1]), 0.2) };
  let eager = model;
  const xb = mx.ones([4, 8]),
    yb = mx.ones([4, 1]);
  for (let i = 0; i < 5; i++) {
    const [lc, mc] = cstep(model, xb, yb) as unknown as [A, { w1: A; w2: A }];
    const [le, me] = step(eager, xb, yb);
    expect(mx.allclose(lc, le, 1e-5, 1e-6).itemBool()).toBe(true);
    expect(mx.allclose(mc.w1, me.w1, 1e-5, 1e-6).itemBool()).toBe(true);
    model = mc;
    eager = me;
  }
  expect(cstep.traceCount).toBe(1);
});
