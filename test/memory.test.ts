/**
 * Memory release: an Array that goes out of scope frees its buffer (even in a synchronous loop,
 * with no dispose), dispose() and `using` free it at once, and evaluated arrays drop their
 * inputs so graphs do not pin memory.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { mx, onBackend } from './helpers/index.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const names = mx.listBackends().map((b) => b.name);
const hasCpu = names.includes('cpu');
const MB = 1024 * 1024;

/** Lets FinalizationRegistry callbacks run, then collects again. */
async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('memory release on the native cpu backend', () => {
  it.skipIf(!hasCpu)(
    hasCpu
      ? '200 arrays of 100 MB (float32 [25_000_000]) allocated in a synchronous loop without dispose keep RSS under 2 GB'
      : "SKIPPED: the 'cpu' backend is not registered (its native addon did not build), so native buffer release cannot be shown",
    () => {
      onBackend('cpu', () => {
        const start = process.memoryUsage().rss;
        let peak = start;
        let check = 0;
        for (let i = 0; i < 200; i++) {
          const a = mx.add(mx.zeros([25_000_000]), 1);
          mx.eval(a);
          check += a.index(i * 1000).item();
          peak = Math.max(peak, process.memoryUsage().rss);
        }
        expect(check).toBe(200);
        expect(peak, `peak RSS ${(peak / MB).toFixed(0)} MB (start ${(start / MB).toFixed(0)} MB)`).toBeLessThan(2048 * MB);
      });
    },
    300_000,
  );
});

/** A chain of 10 multiplies, evaluated through a sum; returns weak references to the intermediates. */
function buildChain(): { refs: WeakRef<mx.Array>[]; out: mx.Array } {
  const refs: WeakRef<mx.Array>[] = [];
  let h: mx.Array = mx.add(mx.zeros([100_000]), 1);
  for (let i = 0; i < 10; i++) {
    h = mx.multiply(h, 1.5);
    refs.push(new WeakRef(h));
  }
  const out = mx.sum(h);
  mx.eval(out);
  return { refs, out };
}

describe.each(names)('memory [%s]', (backend) => {
  const used = () => mx.getBackendByName(backend).memoryInUse?.();
  // The byte checks below need a backend that counts; the native one must (its buffer cache is on here).
  if (backend === 'cpu') {
    it('the native backend reports the memory its outputs hold', () => {
      expect(used()).toBeTypeOf('number');
    });
  }

  it('dispose() frees the buffer at once', () => {
    onBackend(backend, () => {
      const before = used();
      const a = mx.add(mx.zeros([1_000_000]), 1);
      mx.eval(a);
      const during = used();
      a.dispose();
      const after = used();
      if (before !== undefined) {
        expect(during! - before!).toBeGreaterThanOrEqual(4_000_000);
        expect(after! - before!).toBeLessThan(4_000_000);
      }
      expect(() => a.tolist()).toThrow(/disposed/);
    });
  });

  it('dispose() while an asyncEval is pending wins: the result is dropped, its memory freed, later use throws', async () => {
    mx.useBackend(backend);
    try {
      const before = used();
      const y = mx.add(mx.zeros([1_000_000]), 1);
      const pending = mx.asyncEval(y);
      y.dispose();
      await pending;
      const after = used();
      if (before !== undefined) expect(after! - before!).toBeLessThan(4_000_000);
      expect(y.isEvaluated).toBe(false);
      expect(() => y.tolist()).toThrow(/disposed/);
      expect(() => mx.add(y, 1).tolist()).toThrow(/disposed/);
      // A second dispose after the promise settled is harmless.
      y.dispose();
    } finally {
      mx.useBackend(null);
    }
  });

  it('an array disposed while a pending asyncEval reads it still feeds the other outputs', async () => {
    mx.useBackend(backend);
    try {
      const before = used();
      const y = mx.add(mx.zeros([1_000_000]), 2);
      // No intermediate between y and z: an unreachable one would hold its buffer until collection.
      const z = mx.sum(y);
      const pending = mx.asyncEval(z, y);
      y.dispose();
      await pending;
      expect(z.item()).toBe(2_000_000);
      expect(() => y.tolist()).toThrow(/disposed/);
      const after = used();
      if (before !== undefined) expect(after! - before!).toBeLessThan(4_000_000);
    } finally {
      mx.useBackend(null);
    }
  });

  it('an output of a multi-output node disposed before evaluation is freed when its siblings are computed', () => {
    onBackend(backend, () => {
      const a = mx.add(mx.zeros([1_000_000]), 7);
      mx.eval(a);
      const before = used();
      const [q, r] = mx.divmod(a, 2);
      r.dispose();
      mx.eval(q);
      const after = used();
      if (before !== undefined) expect(after! - before!).toBeLessThan(8_000_000);
      expect(q.index(0).item()).toBe(3);
      expect(() => r.tolist()).toThrow(/disposed/);
    });
  });

  it('`using` frees the buffer at the end of the block', () => {
    onBackend(backend, () => {
      const before = used();
      let inside: number | undefined;
      {
        using a = mx.add(mx.zeros([1_000_000]), 2);
        mx.eval(a);
        inside = used();
        // A host copy, not a view: a live view would (rightly) keep the storage after dispose.
        expect(a.toTypedArray()[5]).toBe(2);
      }
      const after = used();
      if (before !== undefined) {
        expect(inside! - before!).toBeGreaterThanOrEqual(4_000_000);
        expect(after! - before!).toBeLessThan(4_000_000);
      }
    });
  });

  it('dispose of a view keeps the storage alive for the other holders', () => {
    onBackend(backend, () => {
      const a = mx.add(mx.zeros([10]), 3);
      mx.eval(a);
      const v = a.index('2:5');
      mx.eval(v);
      v.dispose();
      expect(a.tolist()).toEqual(new Array(10).fill(3));
      a.dispose();
    });
  });

  it('evaluated arrays drop their inputs (the graph is detached)', () => {
    onBackend(backend, () => {
      const x = mx.ones([4]);
      const y = mx.exp(mx.add(x, 1));
      const z = mx.multiply(y, 2);
      expect(z.inputs.length).toBe(2);
      expect(z.primitive).toBe('multiply');
      mx.eval(z);
      expect(z.inputs.length).toBe(0);
      expect(z.primitive).toBeNull();
      expect(y.inputs.length).toBe(0);
      expect(z.isEvaluated).toBe(true);
    });
  });

  it('intermediates of an evaluated graph become unreachable and are collected', async () => {
    mx.useBackend(backend);
    try {
      const { refs, out } = buildChain();
      await settle();
      const alive = refs.filter((r) => r.deref() !== undefined).length;
      expect(alive).toBe(0);
      expect(out.item()).toBeCloseTo(100_000 * 1.5 ** 10, -2);
    } finally {
      mx.useBackend(null);
    }
  });

  it('unreachable evaluated arrays release their buffers after collection', async () => {
    mx.useBackend(backend);
    try {
      await settle();
      const before = used();
      for (let i = 0; i < 20; i++) mx.eval(mx.add(mx.zeros([250_000]), i));
      await settle();
      const after = used();
      if (before !== undefined) expect(after! - before!).toBeLessThan(4 * 250_000 * 2);
    } finally {
      mx.useBackend(null);
    }
  });
});
