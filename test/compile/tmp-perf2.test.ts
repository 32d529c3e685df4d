import { it } from 'vitest';
import { mx, useFusedReference } from './helpers.js';
type A = mx.Array;
it('perf2', () => {
  useFusedReference();
  const loss = (p: { w1: A; w2: A }, xb: A, yb: A) => mx.mean(mx.square(mx.subtract(mx.matmul(mx.maximum(mx.matmul(xb, p.w1), 0), p.w2), yb)));
  const step = (model: { w1: A; w2: A }, xb: A, yb: A) => {
    const [l, g] = mx.valueAndGrad(loss)(model, xb, yb) as [A, { w1: A; w2: A }];
    return [l, { w1: mx.subtract(model.w1, mx.multiply(g.w1, 0.01)), w2: mx.subtract(model.w2, mx.multiply(g.w2, 0.01)) }];
  };
  const cstep = mx.compile(step);
  const model = { w1: mx.ones([8, 16]), w2: mx.ones([16, 1]) };
  const xb = mx.ones([4, 8]), yb = mx.ones([4, 1]);
  cstep(model, xb, yb);
  const M = 20000;
  for (let i = 0; i < 2000; i++) cstep(model, xb, yb);
  let t = performance.now();
  for (let i = 0; i < M; i++) cstep(model, xb, yb);
  const stepHit = ((performance.now() - t) * 1000) / M;
  t = performance.now();
  for (let i = 0; i < 2000; i++) step(model, xb, yb);
  const stepEager = ((performance.now() - t) * 1000) / 2000;
  console.log(`mlp step hit ${stepHit.toFixed(2)}us (eager graph build ${stepEager.toFixed(2)}us)`);
});
