/**
 * Conformance on large arrays (10^5 to 10^6 elements), where native kernels take their blocked,
 * vectorized and multi-threaded paths: elementwise ops with broadcasting, reductions and scans
 * along each axis, sort, gathers, matmul around block sizes, and casts, on strided inputs.
 */
import fc from 'fast-check';
import { checkOp, defaultTol, describeBackends, dtypeNameArb, inputArb, mx, property, type HostInput } from '../helpers/index.js';
import type { DtypeName } from '@mlx-ts/core';

const bigShape = fc.constantFrom([3, 70_001], [70_001, 3], [257, 513], [2, 3, 40_000], [1_000_003], [64, 64, 33]);
const bigInput = (dtypes: DtypeName[], spec = {}, shapes = bigShape) =>
  fc.tuple(shapes, dtypeNameArb(dtypes)).chain(([s, d]) => inputArb(s, d, { layouts: ['contiguous', 'transpose', 'slice', 'broadcast'], ...spec }));

const mag = (x: HostInput) => {
  let m = 1;
  for (const v of x.values) if (Number.isFinite(v) && Math.abs(v) > m) m = Math.abs(v);
  return m;
};
const accum = (n: number, m: number) => (d: DtypeName) => {
  const t = defaultTol(d);
  const eps = d === 'float64' ? 2.3e-16 : 1.2e-7;
  return { rtol: t.rtol, atol: t.atol + 4 * n * eps * m };
};

describeBackends('conformance: large arrays', (backend) => {
  property(
    'unary and binary elementwise ops (broadcast, strided)',
    bigInput(['float32', 'float16', 'int32', 'uint8', 'float64']),
    (x) => {
      checkOp(
        backend,
        [x],
        (a) => [
          mx.exp(mx.multiply(a, 0.01)),
          mx.add(a, mx.sum(a, -1, true)),
          mx.maximum(a, mx.transpose(a, [...a.shape.keys()].reverse()).T),
          mx.where(mx.greater(a, 0), a, mx.negative(a)),
          mx.astype(a, mx.float16),
        ],
        {
          label: `elementwise [${x.shape}] ${x.dtype}`,
          tol: accum(x.shape[x.shape.length - 1]!, mag(x)),
        },
      );
    },
    5,
  );

  const unaryOps = [
    mx.abs,
    mx.negative,
    mx.sign,
    mx.square,
    mx.floor,
    mx.ceil,
    mx.round,
    mx.exp,
    mx.expm1,
    mx.log,
    mx.log1p,
    mx.sin,
    mx.cos,
    mx.tan,
    mx.tanh,
    mx.sinh,
    mx.cosh,
    mx.arcsin,
    mx.arccos,
    mx.arctan,
    mx.arcsinh,
    mx.arccosh,
    mx.arctanh,
    mx.sqrt,
    mx.rsqrt,
    mx.sigmoid,
    mx.erf,
    mx.erfinv,
    mx.isnan,
    mx.isinf,
    mx.logicalNot,
  ];
  property(
    'every unary op on long float arrays (vectorized paths)',
    fc
      .tuple(fc.constantFrom([70_001, 3], [3, 70_001], [200_003]), dtypeNameArb(['float32', 'float16', 'bfloat16', 'float64']))
      .chain(([s, d]) => inputArb(s, d, { min: -3, max: 3 })),
    (x) => {
      checkOp(backend, [x], (a) => unaryOps.map((f) => f(a)), { label: `unary ops [${x.shape}] ${x.dtype}`, tolScale: 4 });
    },
    3,
  );

  property(
    'reductions along every axis and over all',
    bigInput(['float32', 'int32', 'float16', 'bool']),
    (x) => {
      const n = x.values.length;
      checkOp(
        backend,
        [x],
        (a) => [
          ...[...a.shape.keys()].flatMap((ax) => [mx.sum(a, ax), mx.max(a, ax), mx.argmin(a, ax), mx.any(a, ax)]),
          mx.sum(a),
          mx.min(a),
          mx.argmax(a),
          mx.mean(a),
        ],
        {
          label: `reductions [${x.shape}] ${x.dtype}`,
          tol: accum(n, mag(x)),
        },
      );
    },
    5,
  );

  property(
    'scans along every axis',
    bigInput(['float32', 'int32'], { min: -2, max: 2 }),
    (x) => {
      checkOp(
        backend,
        [x],
        (a) => [...a.shape.keys()].flatMap((ax) => [mx.cumsum(a, ax), mx.cummax(a, { axis: ax, reverse: true }), mx.cumsum(a, { axis: ax, inclusive: false })]),
        {
          label: `scans [${x.shape}] ${x.dtype}`,
          tol: accum(Math.max(...x.shape), 2),
        },
      );
    },
    4,
  );

  property(
    'sort, argsort and take',
    bigInput(['float32', 'int16', 'float16'], { min: -50, max: 50 }, fc.constantFrom([3, 70_001], [70_001, 3], [257, 513], [2, 3, 40_000])),
    (x) => {
      checkOp(
        backend,
        [x],
        (a) => {
          const ax = a.ndim - 1;
          const idx = mx.argsort(a, ax);
          return [mx.sort(a, 0), idx, mx.takeAlongAxis(a, idx, ax), mx.take(a, mx.arange(0, a.shape[0]!, 7), 0)];
        },
        { label: `sort [${x.shape}] ${x.dtype}`, tol: { rtol: 0, atol: 0 } },
      );
    },
    3,
  );

  property(
    'matmul around block edges',
    fc
      .tuple(
        fc.constantFrom(63, 64, 65, 127, 128, 129, 200),
        fc.constantFrom(1, 31, 64, 257),
        fc.constantFrom(63, 65, 128, 130),
        dtypeNameArb(['float32', 'float64', 'float16', 'bfloat16']),
        fc.boolean(),
      )
      .chain(([m, k, n, d, t]) =>
        fc.tuple(
          inputArb(t ? [k, m] : [m, k], d, { min: -1, max: 1, pSpecial: 0, layouts: ['contiguous', 'slice'] }),
          inputArb([k, n], d, { min: -1, max: 1, pSpecial: 0, layouts: ['contiguous', 'transpose', 'slice'] }),
          fc.constant(t),
          fc.constant(k),
        ),
      ),
    ([a, b, t, k]) => {
      checkOp(backend, [a, b], (x, y) => mx.matmul(t ? x.T : x, y), {
        label: `matmul ${a.dtype} [${a.shape}]${t ? '.T' : ''} x [${b.shape}]`,
        tol: accum(k, 1),
      });
    },
    8,
  );

  property(
    'batched matmul with broadcast batch axes',
    fc
      .tuple(fc.constantFrom(2, 5), fc.constantFrom(33, 70), dtypeNameArb(['float32', 'float16']))
      .chain(([bt, s, d]) =>
        fc.tuple(
          inputArb([bt, 1, s, s], d, { min: -1, max: 1, pSpecial: 0 }),
          inputArb([3, s, s], d, { min: -1, max: 1, pSpecial: 0, layouts: ['contiguous', 'transpose', 'broadcast'] }),
          fc.constant(s),
        ),
      ),
    ([a, b, s]) => {
      checkOp(backend, [a, b], (x, y) => mx.matmul(x, y), { label: `batched matmul [${a.shape}] x [${b.shape}]`, tol: accum(s, 1) });
    },
    4,
  );
});
