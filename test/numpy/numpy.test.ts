/**
 * Issue 17's ops against NumPy: fixed inputs and outputs (and gradients where the fixture has a
 * cotangent) computed by numpy_fixtures.py, checked on every backend. Floating cases run in
 * float32 and float64; integer and bit-cast cases in their own dtypes, exactly.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mx } from '../helpers/index.js';

type Num = number | 'inf' | '-inf' | 'nan';
interface Enc {
  shape: number[];
  dtype: string;
  data: Num[];
}
interface Fixture {
  op: string;
  args: Record<string, any>;
  out: Enc | null;
  outs?: Enc[];
  cot?: Enc;
  grads?: Enc[];
  path?: number[][];
}

const fixtures = JSON.parse(readFileSync(new URL('./numpy_fixtures.json', import.meta.url), 'utf8')) as {
  constants: Record<string, Num>;
  cases: Fixture[];
};

const num = (v: Num): number => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === 'nan' ? NaN : v);
const isEnc = (v: unknown): v is Enc => typeof v === 'object' && v !== null && 'shape' in v && 'data' in v;
/** A fixture array in `floatAs` when it is float64 (the case's dtype under test), else in its own dtype. */
const decode = (e: Enc, floatAs: mx.Dtype): mx.Array => mx.array(e.data.map(num), e.dtype === 'float64' ? floatAs : (e.dtype as mx.DtypeName)).reshape(e.shape);

function expectClose(got: mx.Array, want: Enc, tol: number, what: string): void {
  expect(got.shape, what).toEqual(want.shape);
  const flat = Array.from(got.astype(mx.float64).toTypedArray() as Float64Array);
  const w = want.data.map(num);
  const scale = Math.max(1, ...w.filter(Number.isFinite).map(Math.abs));
  flat.forEach((v, i) => {
    const e = w[i]!;
    const ok = Number.isNaN(e) ? Number.isNaN(v) : Number.isFinite(e) ? Math.abs(v - e) <= tol * scale : v === e;
    if (!ok) throw new Error(`${what}: element ${i} is ${v}, NumPy gives ${e}`);
  });
}

/** The call each op's fixture stands for, its array arguments first (the differentiated ones for gradients). */
function call(c: Fixture, dt: mx.Dtype): { arrays: mx.Array[]; f: (...xs: mx.Array[]) => mx.Array | mx.Array[] } {
  const a = c.args;
  const arr = (k: string) => decode(a[k] as Enc, dt);
  switch (c.op) {
    case 'logcumsumexp':
      return { arrays: [arr('a')], f: (x) => mx.logcumsumexp(x!, { axis: a.axis, reverse: a.reverse, inclusive: a.inclusive }) };
    case 'view':
      return { arrays: [decode(a.a, mx.float64)], f: (x) => mx.view(x!, a.dtype) };
    case 'asStrided':
      return { arrays: [arr('a')], f: (x) => mx.asStrided(x!, a.shape, a.strides, a.offset) };
    case 'gatherMm':
      return { arrays: [arr('a'), arr('b')], f: (x, y) => mx.gatherMm(x!, y!, a.lhsIndices, a.rhsIndices) };
    case 'blockMaskedMm': {
      const mask = (k: string) => (a[k] === null ? null : arr(k));
      return { arrays: [arr('a'), arr('b')], f: (x, y) => mx.blockMaskedMm(x!, y!, a.blockSize, mask('maskOut'), mask('maskLhs'), mask('maskRhs')) };
    }
    case 'slice':
      return { arrays: [arr('a')], f: (x) => mx.slice(x!, mx.array(a.startIndices, mx.int32), a.axes, a.sliceSize) };
    case 'sliceUpdate':
      return { arrays: [arr('src'), arr('update')], f: (x, u) => mx.sliceUpdate(x!, u!, mx.array(a.startIndices, mx.int32), a.axes) };
    case 'einsum':
      return { arrays: (a.operands as Enc[]).map((o) => decode(o, dt)), f: (...xs) => mx.einsum(a.subscripts, ...xs) };
    case 'kron':
      return { arrays: [arr('a'), arr('b')], f: (x, y) => mx.kron(x!, y!) };
    case 'meshgrid':
      return { arrays: (a.arrays as Enc[]).map((o) => decode(o, dt)), f: (...xs) => mx.meshgrid(...xs, { indexing: a.indexing, sparse: a.sparse }) };
    case 'roll':
      return { arrays: [arr('a')], f: (x) => mx.roll(x!, a.shift, a.axis ?? undefined) };
    case 'hadamardTransform':
      return { arrays: [arr('a')], f: (x) => mx.hadamardTransform(x!, a.scale) };
    case 'bitwiseInvert':
      return { arrays: [arr('a')], f: (x) => mx.bitwiseInvert(x!) };
    default: {
      const fn = (mx as unknown as Record<string, (x: mx.Array, y: mx.Array) => mx.Array>)[c.op];
      if (!fn) throw new Error(`no mlx-ts op for fixture op '${c.op}'`);
      return { arrays: [arr('a'), arr('b')], f: (x, y) => fn(x!, y!) };
    }
  }
}

/** Whether a case's values are floats that a float32 run can check (bit casts and integer ops run once, as they are). */
const floating = (c: Fixture) => c.op !== 'view' && (c.out === null || c.out.dtype === 'float64');

for (const backend of mx.listBackends().map((b) => b.name)) {
  describe(`issue 17's ops against NumPy on '${backend}'`, () => {
    fixtures.cases.forEach((c, k) => {
      const dtypes = floating(c) ? [mx.float32, mx.float64] : [mx.float64];
      for (const dt of dtypes) {
        const tol = dt === mx.float64 ? 1e-9 : 2e-5;
        it(`${k}: ${c.op} ${JSON.stringify(Object.fromEntries(Object.entries(c.args).filter(([, v]) => !isEnc(v))))} (${floating(c) ? dt.name : 'exact'})`, () => {
          mx.useBackend(backend);
          try {
            const { arrays, f } = call(c, dt);
            const out = f(...arrays);
            if (c.outs) (out as mx.Array[]).forEach((o, i) => expectClose(o, c.outs![i]!, tol, `output ${i}`));
            else {
              const o = out as mx.Array;
              if (!floating(c)) expect(o.dtype.name, 'dtype').toBe(c.out!.dtype);
              expectClose(o, c.out!, floating(c) ? tol : 0, 'output');
            }
            if (c.cot && c.grads) {
              const [, grads] = mx.vjp((...xs: mx.Array[]) => f(...xs) as mx.Array, arrays, [decode(c.cot, dt)]);
              c.grads.forEach((g, i) => expectClose(grads[i]!, g, tol, `gradient ${i}`));
            }
            if (c.path) expect(mx.einsumPath(c.args.subscripts, ...arrays)[0], 'contraction order').toEqual(c.path);
          } finally {
            mx.useBackend(null);
          }
        });
      }
    });
  });
}

describe('constants against NumPy', () => {
  it.each(Object.entries(fixtures.constants))('%s', (name, v) => {
    const got = (mx as unknown as Record<string, number>)[name];
    if (v === 'nan') expect(Number.isNaN(got)).toBe(true);
    else expect(got).toBe(num(v));
  });
  it('newaxis is null (NumPy: None)', () => {
    expect(mx.newaxis).toBeNull();
  });
});
