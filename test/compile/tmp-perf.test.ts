import { it } from 'vitest';
import { mx, useFusedReference } from './helpers.js';
type A = mx.Array;
it('perf', () => {
  useFusedReference();
  const f = (x: A) => mx.add(mx.multiply(mx.exp(x), x), 1);
  const cf = mx.compile(f);
  const x = mx.ones([10]);
  cf(x);
  const N = 20000;
  for (let i = 0; i < 2000; i++) cf(x);
  let t = performance.now();
  for (let i = 0; i < N; i++) cf(x);
  const hit = ((performance.now() - t) * 1000) / N;
  t = performance.now();
  for (let i = 0; i < N; i++) f(x);
  const eager = ((performance.now() - t) * 1000) / N;
  // MLP step
  const loss = (p: { w1: A; w2: A }, xb: A, yb: A) => mx.mean(mx.square(mx.subtract(mx.matmul(mx.maximum(mx.matmul(xb, p.w1), 0), p.w2), yb)));
  const model = { w1: mx.ones([8, 16]), w2: mx.ones([16, 1]) };
  const step = (xb: A, yb: A) => {
    const [l, g] = mx.valueAndGrad(loss)(model, xb, yb) as [A, { w1: A; w2: A }];
    model.w1 = mx.subtract(model.w1, mx.multiply(g.w1, 0.01));
    model.w2 = mx.subtract(model.w2, mx.multiply(g.w2, 0.01));
    return l;
  };
  const cstep = mx.compile(step, { inputs: model, outputs: model });
  const xb = mx.ones([4, 8]), yb = mx.ones([4, 1]);
  cstep(xb, yb);
  const M = 5000;
  t = performance.now();
  for (let i = 0; i < M; i++) cstep(xb, yb);
  const stepHit = ((performance.now() - t) * 1000) / M;
  t = performance.now();
  for (let i = 0; i < M; i++) step(xb, yb);
  const stepEager = ((performance.now() - t) * 1000) / M;
  console.log(`cache hit ${hit.toFixed(2)}us (eager graph build ${eager.toFixed(2)}us); mlp step hit ${stepHit.toFixed(2)}us (eager graph build ${stepEager.toFixed(2)}us)`);
});
import { inspectCompiled } from '../../packages/transforms/src/compile/index.js';
it('mlp graph', () => {
  useFusedReference();
  const loss = (p: { w1: A; w2: A }, xb: A, yb: A) => mx.mean(mx.square(mx.subtract(mx.matmul(mx.maximum(mx.matmul(xb, p.w1), 0), p.w2), yb)));
  const model = { w1: mx.ones([8, 16]), w2: mx.ones([16, 1]) };
  const step = (xb: A, yb: A) => {
    const [l, g] = mx.valueAndGrad(loss)(model, xb, yb) as [A, { w1: A; w2: A }];
    model.w1 = mx.subtract(model.w1, mx.multiply(g.w1, 0.01));
    model.w2 = mx.subtract(model.w2, mx.multiply(g.w2, 0.01));
    return l;
  };
  const cstep = mx.compile(step, { inputs: model, outputs: model });
  const r = inspectCompiled(cstep, mx.ones([4, 8]), mx.ones([4, 1]))!;
  console.log(r.stats, r.fused.vals.length);
  console.log(mx.exportToDot(cstep, mx.ones([4, 8]), mx.ones([4, 1])));
});
