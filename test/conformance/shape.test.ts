/**
 * Conformance: shape ops (views and copies) on every dtype, 0-d and empty arrays, strided inputs.
 * Results must be bit-exact copies (the sign of zero and NaN included). Each view is returned as
 * it is (read back through the backend's strided copy) and through a kernel (`maximum(v, v)`),
 * so the kernel sees the view's strides.
 */
import fc from 'fast-check';
import { ALL_NAMES, checkOp, describeBackends, dtypeNameArb, inputArb, mx, property, shapeArb, unaryArb } from '../helpers/index.js';

const EXACT = { tol: { rtol: 0, atol: 0 }, signedZero: true } as const;
const both = (v: mx.Array): mx.Array[] => [v, mx.maximum(v, v)];

/** A random reshape target of the same size, with at most one -1. */
function reshapeTargetArb(shape: readonly number[]): fc.Arbitrary<number[]> {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n === 0) return fc.constantFrom([0], [0, 3], [2, 0, 1], [...shape].reverse());
  const factors: number[] = [];
  let m = n;
  for (let p = 2; p <= m; p++) while (m % p === 0) (factors.push(p), (m /= p));
  return fc
    .tuple(
      fc.shuffledSubarray(factors, { minLength: factors.length, maxLength: factors.length }),
      fc.integer({ min: 1, max: 4 }),
      fc.boolean(),
      fc.integer({ min: 0, max: 2 }),
    )
    .map(([fs, groups, infer, ones]) => {
      const out: number[] = globalThis.Array.from({ length: groups }, () => 1);
      fs.forEach((f, i) => (out[i % groups]! *= f));
      for (let i = 0; i < ones; i++) out.splice(i, 0, 1);
      if (infer && out.length > 0) out[out.length - 1] = -1;
      return out;
    });
}

const anyInput = unaryArb(ALL_NAMES);
const ndInput = (minRank: number) => unaryArb(ALL_NAMES, undefined, { minRank });

describeBackends('conformance: shape ops', (backend) => {
  property(
    'strided inputs read back exactly (toTypedArray of views)',
    anyInput,
    (x) => {
      checkOp(backend, [x], (a) => a, { label: 'read back', ...EXACT });
    },
    40,
  );

  property(
    'reshape (views and copies of strided inputs)',
    anyInput.chain((x) => fc.tuple(fc.constant(x), reshapeTargetArb(x.shape))),
    ([x, target]) => {
      checkOp(backend, [x], (a) => both(mx.reshape(a, target)), { label: `reshape to [${target}]`, ...EXACT });
    },
    30,
  );

  property(
    'transpose (default and permutation), x.T, swapaxes, moveaxis',
    ndInput(0).chain((x) => {
      const nd = x.shape.length;
      const axes = globalThis.Array.from({ length: nd }, (_, i) => i);
      return fc.tuple(
        fc.constant(x),
        fc.shuffledSubarray(axes, { minLength: nd, maxLength: nd }),
        nd > 0 ? fc.tuple(fc.integer({ min: -nd, max: nd - 1 }), fc.integer({ min: -nd, max: nd - 1 })) : fc.constant(null),
      );
    }),
    ([x, perm, pair]) => {
      checkOp(
        backend,
        [x],
        (a) => [
          ...both(mx.transpose(a, perm)),
          ...both(mx.transpose(a)),
          a.T,
          ...(pair ? [...both(mx.swapaxes(a, pair[0], pair[1])), ...both(mx.moveaxis(a, pair[0], pair[1]))] : []),
        ],
        { label: `transpose perm=[${perm}] pair=${JSON.stringify(pair)}`, ...EXACT },
      );
    },
    30,
  );

  property(
    'expandDims, squeeze, flatten',
    ndInput(0).chain((x) => {
      const nd = x.shape.length;
      return fc.tuple(
        fc.constant(x),
        fc.integer({ min: -(nd + 1), max: nd }),
        fc.integer({ min: 0, max: Math.max(0, nd - 1) }),
        fc.integer({ min: 0, max: Math.max(0, nd - 1) }),
      );
    }),
    ([x, ax, s0, e0]) => {
      const [s, e] = s0 <= e0 ? [s0, e0] : [e0, s0];
      checkOp(
        backend,
        [x],
        (a) => [
          ...both(mx.expandDims(a, ax)),
          ...both(mx.squeeze(mx.expandDims(a, ax), ax)),
          ...both(mx.squeeze(a)),
          ...both(a.ndim === 0 ? mx.flatten(a) : mx.flatten(a, s, e)),
          ...both(mx.flatten(a)),
        ],
        { label: `expandDims(${ax}) flatten(${s}, ${e})`, ...EXACT },
      );
    },
    30,
  );

  property(
    'broadcastTo a larger shape',
    ndInput(0).chain((x) =>
      fc.tuple(
        fc.constant(x),
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: x.shape.length, maxLength: x.shape.length }),
      ),
    ),
    ([x, lead, grow]) => {
      const target = [...lead, ...x.shape.map((d, i) => (d === 1 ? grow[i]! : d))];
      checkOp(backend, [x], (a) => both(mx.broadcastTo(a, target)), { label: `broadcastTo [${target}]`, ...EXACT });
    },
    30,
  );

  property(
    'concatenate (same and mixed dtypes, axis null)',
    shapeArb({ minRank: 1, maxRank: 3 }).chain((shape) =>
      fc
        .tuple(fc.integer({ min: 0, max: shape.length - 1 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), dtypeNameArb(ALL_NAMES))
        .chain(([axis, k, mixed, d0]) =>
          fc.tuple(
            fc.constant(axis),
            fc.array(
              fc.tuple(fc.integer({ min: 0, max: 3 }), mixed ? dtypeNameArb(ALL_NAMES) : fc.constant(d0)).chain(([len, d]) => {
                const s2 = shape.slice();
                s2[axis] = len;
                return inputArb(s2, d, { min: -3, max: 3 });
              }),
              { minLength: k, maxLength: k },
            ),
          ),
        ),
    ),
    ([axis, xs]) => {
      checkOp(backend, xs, (...as) => [mx.concatenate(as, axis), mx.concatenate(as, { axis: axis - as[0]!.ndim }), mx.concatenate(as, { axis: null })], {
        label: `concatenate axis=${axis}`,
        ...EXACT,
      });
    },
    25,
  );

  property(
    'stack of equal shapes',
    anyInput.chain((x) =>
      fc.tuple(
        fc.array(inputArb(x.shape, x.dtype), { minLength: 0, maxLength: 3 }).map((r) => [x, ...r]),
        fc.integer({ min: -(x.shape.length + 1), max: x.shape.length }),
      ),
    ),
    ([xs, axis]) => {
      checkOp(backend, xs, (...as) => mx.stack(as, axis), { label: `stack axis=${axis}`, ...EXACT });
    },
    25,
  );

  property(
    'split into sections and at indices',
    ndInput(1).chain((x) => {
      const nd = x.shape.length;
      return fc.tuple(fc.constant(x), fc.integer({ min: 0, max: nd - 1 })).chain(([x2, axis]) => {
        const n = x2.shape[axis]!;
        const divisors = globalThis.Array.from({ length: Math.max(1, n) }, (_, i) => i + 1).filter((k) => n % k === 0);
        return fc.tuple(
          fc.constant(x2),
          fc.constant(axis),
          fc.constantFrom(...divisors),
          fc.array(fc.integer({ min: -1, max: n + 1 }), { maxLength: 3 }).map((a) => a.sort((p, q) => p - q)),
        );
      });
    }),
    ([x, axis, sections, indices]) => {
      checkOp(
        backend,
        [x],
        (a) => [
          ...mx.split(a, sections, axis).flatMap(both),
          ...mx
            .split(
              a,
              indices.filter((i) => i >= 0),
              { axis },
            )
            .flatMap(both),
        ],
        { label: `split axis=${axis} sections=${sections} indices=[${indices}]`, ...EXACT },
      );
    },
    25,
  );

  property(
    'tile and repeat',
    anyInput.chain((x) =>
      fc.tuple(
        fc.constant(x),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.option(fc.integer({ min: -Math.max(1, x.shape.length), max: Math.max(0, x.shape.length - 1) }), { nil: undefined }),
      ),
    ),
    ([x, reps, r, axis]) => {
      const ax = x.shape.length === 0 ? undefined : axis;
      checkOp(backend, [x], (a) => [...both(mx.tile(a, reps)), ...both(mx.repeat(a, r, ax))], { label: `tile [${reps}] repeat ${r} axis=${ax}`, ...EXACT });
    },
    25,
  );

  property(
    'pad (constant value, per-axis widths, edge mode)',
    ndInput(1).chain((x) =>
      fc.tuple(
        fc.constant(x),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), { minLength: x.shape.length, maxLength: x.shape.length }),
        fc.constantFrom(0, 1, -2.5, 7),
      ),
    ),
    ([x, widths, value]) => {
      const edgeOk = x.shape.every((d, i) => d > 0 || (widths[i]![0] === 0 && widths[i]![1] === 0));
      checkOp(
        backend,
        [x],
        (a) => [mx.pad(a, widths, { constantValues: value }), mx.pad(a, 1), ...(edgeOk && x.shape.length > 0 ? [mx.pad(a, widths, 'edge')] : [])],
        { label: `pad ${JSON.stringify(widths)} value=${value}`, ...EXACT },
      );
    },
    25,
  );
});
