/**
 * A compiled function's intermediates (nodes its replay makes that are not results) have their
 * memory returned as soon as their last consumer has run, not at garbage collection; results,
 * views of intermediates that are results, and intermediates a later evaluation still needs keep
 * theirs.
 */
import { describe, expect, it } from 'vitest';
import { assertAllClose } from '@mlx-ts/testing';
import { mx, onBackend } from '../helpers/index.js';

type A = mx.Array;

const hasCpu = mx.listBackends().some((b) => b.name === 'cpu');
const KB = 1024;

// [128, 128] float32 is 64 KiB: the smallest output the cpu backend's buffer cache counts.
const n = 128;
const input = (): A => mx.divide(mx.reshape(mx.arange(n * n), [n, n]), n * n);

describe.skipIf(!hasCpu)('compile: intermediates [cpu]', () => {
  const used = (): number => mx.getBackendByName('cpu').memoryInUse!()!;

  it('frees an intermediate once its consumers have run; the result keeps its memory', () => {
    onBackend('cpu', () => {
      const f = (a: A) => mx.matmul(mx.matmul(a, a), a);
      const cf = mx.compile(f);
      const a = input();
      mx.eval(a);
      cf(a); // traces
      const before = used();
      const out = cf(a);
      mx.eval(out);
      // Only the result is live: the product a @ a went back when the second matmul had run.
      expect(used() - before).toBe(64 * KB);
      assertAllClose(out, f(a), { what: 'compiled vs eager' });
    });
  });

  it('keeps an intermediate that an output evaluated later still reads, and a view of one that is a result', () => {
    onBackend('cpu', () => {
      const f = (a: A) => {
        const h = mx.matmul(a, a);
        return [mx.matmul(h, a), mx.exp(mx.matmul(h, h)), mx.reshape(h, [-1])];
      };
      const cf = mx.compile(f);
      const a = input();
      mx.eval(a);
      const [p, q, view] = cf(a) as [A, A, A];
      mx.eval(p);
      mx.eval(view);
      mx.eval(q);
      const [wp, wq, wv] = f(a) as [A, A, A];
      assertAllClose(p, wp, { what: 'first output' });
      assertAllClose(q, wq, { what: 'output evaluated last' });
      assertAllClose(view, wv, { what: 'view of the intermediate' });
    });
  });

  it('a training loop keeps its live memory flat without collection', () => {
    onBackend('cpu', () => {
      let w = input();
      const x = input();
      mx.eval(w, x);
      const step = mx.compile((w: A, x: A) => {
        const h = mx.maximum(mx.matmul(x, w), 0);
        const g = mx.matmul(mx.transpose(x), mx.multiply(h, 0.01));
        return mx.subtract(w, g);
      });
      w = step(w, x);
      mx.eval(w);
      const start = used();
      for (let i = 0; i < 20; i++) {
        w = step(w, x);
        mx.eval(w);
      }
      // Each step's h and g are freed by the step itself; only the replaced weights wait for collection.
      expect(used() - start).toBeLessThanOrEqual(20 * 64 * KB);
    });
  });
});
