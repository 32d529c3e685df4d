import { it } from 'vitest';
import * as mx from 'mlx-ts';
it('cpu', () => {
  console.log(mx.listBackends().map((b) => `${b.name}:${b.supports('compiled')}`));
  const f = (x: mx.Array) => mx.add(mx.multiply(mx.exp(x), x), 1);
  const cf = mx.compile(f);
  const x = mx.random.normal([1000]);
  console.log(mx.allclose(cf(x), f(x)).item());
  const big = mx.random.normal([10_000_000]);
  mx.eval(big);
  for (let r = 0; r < 3; r++) {
    let t = performance.now(); mx.eval(cf(big)); const tc = performance.now() - t;
    t = performance.now(); mx.eval(f(big)); const te = performance.now() - t;
    console.log(`1e7 exp(x)*x+1: compiled ${tc.toFixed(1)}ms eager ${te.toFixed(1)}ms`);
  }
});
