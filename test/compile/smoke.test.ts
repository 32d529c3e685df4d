import { it, expect } from 'vitest';
import { mx, useFusedReference } from './helpers.js';
it('smoke', () => {
  useFusedReference();
  let n = 0;
  const f = mx.compile((x: mx.Array, y: mx.Array) => { n++; return mx.add(mx.multiply(mx.exp(x), y), 1); });
  const x = mx.array([1, 2, 3]), y = mx.array([4, 5, 6]);
  const r = f(x, y);
  console.log(r.tolist(), mx.add(mx.multiply(mx.exp(x), y), 1).tolist());
  f(x, y); f(y, x);
  console.log('traces', n, f.traceCount);
  console.log(mx.exportToDot(f, x, y));
});
