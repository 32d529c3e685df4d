/**
 * Conformance: creation ops on every dtype (zeros, ones, full, zerosLike, onesLike, arange,
 * linspace, eye, identity, tri, tril, triu), also materialized through a kernel.
 */
import fc from 'fast-check';
import { it } from 'vitest';
import { ALL_NAMES, checkOp, describeBackends, dtypeNameArb, mx, property, shapeArb, unaryArb } from '../helpers/index.js';

const NUM = ALL_NAMES.filter((d) => d !== 'bool');
const EXACT = { tol: { rtol: 0, atol: 0 }, signedZero: true } as const;
const both = (v: mx.Array): mx.Array[] => [v, mx.maximum(v, v)];

describeBackends('conformance: creation', (backend) => {
  property(
    'zeros, ones, full',
    fc.tuple(shapeArb(), dtypeNameArb(ALL_NAMES), fc.constantFrom(0, 1, -1, 2.5, -0, 100, NaN, Infinity)),
    ([shape, d, v]) => {
      const okForInt = Number.isFinite(v);
      checkOp(
        backend,
        [],
        () => [
          ...both(mx.zeros(shape, d)),
          ...both(mx.ones(shape, { dtype: d })),
          ...(okForInt || d.includes('float') ? both(mx.full(shape, v, d)) : []),
          ...both(mx.full(shape, 3)),
        ],
        { label: `creation [${shape}] ${d} v=${v}`, ...EXACT },
      );
    },
    25,
  );

  property(
    'full with an array value broadcast to the shape',
    unaryArb(ALL_NAMES, undefined, { maxRank: 2 }).chain((x) => fc.tuple(fc.constant(x), fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }))),
    ([x, lead]) => {
      checkOp(backend, [x], (a) => both(mx.full([...lead, ...a.shape], a)), { label: 'full(array)', ...EXACT });
    },
    15,
  );

  property(
    'zerosLike, onesLike',
    unaryArb(ALL_NAMES),
    (x) => {
      checkOp(backend, [x], (a) => [...both(mx.zerosLike(a)), ...both(mx.onesLike(a))], { label: 'zerosLike/onesLike', ...EXACT });
    },
    15,
  );

  property(
    'arange(start, stop, step) on every numeric dtype',
    fc.tuple(fc.integer({ min: -20, max: 20 }), fc.integer({ min: -20, max: 40 }), fc.constantFrom(1, 2, 3, -1, -2, 0.5, 0.25, -0.75, 1.3), dtypeNameArb(NUM)),
    ([start, stop, step, d]) => {
      const unsigned = d.startsWith('u');
      checkOp(
        backend,
        [],
        () => [
          ...(unsigned && (start < 0 || stop < 0) ? [] : both(mx.arange(start, stop, step, d))),
          ...both(mx.arange(start, stop, step)),
          ...both(mx.arange(Math.abs(stop))),
        ],
        { label: `arange(${start}, ${stop}, ${step}, ${d})`, ...EXACT },
      );
    },
    25,
  );

  it('arange is start + i * step rounded once (no fused multiply-add, no accumulation)', () => {
    // -7 + 5 * 1.3 is exactly -0.5 in float64; a fused multiply-add gives -0.4999999999999998 (and int16 -3 for -4).
    const cases: [number, number, number, mx.DtypeLike][] = [
      [-7, 38, 1.3, 'float64'],
      [-17, 31, 1.3, 'int16'],
      [0, 3, 0.1, 'float64'],
      [1, 2, 0.1, 'float32'],
      [-3, 3, 0.3, 'int32'],
    ];
    for (const [a, b, st, d] of cases) {
      checkOp(backend, [], () => mx.arange(a, b, st, d), { label: `arange(${a}, ${b}, ${st}, ${String(d)})`, ...EXACT });
    }
  });

  property(
    'linspace on floating dtypes',
    fc.tuple(
      fc.double({ min: -50, max: 50, noNaN: true }),
      fc.double({ min: -50, max: 50, noNaN: true }),
      fc.integer({ min: 0, max: 60 }),
      dtypeNameArb(['float32', 'float64', 'float16', 'bfloat16']),
    ),
    ([a, b, n, d]) => {
      checkOp(backend, [], () => [mx.linspace(a, b, n, d), mx.linspace(a, b, { num: n })], { label: `linspace(${a}, ${b}, ${n}, ${d})` });
    },
    20,
  );

  property(
    'eye, identity, tri, tril, triu',
    fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: -4, max: 4 }), dtypeNameArb(ALL_NAMES)),
    ([n, m, k, d]) => {
      checkOp(
        backend,
        [],
        () => {
          const e = mx.eye(n, m, k, d);
          return [
            ...both(e),
            ...both(mx.eye(n, { dtype: d })),
            ...both(mx.identity(n, d)),
            ...both(mx.tri(n, m, k, d)),
            ...both(mx.tril(mx.ones([2, n, m], d), k)),
            ...both(mx.triu(mx.ones([n, m], d), { k })),
          ];
        },
        { label: `eye(${n}, ${m}, ${k}, ${d})`, ...EXACT },
      );
    },
    20,
  );
});
