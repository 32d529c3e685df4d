/**
 * Generated kernels (packages/cpu-backend/src/jit): C++ written for a fused program, built by the
 * system compiler and loaded. They must give the interpreter's results bit for bit, for every
 * elementwise primitive and every dtype, with contiguous, strided and broadcast inputs, and the
 * disk cache and the background build must behave.
 *
 * Each dtype's case is one fused kernel that computes every primitive for every element and
 * selects one result per element (a chain of `where`s on a selector input), so one build covers
 * all primitives.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureJit, jitStatus } from '@mlx-ts/cpu-backend';
import { fc } from '@mlx-ts/testing';
import { mx } from './helpers.js';

type A = mx.Array;

const available = jitStatus().unavailable === null;
const cacheDir = mkdtempSync(join(os.tmpdir(), 'mlx-ts-jit-test-'));

const bytes = (x: A): Uint8Array => {
  const t = x.toTypedArray();
  return new Uint8Array(t.buffer, t.byteOffset, t.byteLength).slice();
};

/** Runs `run` with kernel generation in `mode` and returns the output's bytes. */
function withJit(mode: 'sync' | 'off', run: () => A): Uint8Array {
  configureJit({ mode });
  try {
    return bytes(run());
  } finally {
    configureJit({ mode: 'off' });
  }
}

const SPECIAL = [0, -0, 1, -1, 0.5, -0.5, 2.5, -2.5, 3, 7, -7, 0.25, 100, -100, 1e30, -1e-30, NaN, Infinity, -Infinity, 0.9, -0.9, 12345.678, 2, -3];
const OTHER = [1, 2, -1, 0, 3, -2.5, 0.5, NaN, 7, -7, 1e-3, 4, -0, Infinity, 5, -4, 0.75, 2, 3, -1, 10, 0.1, 1e20, -9];

/** The op of the same name as an elementwise primitive (float-only ones cast integer inputs to float first). */
function opNamed(prim: string): (...args: A[]) => A {
  const f = (mx as unknown as Record<string, unknown>)[prim];
  if (typeof f !== 'function') throw new Error(`no op named after the elementwise primitive '${prim}'`);
  return f as (...args: A[]) => A;
}

/** Every elementwise primitive of core's families, each with a result cast to the inputs' dtype. */
const CASES: ((a: A, b: A, c: A) => A)[] = [
  ...[...mx.unarySameDtype, ...mx.unaryPredicate].map(opNamed).map((f) => (a: A) => f(a)),
  ...[...mx.binarySameDtype, ...mx.binaryPredicate].map(opNamed).map((f) => (a: A, b: A) => f(a, b)),
  (a, b, c) => mx.where(c, a, b),
  ...mx.realDtypes.map((d) => (a: A) => mx.astype(mx.astype(a, d), a.dtype)),
];

/** The indices in CASES of the integer family's ops, which refuse floating inputs. */
const INTEGER_ONLY: ReadonlySet<number> = new Set(
  [...mx.unarySameDtype, ...mx.unaryPredicate, ...mx.binarySameDtype, ...mx.binaryPredicate].flatMap((p, k) =>
    (mx.unaryInteger as readonly string[]).includes(p) || (mx.binaryInteger as readonly string[]).includes(p) ? [k] : [],
  ),
);

/** out[i] = CASES[i % CASES.length](a, b, c)[i], as one fused kernel. */
function everyPrimitive(a: A, b: A, c: A, sel: A): A {
  const at = (k: number): A => {
    try {
      return mx.astype(CASES[k]!(a, b, c), a.dtype);
    } catch (e) {
      // Only bool lacks primitives (negative, subtract), and only integers take the integer family; anything else throwing is a failure.
      if (a.dtype !== mx.bool && !(INTEGER_ONLY.has(k) && !a.dtype.isInteger)) throw e;
      return a;
    }
  };
  let out = at(0);
  for (let k = 1; k < CASES.length; k++) out = mx.where(mx.equal(sel, k), at(k), out);
  return out;
}

function inputsFor(dtype: mx.Dtype, n: number): [A, A, A, A] {
  const vals = (src: number[]) => Array.from({ length: n }, (_, i) => src[i % src.length]! * (1 + Math.floor(i / src.length) * 0.37));
  const finite = (v: number) => (Number.isFinite(v) ? v : 0);
  const cast = (xs: number[]) => (dtype.isFloating ? xs : xs.map((v) => Math.trunc(finite(v)) % 100));
  const a = mx.array(cast(vals(SPECIAL)), dtype);
  const b = mx.array(cast(vals(OTHER)), dtype);
  const c = mx.array(
    Array.from({ length: n }, (_, i) => (i * 7) % 3 === 0),
    mx.bool,
  );
  const sel = mx.array(
    Array.from({ length: n }, (_, i) => i % CASES.length),
    mx.int32,
  );
  return [a, b, c, sel];
}

describe.runIf(available)('compile: generated CPU kernels', () => {
  beforeAll(() => {
    mx.useBackend('cpu');
    configureJit({ cacheDir, mode: 'off' });
  });
  afterAll(() => {
    configureJit({ mode: 'off' });
    mx.useBackend(null);
    rmSync(cacheDir, { recursive: true, force: true });
  });

  for (const dtype of mx.realDtypes) {
    it(`every elementwise primitive on ${dtype.name}: generated == interpreted == eager, bit for bit`, () => {
      const inputs = inputsFor(dtype, CASES.length * 24);
      const cf = mx.compile(everyPrimitive);
      const built = jitStatus().ready;
      const generated = withJit('sync', () => cf(...inputs));
      expect(jitStatus().ready).toBe(built + 1);
      const size = dtype.size;
      const differing = (other: Uint8Array) => {
        const bad: string[] = [];
        for (let i = 0; i < generated.length / size && bad.length < 5; i++) {
          const g = generated.subarray(i * size, (i + 1) * size).join(',');
          const o = other.subarray(i * size, (i + 1) * size).join(',');
          if (g !== o) bad.push(`element ${i} (case ${i % CASES.length}): ${g} vs ${o}`);
        }
        return bad;
      };
      expect(differing(withJit('off', () => cf(...inputs)))).toEqual([]);
      expect(differing(bytes(everyPrimitive(...inputs)))).toEqual([]);
    });
  }

  it('strided, broadcast and offset inputs take the tiled path', () => {
    const f = (x: A, y: A, s: A) => mx.add(mx.multiply(mx.exp(x), y), s);
    const cf = mx.compile(f);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 90 }), (r, c) => {
        const x = mx.transpose(mx.random.normal([c, r])); // strided
        const y = mx.index(mx.random.normal([r, c + 3]), ':', '2:-1'); // offset rows
        const s = mx.array(0.25); // broadcast scalar
        const want = bytes(f(x, y, s));
        expect(withJit('sync', () => cf(x, y, s))).toEqual(want);
        const row = mx.broadcastTo(mx.random.normal([c]), [r, c]);
        expect(withJit('sync', () => cf(x, y, row))).toEqual(bytes(f(x, y, row)));
      }),
      { numRuns: 15 },
    );
  });

  it('large inputs split across threads give the same bits', () => {
    const f = (x: A) => mx.add(mx.multiply(mx.tanh(x), x), 1);
    const x = mx.random.normal([1 << 20]);
    // Buffer.compare: a deep toEqual over megabytes takes seconds.
    expect(
      Buffer.compare(
        withJit('sync', () => mx.compile(f)(x)),
        bytes(f(x)),
      ),
    ).toBe(0);
  });

  it('builds in the background, runs interpreted meanwhile, then switches', async () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'mlx-ts-jit-async-'));
    try {
      configureJit({ cacheDir: dir, mode: 'async' });
      // Two fused kernels (the reduction splits them), asked for by one evaluation.
      const f = (x: A) => mx.concatenate([mx.subtract(mx.sigmoid(x), mx.multiply(x, 0.125)), mx.tanh(mx.add(mx.sum(x), x))]);
      const cf = mx.compile(f);
      const x = mx.random.normal([5000]);
      const want = bytes(f(x));
      expect(bytes(cf(x))).toEqual(want); // at once, through the interpreter
      await mx.waitForKernels();
      expect(jitStatus()).toMatchObject({ pending: 0, ready: 2, failed: 0 });
      expect(readdirSync(dir).filter((n) => /^batch-.*\.so$/.test(n))).toHaveLength(1); // one build for both
      expect(bytes(cf(x))).toEqual(want);

      // A new process (here: a cleared in-memory table) loads the libraries from disk.
      const loaded = jitStatus().fromDisk;
      configureJit({ cacheDir: dir });
      expect(bytes(cf(x))).toEqual(want);
      expect(jitStatus()).toMatchObject({ ready: 2, fromDisk: loaded + 2 });
    } finally {
      configureJit({ cacheDir, mode: 'off' });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('programs that differ only in constants share one kernel', () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'mlx-ts-jit-consts-'));
    try {
      configureJit({ cacheDir: dir, mode: 'sync' });
      // A JS number is part of the signature: each value retraces into a program with its own constant.
      const f = (x: A, s: number) => mx.add(mx.multiply(mx.exp(x), s), 1);
      const cf = mx.compile(f);
      const x = mx.random.normal([1000]);
      for (const s of [0.5, -2, 3.25, Infinity, NaN]) expect(bytes(cf(x, s))).toEqual(bytes(f(x, s)));
      expect(jitStatus()).toMatchObject({ ready: 1, failed: 0 });
    } finally {
      configureJit({ cacheDir, mode: 'off' });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('asyncEval runs generated kernels on the worker thread', async () => {
    const f = (x: A) => mx.multiply(mx.expm1(x), mx.log1p(mx.abs(x)));
    const cf = mx.compile(f);
    const x = mx.random.normal([300_000]);
    configureJit({ mode: 'sync' });
    try {
      const y = cf(x);
      await mx.asyncEval(y);
      expect(Buffer.compare(bytes(y), bytes(f(x)))).toBe(0);
    } finally {
      configureJit({ mode: 'off' });
    }
  });

  it('without a usable cache directory, compiled functions run interpreted', () => {
    const file = join(cacheDir, 'not-a-directory');
    writeFileSync(file, '');
    try {
      configureJit({ cacheDir: join(file, 'kernels'), mode: 'sync' });
      const f = (x: A) => mx.add(mx.square(x), 3);
      const x = mx.random.normal([100]);
      expect(bytes(mx.compile(f)(x))).toEqual(bytes(f(x)));
      expect(jitStatus().unavailable).toMatch(/cannot create the kernel cache/);
      expect(jitStatus().ready).toBe(0);
    } finally {
      configureJit({ cacheDir, mode: 'off' });
    }
  });

  it('configureJit rejects an unknown mode', () => {
    expect(() => configureJit({ mode: 'fast' as never })).toThrow(/configureJit: mode must be 'async', 'sync' or 'off', got a string \('fast'\)/);
  });
});
