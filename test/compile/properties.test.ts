/**
 * Properties: random DAGs of elementwise ops, broadcasts, casts and reductions over random shapes
 * and dtypes give the same results compiled (traced, simplified, fused) as eager; and compiled
 * functions under grad, vmap and jvp equal the same transforms without compile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureJit, jitStatus } from '@mlx-ts/cpu-backend';
import { assertAllClose, fc } from '@mlx-ts/testing';
import { mx, useFusedReference } from './helpers.js';

type A = mx.Array;

/** The reference backend with its compiled kernel, and every other backend that runs compiled kernels natively. */
function fusingBackends(): string[] {
  useFusedReference();
  mx.useBackend(null);
  const others = mx.listBackends().filter((b) => !b.name.startsWith('reference') && b.supports('compiled'));
  return ['reference-fused', ...others.map((b) => b.name)];
}

const UNARY = ['negative', 'abs', 'square', 'sin', 'tanh', 'sigmoid', 'exp', 'sqrtAbs', 'floor'] as const;
const BINARY = ['add', 'subtract', 'multiply', 'maximum', 'minimum', 'divide'] as const;
const OPS = [...UNARY, ...BINARY, 'where', 'scalar', 'astype', 'sum', 'max', 'expand'] as const;
type Op = (typeof OPS)[number];

interface Step {
  op: Op;
  a: number;
  b: number;
  c: number;
  k: number;
}
interface Spec {
  base: number[];
  inputs: { shape: number[]; dtype: mx.Dtype; values: number[] }[];
  steps: Step[];
  outputs: number[];
}

const dtypeOf = { float32: mx.float32, float16: mx.float16, bfloat16: mx.bfloat16, float64: mx.float64, int32: mx.int32 } as const;

/** A base shape, then inputs whose shapes broadcast to it (a suffix of it, some axes 1). */
function specs(opts: { floatOnly: boolean; minRank?: number }): fc.Arbitrary<Spec> {
  const dtypes = opts.floatOnly ? (['float32'] as const) : (['float32', 'float16', 'bfloat16', 'float64', 'int32'] as const);
  return fc
    .record({
      base: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: opts.minRank ?? 0, maxLength: 3 }),
      nInputs: fc.integer({ min: 1, max: 3 }),
    })
    .chain(({ base, nInputs }) => {
      const input = fc
        .record({
          rank: fc.integer({ min: opts.minRank ?? 0, max: base.length }),
          ones: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
          dtype: fc.constantFrom(...dtypes),
        })
        .chain(({ rank, ones, dtype }) => {
          const shape = base.slice(base.length - rank).map((d, i) => (ones[i] && !opts.minRank ? 1 : d));
          const n = shape.reduce((p, q) => p * q, 1);
          const v = dtype === 'int32' ? fc.integer({ min: -5, max: 5 }) : fc.double({ min: -3, max: 3, noNaN: true });
          return fc.record({ shape: fc.constant(shape), dtype: fc.constant(dtypeOf[dtype] as mx.Dtype), values: fc.array(v, { minLength: n, maxLength: n }) });
        });
      const step = fc.record({
        op: fc.constantFrom(...(opts.floatOnly ? OPS.filter((o) => o !== 'astype' && o !== 'floor') : OPS)),
        a: fc.nat(),
        b: fc.nat(),
        c: fc.nat(),
        k: fc.nat(),
      });
      return fc.record({
        base: fc.constant(base),
        inputs: fc.array(input, { minLength: nInputs, maxLength: nInputs }),
        steps: fc.array(step, { minLength: 2, maxLength: 12 }),
        outputs: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }),
      });
    });
}

const SCALARS = [0.5, 2, -1, 3];

/** Runs a spec's program on arrays (eagerly, or traced by a transform). */
function program(spec: Spec): (...xs: A[]) => A[] {
  return (...xs: A[]) => {
    const vals: A[] = xs.slice();
    const pick = (i: number) => vals[i % vals.length]!;
    for (const s of spec.steps) {
      const a = pick(s.a);
      const b = pick(s.b);
      let y: A;
      switch (s.op) {
        case 'negative':
        case 'abs':
        case 'square':
        case 'sin':
        case 'tanh':
        case 'sigmoid':
        case 'floor':
          y = (mx as any)[s.op](a);
          break;
        case 'exp':
          y = mx.exp(mx.tanh(a)); // bounded, so chains do not overflow to inf - inf
          break;
        case 'sqrtAbs':
          y = mx.sqrt(mx.add(mx.abs(a), 0.5));
          break;
        case 'divide':
          y = mx.divide(a, mx.add(mx.abs(b), 1));
          break;
        case 'where':
          y = mx.where(mx.greater(a, b), a, pick(s.c));
          break;
        case 'scalar':
          y = mx.multiply(a, SCALARS[s.k % SCALARS.length]!);
          break;
        case 'astype':
          y = mx.astype(a, a.dtype === mx.int32 ? mx.float32 : a.dtype === mx.float32 ? mx.float16 : mx.float32);
          break;
        case 'sum':
        case 'max':
          y = a.ndim === 0 ? a : (mx as any)[s.op](a, s.k % a.ndim, s.k % a.ndim !== 0 || s.c % 2 === 0); // dropping only a leading axis keeps it broadcastable
          break;
        case 'expand':
          y = mx.expandDims(a, 0);
          break;
        default:
          y = (mx as any)[s.op](a, b);
      }
      vals.push(y);
    }
    const outs = spec.outputs.map((o) => vals[xs.length + (o % spec.steps.length)]!);
    return outs;
  };
}

const inputsOf = (spec: Spec): A[] => spec.inputs.map((i) => mx.reshape(mx.array(i.values, i.dtype), i.shape));

const tol = (d: mx.Dtype) => (d.size === 2 ? { rtol: 2e-2, atol: 2e-2 } : { rtol: 1e-5, atol: 1e-5 });

/** The spec's inputs at another base shape of the same rank (axes of size 1 stay 1). */
function rescaled(spec: Spec, sizes: readonly number[]): A[] {
  return spec.inputs.map((inp, k) => {
    const lead = spec.base.length - inp.shape.length;
    const shape = inp.shape.map((d, i) => (d === 1 ? 1 : sizes[lead + i]!));
    const n = shape.reduce((p, q) => p * q, 1);
    const vals = globalThis.Array.from({ length: n }, (_, i) => (inp.dtype === mx.int32 ? ((i * 7 + k) % 11) - 5 : Math.sin(i * 1.7 + k) * 3));
    return mx.reshape(mx.array(vals, inp.dtype), shape);
  });
}

for (const backend of fusingBackends())
  describe(`compile: properties [${backend}]`, () => {
    beforeAll(() => mx.useBackend(backend));
    afterAll(() => mx.useBackend(null));

    it('shapeless: the same DAGs on new shapes of the same rank give eager results', () => {
      fc.assert(
        fc.property(specs({ floatOnly: false, minRank: 1 }), fc.array(fc.integer({ min: 2, max: 6 }), { minLength: 3, maxLength: 3 }), (spec, sizes) => {
          const f = program(spec);
          const cf = mx.compile(f, { shapeless: true });
          for (const xs of [
            inputsOf(spec),
            rescaled(spec, sizes),
            rescaled(
              spec,
              sizes.map((d) => d + 1),
            ),
          ]) {
            const want = f(...xs);
            const got = cf(...xs);
            want.forEach((w, i) => assertAllClose(got[i]!, w, { what: `output ${i} at ${xs.map((x) => mx.fmtShape(x.shape)).join(' ')}`, ...tol(w.dtype) }));
          }
        }),
        { numRuns: Number(process.env.COMPILE_RUNS ?? 40) },
      );
    });

    it('random elementwise/broadcast/reduction DAGs: compiled == eager', () => {
      fc.assert(
        fc.property(specs({ floatOnly: false }), (spec) => {
          const f = program(spec);
          const xs = inputsOf(spec);
          const want = f(...xs);
          const cf = mx.compile(f);
          const got = cf(...xs);
          const again = cf(...xs); // a cache hit
          want.forEach((w, i) => {
            assertAllClose(got[i]!, w, { what: `output ${i}`, ...tol(w.dtype) });
            assertAllClose(again[i]!, w, { what: `output ${i} (cache hit)`, ...tol(w.dtype) });
          });
        }),
        { numRuns: Number(process.env.COMPILE_RUNS ?? 60) },
      );
    });

    it('compiled under grad, vjp and jvp equals uncompiled', () => {
      fc.assert(
        fc.property(specs({ floatOnly: true }), (spec) => {
          const f = program(spec);
          const loss = (...xs: A[]) => f(...xs).reduce((acc: A | null, y) => (acc ? mx.add(acc, mx.sum(y)) : mx.sum(y)), null)!;
          const xs = inputsOf(spec);
          const argnums = xs.map((_, i) => i);
          const want = mx.grad(loss, { argnums })(...xs) as A[];
          const g1 = mx.grad(mx.compile(loss), { argnums })(...xs) as A[];
          const g2 = mx.compile(mx.grad(loss, { argnums }))(...xs) as A[];
          want.forEach((w, i) => {
            assertAllClose(g1[i]!, w, { what: `grad(compile) ${i}`, rtol: 1e-4, atol: 1e-5 });
            assertAllClose(g2[i]!, w, { what: `compile(grad) ${i}`, rtol: 1e-4, atol: 1e-5 });
          });
          const ts = xs.map((x) => mx.cos(x));
          const [, tw] = mx.jvp(f, xs, ts) as [A[], A[]];
          const [, tg] = mx.jvp(mx.compile(f), xs, ts) as [A[], A[]];
          tw.forEach((w, i) => assertAllClose(tg[i]!, w, { what: `jvp(compile) ${i}`, rtol: 1e-4, atol: 1e-5 }));
        }),
        { numRuns: Number(process.env.COMPILE_RUNS ?? 30) },
      );
    });

    it('compiled under vmap equals uncompiled, and compile(vmap) too', () => {
      fc.assert(
        fc.property(specs({ floatOnly: true, minRank: 1 }), fc.integer({ min: 1, max: 3 }), (spec, batch) => {
          const f = program(spec);
          const xs = inputsOf(spec).map((x, i) => mx.stack(globalThis.Array.from({ length: batch }, (_, b) => mx.add(x, b * (i + 1) * 0.25))));
          const want = mx.vmap(f)(...xs) as A[];
          const got = mx.vmap(mx.compile(f))(...xs) as A[];
          const got2 = mx.compile(mx.vmap(f))(...xs) as A[];
          want.forEach((w, i) => {
            assertAllClose(got[i]!, w, { what: `vmap(compile) ${i}` });
            assertAllClose(got2[i]!, w, { what: `compile(vmap) ${i}` });
          });
        }),
        { numRuns: Number(process.env.COMPILE_RUNS ?? 30) },
      );
    });
  });

// The same DAGs through kernels generated as C++ (built at once, MLX_TS_JIT=sync's behaviour):
// every build takes about half a second, so fewer runs.
const jitDir = mkdtempSync(join(os.tmpdir(), 'mlx-ts-jit-props-'));
describe.runIf(mx.listBackends().some((b) => b.name === 'cpu') && jitStatus().unavailable === null)('compile: properties [cpu, generated kernels]', () => {
  beforeAll(() => {
    mx.useBackend('cpu');
    configureJit({ mode: 'sync', cacheDir: jitDir });
  });
  afterAll(() => {
    configureJit({ mode: 'off' });
    mx.useBackend(null);
    rmSync(jitDir, { recursive: true, force: true });
  });

  it('random elementwise/broadcast/reduction DAGs: generated kernels == eager', () => {
    fc.assert(
      fc.property(specs({ floatOnly: false }), (spec) => {
        const f = program(spec);
        const xs = inputsOf(spec);
        const want = f(...xs);
        const got = mx.compile(f)(...xs);
        want.forEach((w, i) => assertAllClose(got[i]!, w, { what: `output ${i}`, ...tol(w.dtype) }));
      }),
      { numRuns: Number(process.env.COMPILE_JIT_RUNS ?? 20) },
    );
    expect(jitStatus()).toMatchObject({ failed: 0, pending: 0 });
    expect(jitStatus().ready).toBeGreaterThan(0);
  });

  it('compile(grad) and compile(vmap) (whose backward and batched programs fuse) through generated kernels', () => {
    fc.assert(
      fc.property(specs({ floatOnly: true, minRank: 1 }), (spec) => {
        const f = program(spec);
        const loss = (...xs: A[]) => f(...xs).reduce((acc: A | null, y) => (acc ? mx.add(acc, mx.sum(y)) : mx.sum(y)), null)!;
        const xs = inputsOf(spec);
        const argnums = xs.map((_, i) => i);
        const want = mx.grad(loss, { argnums })(...xs) as A[];
        const got = mx.compile(mx.grad(loss, { argnums }))(...xs) as A[];
        want.forEach((w, i) => assertAllClose(got[i]!, w, { what: `compile(grad) ${i}`, rtol: 1e-4, atol: 1e-5 }));
        const batched = xs.map((x, i) => mx.stack([x, mx.add(x, 0.5 * (i + 1))]));
        const wantV = mx.vmap(f)(...batched) as A[];
        const gotV = mx.compile(mx.vmap(f))(...batched) as A[];
        wantV.forEach((w, i) => assertAllClose(gotV[i]!, w, { what: `compile(vmap) ${i}` }));
      }),
      { numRuns: Number(process.env.COMPILE_JIT_RUNS ?? 20) / 2 },
    );
    expect(jitStatus()).toMatchObject({ failed: 0, pending: 0 });
  });
});
