// mx.compile's fixed costs (issue 5's targets): a cache hit (signature, lookup, replay as lazy
// nodes, nothing evaluated) and the first call of an MLP training step (trace, simplify, fuse).
import * as mx from 'mlx-ts';

function perCall(fn, n) {
  for (let i = 0; i < n / 10; i++) fn();
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, ((performance.now() - t) * 1000) / n);
  }
  return best;
}

const f = (x) => mx.add(mx.multiply(mx.exp(x), x), 1);
const cf = mx.compile(f);
const x = mx.ones([10]);
cf(x);
const hit = perCall(() => cf(x), 20000);

const loss = (p, xb, yb) => mx.mean(mx.square(mx.subtract(mx.matmul(mx.maximum(mx.matmul(xb, p.w1), 0), p.w2), yb)));
const step = (model, xb, yb) => {
  const [l, g] = mx.valueAndGrad(loss)(model, xb, yb);
  return [l, { w1: mx.subtract(model.w1, mx.multiply(g.w1, 0.01)), w2: mx.subtract(model.w2, mx.multiply(g.w2, 0.01)) }];
};
const model = { w1: mx.ones([8, 16]), w2: mx.ones([16, 1]) };
const xb = mx.ones([4, 8]), yb = mx.ones([4, 1]);
mx.compile(step)(model, xb, yb); // warm V8's JIT on the compiler itself
const cstep = mx.compile(step);
const t0 = performance.now();
cstep(model, xb, yb);
const first = performance.now() - t0;
const stepHit = perCall(() => cstep(model, xb, yb), 5000);
const stepEager = perCall(() => step(model, xb, yb), 500);
console.log(`compile cache hit, exp(x)*x+1: ${hit.toFixed(2)} us/call (target <= 20)`);
console.log(`compile cache hit, MLP SGD step: ${stepHit.toFixed(2)} us/call; building it eagerly: ${stepEager.toFixed(1)} us`);
console.log(`first call of the MLP step (trace, simplify, fuse): ${first.toFixed(2)} ms (target <= 200)`);
