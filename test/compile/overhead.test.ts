/**
 * The cost of a cache hit: signature, lookup, and replaying the plan as lazy nodes (nothing is
 * evaluated). The target is 20 us per call; the assertion is looser so that a loaded
 * machine does not fail it, and the measured numbers are printed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mx, useFusedReference } from './helpers.js';

type A = mx.Array;

beforeAll(() => useFusedReference());
afterAll(() => mx.useBackend(null));

function perCall(fn: () => unknown, n: number): number {
  for (let i = 0; i < n / 10; i++) fn();
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, ((performance.now() - t) * 1000) / n);
  }
  return best;
}

it('a cache hit costs a few microseconds', () => {
  const f = (x: A) => mx.add(mx.multiply(mx.exp(x), x), 1);
  const cf = mx.compile(f);
  const x = mx.ones([10]);
  cf(x);
  const hit = perCall(() => cf(x), 20000);

  const loss = (p: { w1: A; w2: A }, xb: A, yb: A) => mx.mean(mx.square(mx.subtract(mx.matmul(mx.maximum(mx.matmul(xb, p.w1), 0), p.w2), yb)));
  const step = (model: { w1: A; w2: A }, xb: A, yb: A) => {
    const [l, g] = mx.valueAndGrad(loss)(model, xb, yb) as [A, { w1: A; w2: A }];
    return [l, { w1: mx.subtract(model.w1, mx.multiply(g.w1, 0.01)), w2: mx.subtract(model.w2, mx.multiply(g.w2, 0.01)) }];
  };
  const cstep = mx.compile(step);
  const model = { w1: mx.ones([8, 16]), w2: mx.ones([16, 1]) };
  const xb = mx.ones([4, 8]), yb = mx.ones([4, 1]);
  mx.compile(step)(model, xb, yb); // warm the JIT
  const t0 = performance.now();
  cstep(model, xb, yb);
  const first = performance.now() - t0;
  const stepHit = perCall(() => cstep(model, xb, yb), 5000);
  const stepEager = perCall(() => step(model, xb, yb), 500);
  expect(cf.traceCount).toBe(1);
  expect(cstep.traceCount).toBe(1);
  console.log(`compile cache hit: exp(x)*x+1 ${hit.toFixed(2)} us/call; MLP SGD step (20 nodes) ${stepHit.toFixed(2)} us/call vs ${stepEager.toFixed(1)} us to build it eagerly; first call (trace, simplify, fuse) ${first.toFixed(2)} ms`);
  expect(hit).toBeLessThan(100);
  expect(stepHit).toBeLessThan(200);
  expect(first).toBeLessThan(200);
});
