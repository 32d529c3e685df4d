/**
 * compile's `donate`: donated arguments are disposed by the call, their storage becomes a
 * result's when that is invisible (and only then), and results never differ from the same
 * function undonated. On the cpu backend (which takes donations) and the reference backend
 * (which never does: the semantics are the same there).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configureJit, jitStatus } from '@mlx-ts/cpu-backend';
import { assertAllClose, fc } from '@mlx-ts/testing';
import { mx, onBackend } from '../helpers/index.js';
import { addon } from '../../packages/cpu-backend/src/addon.js';

type A = mx.Array;

const hasCpu = mx.listBackends().some((b) => b.name === 'cpu');
const backends = ['reference', ...(hasCpu ? ['cpu'] : [])];

/** The ArrayBuffer (or other handle) an evaluated array's values live in. */
const handleOf = (a: A): unknown => {
  mx.eval(a);
  return a[mx.$data]!.storage.handle;
};

/** Values as plain numbers, NaN as the string 'NaN', so results compare exactly. */
const valuesOf = (a: A): unknown[] => [...a.toTypedArray()].map((v) => (Number.isNaN(Number(v)) ? 'NaN' : Number(v)));

const fresh = (n: number, seed = 1): A => {
  const x = mx.array(
    Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed) * 2),
    mx.float32,
  );
  mx.eval(x);
  return x;
};

/** A fresh array of this shape that shares its storage with no other array (the reshaped base is disposed). */
const freshShaped = (shape: readonly number[], seed = 1): A => {
  if (shape.length === 1) return fresh(shape[0]!, seed);
  const base = fresh(
    shape.reduce((p, q) => p * q, 1),
    seed,
  );
  const r = mx.reshape(base, shape);
  mx.eval(r);
  base.dispose();
  return r;
};

const donatedError = /donated to a compiled function/;

for (const backend of backends)
  describe(`compile donate [${backend}]`, () => {
    const on = <T>(f: () => T): T => onBackend(backend, f);

    it('gives the undonated results, and the donated array is disposed', () => {
      on(() => {
        const f = (x: A) => mx.add(mx.multiply(mx.exp(x), x), 1);
        const plain = mx.compile(f);
        const cf = mx.compile(f, { donate: true });
        for (let call = 0; call < 3; call++) {
          const x = fresh(1000, call);
          const want = valuesOf(plain(x));
          const y = cf(x);
          expect(valuesOf(y)).toEqual(want);
          expect(() => x.toTypedArray()).toThrow(donatedError);
          expect(() => mx.eval(mx.add(x, 1))).toThrow(donatedError);
          expect(() => cf(x)).toThrow(donatedError);
        }
      });
    });

    it('donate: [positions] donates only those arguments (every array in their trees)', () => {
      on(() => {
        const f = (a: A, p: { b: A; c: A }, d: A) => mx.add(mx.multiply(a, p.b), mx.subtract(p.c, d));
        const cf = mx.compile(f, { donate: [1] });
        const [a, b, c, d] = [fresh(100, 1), fresh(100, 2), fresh(100, 3), fresh(100, 4)];
        const want = valuesOf(f(a, { b, c }, d));
        expect(valuesOf(cf(a, { b, c }, d))).toEqual(want);
        expect(() => b.toTypedArray()).toThrow(donatedError);
        expect(() => c.toTypedArray()).toThrow(donatedError);
        expect(valuesOf(a)).toHaveLength(100);
        expect(valuesOf(d)).toHaveLength(100);
      });
    });

    it('a lazy donated argument is computed by the call; arrays built from it before the call fail', () => {
      on(() => {
        const cf = mx.compile((x: A) => mx.tanh(x), { donate: true });
        const base = fresh(300);
        const x = mx.multiply(base, 2); // not evaluated
        const other = mx.add(x, 1); // reads x, also lazy
        const want = valuesOf(mx.tanh(mx.multiply(base, 2)));
        expect(valuesOf(cf(x))).toEqual(want);
        expect(() => mx.eval(other)).toThrow(donatedError);
      });
    });

    it('the same array at two positions, or also as state, is read correctly', () => {
      on(() => {
        const f = (a: A, b: A) => mx.add(mx.multiply(a, b), mx.exp(a));
        const cf = mx.compile(f, { donate: true });
        const x = fresh(500);
        const want = valuesOf(f(x, x));
        expect(valuesOf(cf(x, x))).toEqual(want);
        expect(() => x.toTypedArray()).toThrow(donatedError);

        const w = fresh(500, 7);
        const state = { w };
        const g = mx.compile((v: A) => mx.multiply(v, state.w), { inputs: state, donate: true });
        const wantG = valuesOf(mx.multiply(w, w));
        expect(valuesOf(g(w))).toEqual(wantG);
      });
    });

    it('an argument f returns unchanged comes back as a new, valid array', () => {
      on(() => {
        const cf = mx.compile((x: A, y: A) => [x, mx.add(x, y)], { donate: [0] });
        const x = fresh(200);
        const y = fresh(200, 2);
        const want = valuesOf(x);
        const [same, sum] = cf(x, y) as [A, A];
        expect(valuesOf(same)).toEqual(want);
        expect(sum.shape).toEqual([200]);
        expect(() => x.toTypedArray()).toThrow(donatedError);
      });
    });

    it('checks the option', () => {
      const f = (x: A) => x;
      expect(() => mx.compile(f, { donate: 'yes' as never })).toThrow(/donate must be true, false or a list of argument positions/);
      expect(() => mx.compile(f, { donate: [-1] })).toThrow(/argument positions/);
      expect(() => mx.compile(f, { donate: [0, 0] })).toThrow(/argument 0 twice/);
      on(() => {
        expect(() => mx.compile(f, { donate: [1] })(fresh(4))).toThrow(/donate names argument 1, but the call passed 1 argument/);
      });
    });

    it('under grad, vmap and jvp nothing is donated and results equal the uncompiled ones', () => {
      on(() => {
        const f = (x: A) => mx.sum(mx.multiply(mx.sin(x), x));
        const cf = mx.compile(f, { donate: true });
        const x = fresh(64);
        assertAllClose(mx.grad(cf)(x), mx.grad(f)(x), { what: 'grad' });
        const xs = mx.reshape(fresh(64, 3), [8, 8]);
        assertAllClose(mx.vmap(cf)(xs), mx.vmap(f)(xs), { what: 'vmap' });
        const [, t] = mx.jvp(cf, [x], [mx.onesLike(x)]);
        assertAllClose(t[0]!, mx.jvp(f, [x], [mx.onesLike(x)])[1][0]!, { what: 'jvp' });
        expect(valuesOf(x)).toHaveLength(64); // still valid: the transforms called f
        // grad of a compiled-with-donation function, itself compiled: the outer trace calls f too.
        const outer = mx.compile(mx.grad(cf));
        assertAllClose(outer(x), mx.grad(f)(x), { what: 'compile(grad(compile(f, donate)))' });
        expect(valuesOf(x)).toHaveLength(64);
      });
    });
  });

describe.skipIf(!hasCpu)('compile donate: storage reuse [cpu]', () => {
  const on = <T>(f: () => T): T => onBackend('cpu', f);

  it('a fused program writes its result into the donated storage', () => {
    on(() => {
      const cf = mx.compile((x: A) => mx.add(mx.multiply(mx.exp(x), x), 1), { donate: true });
      const x = fresh(4096);
      const h = handleOf(x);
      const y = cf(x);
      expect(handleOf(y)).toBe(h);
    });
  });

  it('a single elementwise op and an op with a broadcast second input reuse it too; a dtype of another size does not', () => {
    on(() => {
      const x = fresh(4096);
      const h = handleOf(x);
      const y = mx.compile((v: A) => mx.exp(v), { donate: true })(x);
      expect(handleOf(y)).toBe(h);
      const m = freshShaped([64, 64], 2);
      const hm = handleOf(m);
      const row = fresh(64, 3);
      const z = mx.compile((v: A, r: A) => mx.multiply(v, r), { donate: [0] })(m, row);
      expect(handleOf(z)).toBe(hm);
      assertAllClose(row, fresh(64, 3), { what: 'the undonated argument' });
      const w = fresh(4096, 4);
      const hw = handleOf(w);
      const half = mx.compile((v: A) => mx.astype(mx.exp(v), mx.float16), { donate: true })(w);
      expect(handleOf(half)).not.toBe(hw);
    });
  });

  it('storage another array views is not reused, and the view keeps its values', () => {
    on(() => {
      const cf = mx.compile((v: A) => mx.negative(v), { donate: true });
      const x = fresh(4096);
      const h = handleOf(x);
      const view = mx.reshape(x, [64, 64]);
      const slice = mx.index(x, '10:20');
      mx.eval(view, slice);
      const wantView = valuesOf(view);
      const wantSlice = valuesOf(slice);
      const y = cf(x);
      expect(handleOf(y)).not.toBe(h);
      expect(valuesOf(view)).toEqual(wantView);
      expect(valuesOf(slice)).toEqual(wantSlice);
      expect(valuesOf(y)).toEqual(wantView.map((v) => (v === 'NaN' ? v : -(v as number))));
    });
  });

  it('a donated argument read by two steps goes to the last one only', () => {
    on(() => {
      // The reduction reads x besides the elementwise result: the elementwise step must not overwrite it first.
      const f = (v: A) => [mx.sum(v), mx.exp(v), mx.max(v)];
      const cf = mx.compile(f, { donate: true });
      const x = fresh(4096);
      const want = (f(x) as A[]).map(valuesOf);
      const got = (cf(x) as A[]).map(valuesOf);
      expect(got).toEqual(want);
    });
  });

  it('a strided (transposed) donated argument is not reused', () => {
    on(() => {
      const m = mx.transpose(mx.reshape(fresh(4096), [64, 64]));
      mx.eval(m);
      const want = valuesOf(mx.exp(m));
      const y = mx.compile((v: A) => mx.exp(v), { donate: true })(m);
      expect(valuesOf(y)).toEqual(want);
    });
  });

  it('a chain x = f(x) keeps reusing one buffer', () => {
    on(() => {
      const step = mx.compile((v: A) => mx.add(mx.multiply(v, 0.5), 1), { donate: true });
      let x = fresh(8192);
      const h = handleOf(x);
      const undonated = mx.compile((v: A) => mx.add(mx.multiply(v, 0.5), 1));
      let ref = fresh(8192);
      for (let i = 0; i < 5; i++) {
        x = step(x);
        mx.eval(x);
        ref = undonated(ref);
      }
      expect(handleOf(x)).toBe(h);
      expect(valuesOf(x)).toEqual(valuesOf(ref));
    });
  });

  it('an asyncEval in flight that reads the storage prevents the reuse', async () => {
    const cpu = mx.getBackendByName('cpu');
    mx.useBackend('cpu');
    try {
      const x = fresh(1 << 16);
      const h = handleOf(x);
      // Both outputs read x; the async one is in flight while the donating call is evaluated.
      const cf = mx.compile((v: A) => [mx.sum(mx.multiply(v, v)), mx.exp(v)], { donate: true });
      const [s, e] = cf(x) as [A, A];
      const pending = mx.asyncEval(s);
      mx.eval(e);
      await pending;
      expect(cpu.name).toBe('cpu');
      const want = fresh(1 << 16);
      assertAllClose(s, mx.sum(mx.multiply(want, want)), { what: 'the sum evaluated asynchronously' });
      assertAllClose(e, mx.exp(want), { what: 'the elementwise result' });
      void h;
    } finally {
      mx.useBackend(null);
    }
  });

  it.runIf(jitStatus().unavailable === null)("a generated kernel (jit) writes over the donated input and gives the interpreter's bits", () => {
    const f = (v: A) => mx.add(mx.multiply(mx.exp(mx.tanh(v)), v), mx.square(v));
    const cacheDir = mkdtempSync(join(os.tmpdir(), 'mlx-ts-donate-jit-'));
    try {
      on(() => {
        const want = valuesOf(mx.compile(f)(fresh(4096, 5))); // the interpreter (the suite runs with MLX_TS_JIT=off)
        configureJit({ cacheDir, mode: 'sync' });
        const cf = mx.compile(f, { donate: true });
        const x = fresh(4096, 5);
        const h = handleOf(x);
        const before = jitStatus().ready;
        const y = cf(x);
        mx.eval(y);
        expect(jitStatus().ready).toBe(before + 1);
        expect(handleOf(y)).toBe(h);
        expect(valuesOf(y)).toEqual(want);
      });
    } finally {
      configureJit({ mode: 'off' });
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  /** Blocks the addon's buffer cache handed out (outputs of 64 KiB and more). */
  const allocations = (): number => {
    const s = addon.bufferCacheStats();
    return s.hits + s.misses;
  };

  // exp's result feeds the sum and the divide, so it is a kernel of its own; the divide reads it last.
  const expOverSum = (v: A) => {
    const e = mx.exp(v);
    return mx.divide(e, mx.sum(e));
  };
  // The second call of compiled expOverSum, still to be evaluated, and the allocation count before it.
  const secondCall = () => {
    const cf = mx.compile(expOverSum);
    const x = freshShaped([256, 256]);
    mx.eval(cf(x));
    return { x, before: allocations(), y: cf(x) };
  };
  const expectOverwritten = (how: string, { x, before, y }: ReturnType<typeof secondCall>) => {
    expect(allocations() - before).toBe(1);
    assertAllClose(y, expOverSum(x), { what: `${how} with the intermediate overwritten vs eager` });
  };

  it('an intermediate computed in the same evaluation is written over by its last reader (no donate needed)', () => {
    on(() => {
      const call = secondCall();
      mx.eval(call.y);
      expectOverwritten('compiled', call);
    });
  });

  it('an intermediate is overwritten the same way on asyncEval (the program runs on a worker)', async () => {
    mx.useBackend('cpu');
    try {
      const call = secondCall();
      await mx.asyncEval(call.y);
      expectOverwritten('asyncEval', call);
    } finally {
      mx.useBackend(null);
    }
  });

  it('an intermediate a result views, or a later step reads, is not overwritten', () => {
    on(() => {
      const f = (v: A) => {
        const e = mx.exp(v);
        const d = mx.divide(e, mx.sum(e));
        return [d, mx.reshape(e, [-1]), mx.multiply(mx.sum(d), e)];
      };
      const cf = mx.compile(f);
      const x = freshShaped([256, 256]);
      const want = f(x) as A[];
      const got = cf(x) as A[];
      want.forEach((w, i) => assertAllClose(got[i]!, w, { what: `output ${i}` }));
      const first = cf(x) as A[];
      mx.eval(first[0]!);
      assertAllClose(first[1]!, want[1]!, { what: 'the view evaluated after the other outputs' });
      assertAllClose(first[2]!, want[2]!, { what: 'the product evaluated last' });
    });
  });

  it('property: random elementwise programs give the undonated and the eager results, bit for bit', () => {
    let reused = 0;
    const UNARY = ['exp', 'negative', 'tanh', 'abs', 'square', 'sin'] as const;
    const step = fc.record({ op: fc.constantFrom('unary', 'binary', 'scalar', 'where', 'view', 'sum'), k: fc.nat(), a: fc.nat(), b: fc.nat() });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom([64, 32], [16, 8], [2048], [8, 8, 8]),
        fc.array(step, { minLength: 1, maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        (nIn, shape, steps, which) => {
          const prog = (...xs: A[]): A[] => {
            const vals = xs.slice();
            const pick = (i: number) => vals[i % vals.length]!;
            for (const s of steps) {
              const a = pick(s.a);
              const b = pick(s.b);
              let y: A;
              if (s.op === 'unary') y = (mx as any)[UNARY[s.k % UNARY.length]!](mx.tanh(a));
              else if (s.op === 'binary') y = [mx.add, mx.subtract, mx.multiply, mx.maximum][s.k % 4]!(a, b);
              else if (s.op === 'scalar') y = mx.multiply(a, 0.5 + (s.k % 3));
              else if (s.op === 'where') y = mx.where(mx.greater(a, b), a, b);
              else if (s.op === 'view') y = mx.reshape(mx.transpose(mx.reshape(a, [-1, shape[shape.length - 1]!])), a.shape);
              else y = mx.add(a, mx.sum(b));
              vals.push(y);
            }
            return [vals[vals.length - 1]!, vals[xs.length + (steps[0]!.k % steps.length)]!];
          };
          const make = () => Array.from({ length: nIn }, (_, i) => freshShaped(shape, i + 1));
          const donate = which.slice(0, nIn).flatMap((d, i) => (d ? [i] : []));
          // Eager evaluation reuses no buffer at all (its nodes may be held by anyone).
          const eager = prog(...make()).map(valuesOf);
          const want = mx
            .compile(prog)(...make())
            .map(valuesOf);
          expect(want).toEqual(eager);
          const xs = make();
          const handles = new Set(xs.filter((_, i) => donate.includes(i)).map(handleOf));
          const outs = mx.compile(prog, { donate })(...xs);
          const got = outs.map(valuesOf);
          expect(got).toEqual(want);
          if (outs.some((o) => handles.has(handleOf(o)))) reused++;
        },
      ),
      { numRuns: Number(process.env.COMPILE_RUNS ?? 60) },
    );
    // The programs exercise the reuse, not only the refusals.
    expect(reused).toBeGreaterThan(0);
  });
});
