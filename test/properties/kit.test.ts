/**
 * The property kit itself: its arbitraries keep their promises, its checks pass correct rules and
 * catch wrong ones, and the README's example (a new primitive, its rules, kernels for both
 * backends, property-tested) works as written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as mx from 'mlx-ts/internals';
import { registerKernel as registerReferenceKernel } from '@mlx-ts/reference-backend';
import {
  arrays,
  axes,
  axisSets,
  broadcastableShapes,
  checkCompile,
  checkJvp,
  checkPrimitive,
  checkVjp,
  checkVmap,
  dtypes,
  fc,
  graphUses,
  indices,
  shapes,
  values,
} from '@mlx-ts/testing';

type Arr = mx.Array;

describe('arbitraries', () => {
  it('shapes, broadcastable pairs, axes and axis sets', () => {
    fc.assert(
      fc.property(shapes({ minDims: 1, maxDims: 4, maxSide: 5 }), (s) => {
        expect(s.length).toBeGreaterThanOrEqual(1);
        expect(s.length).toBeLessThanOrEqual(4);
        expect(s.every((d) => d >= 1 && d <= 5)).toBe(true);
      }),
    );
    fc.assert(fc.property(broadcastableShapes(), ([a, b]) => void mx.broadcastShapes('test', a, b)));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((n) => fc.tuple(fc.constant(n), axes(n, { negative: true }), axisSets(n))),
        ([n, ax, set]) => {
          expect(ax).toBeGreaterThanOrEqual(-n);
          expect(ax).toBeLessThan(n);
          expect(set).toEqual([...new Set(set)].sort((p, q) => p - q));
          expect(set.every((a) => a >= 0 && a < n)).toBe(true);
        },
      ),
    );
  });
  it('arrays keep dtype, shape and value range; distinct values stay apart', () => {
    fc.assert(
      fc.property(arrays({ shape: shapes(), dtype: dtypes(), min: -2, max: 5 }), (a) => {
        const v = a.toTypedArray();
        for (const e of v) {
          const x = Number(e);
          if (a.dtype.name === 'bool') expect(x === 0 || x === 1).toBe(true);
          else {
            expect(x).toBeGreaterThanOrEqual(a.dtype.kind === 'uint' ? 0 : -2);
            expect(x).toBeLessThanOrEqual(5);
          }
        }
      }),
      { numRuns: 30 },
    );
    fc.assert(
      fc.property(values(20, 'float64', { distinct: true, min: -1, max: 1 }), (v) => {
        const s = v.slice().sort((p, q) => p - q);
        for (let i = 1; i < s.length; i++) expect(s[i]! - s[i - 1]!).toBeGreaterThanOrEqual(2 / 1024 - 1e-12);
      }),
      { numRuns: 20 },
    );
    fc.assert(
      fc.property(values(10, 'float32', { exclude: (x) => Math.abs(x) < 0.5 }), (v) => {
        expect(v.every((x) => Math.abs(x) >= 0.5)).toBe(true);
      }),
      { numRuns: 20 },
    );
    // Integer exclusions cannot spin: the allowed integers are listed.
    fc.assert(
      fc.property(values(4, 'int32', { min: -3, max: 3, exclude: (x) => x !== 2 }), (v) => {
        expect(v).toEqual([2, 2, 2, 2]);
      }),
      { numRuns: 5 },
    );
    fc.assert(
      fc.property(indices([3, 2], 4, { dtype: 'int8', outOfRange: true }), (i) => {
        expect(i.dtype).toBe(mx.int8);
        expect(i.shape).toEqual([3, 2]);
        for (const e of i.toTypedArray()) expect(Number(e) >= -6 && Number(e) <= 5).toBe(true);
      }),
      { numRuns: 10 },
    );
  });
});

// A primitive with a deliberately wrong rule, to see each check fail.
const softplusDef = {
  output: ([x]: readonly mx.Aval[]) => x!,
  jvp: (p: readonly Arr[], t: readonly (Arr | null)[]) => mx.multiply(t[0]!, mx.sigmoid(p[0]!)),
  vjp: (p: readonly Arr[], ct: Arr) => [mx.multiply(ct, mx.sigmoid(p[0]!))],
  vmap: (xs: readonly Arr[], ax: readonly (number | null)[]) => [mx.customNode('kitSoftplus', [xs[0]!], {}), ax[0]!] as [Arr, number],
};
const softplusKernel = ({ inputs: [x] }: { inputs: readonly { data: Float64Array }[] }) => x!.data.map((v) => Math.log1p(Math.exp(v)));
mx.registerPrimitive({ name: 'kitSoftplus', ...softplusDef });
mx.registerPrimitive({ name: 'kitBadJvp', ...softplusDef, jvp: (p, t) => mx.multiply(t[0]!, mx.sigmoid(mx.multiply(p[0]!, 1.01))) });
mx.registerPrimitive({ name: 'kitBadVjp', ...softplusDef, vjp: (p, ct) => [mx.multiply(ct, mx.sigmoid(mx.negative(p[0]!)))] });
mx.registerPrimitive({
  name: 'kitBadVmap',
  ...softplusDef,
  // Claims the batch axis is 0 wherever it was: wrong for inputs batched on another axis.
  vmap: (xs, ax) => [mx.customNode('kitBadVmap', [xs[0]!], {}), 0 * ax[0]!],
});
for (const name of ['kitSoftplus', 'kitBadJvp', 'kitBadVjp', 'kitBadVmap']) registerReferenceKernel(name, softplusKernel);

describe('checks', () => {
  beforeAll(() => mx.useBackend('reference'));
  afterAll(() => mx.useBackend(null));
  const x = mx.array([
    [0.5, -1, 2],
    [1.5, 0.25, -0.75],
  ]);
  const batch = [0, 1, 2].map((i) => [mx.add(x, i)]);
  const f = (name: string) => (a: Arr) => mx.customNode(name, [a], {});

  it('pass correct rules', () => {
    checkJvp(f('kitSoftplus'), [x]);
    checkVjp(f('kitSoftplus'), [x]);
    checkVmap(f('kitSoftplus'), batch);
    expect(graphUses([f('kitSoftplus')(x)], 'kitSoftplus')).toBe(true);
    expect(graphUses([mx.exp(x)], 'kitSoftplus')).toBe(false);
  });
  it('catch a wrong JVP (against finite differences, and VJP against it)', () => {
    expect(() => checkJvp(f('kitBadJvp'), [x])).toThrow(/checkJvp: output 0, JVP vs central finite differences/);
    expect(() => checkVjp(f('kitBadJvp'), [x])).toThrow(/checkVjp: <w, J v>/);
  });
  it('catch a wrong VJP', () => {
    checkJvp(f('kitBadVjp'), [x]);
    expect(() => checkVjp(f('kitBadVjp'), [x])).toThrow(/checkVjp: <w, J v> = .* \(jvp\) but <J\^T w, v> = .* \(vjp\)/);
  });
  it('catch a wrong batching rule', () => {
    expect(() => checkVmap(f('kitBadVmap'), batch)).toThrow(/checkVmap: inAxes \[[12]\]/);
  });
  it('checkVmap takes explicit axes, or all of them, and checks the batch', () => {
    const g = (a: Arr, b: Arr) => mx.add(a, b);
    const e = [0, 1].map((i) => [mx.full([2, 3], i), mx.full([2, 3], 10 * i)]);
    checkVmap(g, e);
    checkVmap(g, e, { exhaustive: true });
    checkVmap(g, e, { inAxes: [[1, null]], outAxes: [2] });
    // A rule wrong only for batch axis 2 of the input is caught by the default covering set.
    mx.registerPrimitive({
      ...softplusDef,
      name: 'kitBadAxis2',
      vmap: (xs, ax) => [mx.customNode('kitBadAxis2', [ax[0] === 2 ? mx.negative(xs[0]!) : xs[0]!], {}), ax[0]!],
    });
    registerReferenceKernel('kitBadAxis2', softplusKernel);
    expect(() => checkVmap(f('kitBadAxis2'), batch)).toThrow(/checkVmap: inAxes \[2\]/);
    expect(() => checkVmap(g, [[mx.ones([2])], [mx.ones([3])]] as any)).toThrow(/checkVmap: argument 0 has shape/);
  });
  it('compile against eager', () => {
    checkCompile((a: Arr) => mx.add(mx.multiply(mx.exp(a), 2), a), [x]);
  });
  it('checkPrimitive reports the counterexample of a failing property', () => {
    const c = {
      setup: shapes({ minDims: 1, maxDims: 2 }),
      args: (s: number[]) => fc.tuple(arrays({ shape: s, dtype: 'float32' })),
      fn: () => f('kitBadJvp'),
    };
    expect(() => checkPrimitive(c, { numRuns: 5, checks: ['jvp'] })).toThrow(/Counterexample/);
    checkPrimitive({ ...c, fn: () => f('kitSoftplus'), primitive: 'kitSoftplus' }, { numRuns: 5 });
    expect(() => checkPrimitive({ ...c, fn: () => mx.exp, primitive: 'kitSoftplus' }, { numRuns: 2, checks: [] })).toThrow(/builds no 'kitSoftplus' node/);
  });
});

// The README's example, as written there (the test call aside).
const softplus = (x: mx.Array) => mx.customNode('softplus', [x], {});
mx.registerPrimitive({
  name: 'softplus',
  output: ([x]) => x!, // the input's shape and dtype
  jvp: ([x], [t]) => mx.multiply(t!, mx.sigmoid(x!)), // d softplus(x) = sigmoid(x) dx
  vjp: ([x], cotangent) => [mx.multiply(cotangent, mx.sigmoid(x!))],
  vmap: ([x], [axis]) => [softplus(x!), axis!], // elementwise: the batch axis stays where it is
});
registerReferenceKernel('softplus', ({ inputs: [x] }) => x!.data.map((v) => Math.log1p(Math.exp(v))));

describe('the README example', () => {
  for (const backend of mx.listBackends().map((b) => b.name)) {
    it(`defines softplus and property-tests it on the '${backend}' backend`, async () => {
      if (backend === 'cpu') {
        const { registerKernel: registerCpuKernel } = await import('@mlx-ts/cpu-backend');
        registerCpuKernel('softplus', ([x], _params, out) => {
          const y = out.dtype === mx.float64 ? new Float64Array(mx.shapeSize(out.shape)) : new Float32Array(mx.shapeSize(out.shape));
          const idx = new Array<number>(x!.shape.length).fill(0);
          for (let k = 0; k < y.length; k++) {
            let pos = x!.offset;
            for (let d = 0; d < idx.length; d++) pos += idx[d]! * x!.strides[d]!;
            y[k] = Math.log1p(Math.exp(Number(x!.data[pos])));
            for (let d = idx.length - 1; d >= 0 && ++idx[d]! === x!.shape[d]; d--) idx[d] = 0;
          }
          return y;
        });
      }
      mx.useBackend(backend);
      try {
        checkPrimitive({
          primitive: 'softplus',
          setup: fc.record({ shape: shapes(), dtype: fc.constantFrom(mx.float32, mx.float64) }),
          args: ({ shape, dtype }) => fc.tuple(arrays({ shape, dtype, min: -4, max: 4 })),
          fn: () => softplus,
        });
      } finally {
        mx.useBackend(null);
      }
    });
  }
});
