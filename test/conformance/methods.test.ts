/**
 * Array methods (`x.sum(...)`, `x.reshape(...)`, `x.T`, ...) compute what the ops compute, on
 * every backend under test (compared with the ops on the reference).
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { checkOp, describeBackends, mx, property, unaryArb } from '../helpers/index.js';

const EXACTISH = { tolScale: 4 } as const;

describeBackends('conformance: Array methods', (backend) => {
  property(
    'reductions and scans as methods',
    unaryArb(['float32', 'int32', 'float16'], { min: -3, max: 3 }, { minRank: 1, minDim: 1 }),
    (x) => {
      const m = checkOp(
        backend,
        [x],
        (a) => [
          a.sum(),
          a.sum(0, true),
          a.prod({ axis: 0 }),
          a.max(),
          a.min(0),
          a.mean(),
          a.var(),
          a.std({ ddof: 0 }),
          a.all(),
          a.any(0),
          a.argmax(),
          a.argmin(0),
          a.logsumexp(),
          a.cumsum(0),
          a.cumprod(),
          a.cummax(0),
          a.cummin(0),
        ],
        { label: 'methods: reductions', ...EXACTISH },
      );
      const o = checkOp(
        backend,
        [x],
        (a) => [
          mx.sum(a),
          mx.sum(a, 0, true),
          mx.prod(a, { axis: 0 }),
          mx.max(a),
          mx.min(a, 0),
          mx.mean(a),
          mx.var(a),
          mx.std(a, { ddof: 0 }),
          mx.all(a),
          mx.any(a, 0),
          mx.argmax(a),
          mx.argmin(a, 0),
          mx.logsumexp(a),
          mx.cumsum(a, 0),
          mx.cumprod(a),
          mx.cummax(a, 0),
          mx.cummin(a, 0),
        ],
        { label: 'ops: reductions', ...EXACTISH },
      );
      expect(m).toEqual(o);
    },
    10,
  );

  property(
    'shape methods and x.T match the ops',
    unaryArb(['float32', 'int8', 'bool'], undefined, { minRank: 2, maxRank: 3 }),
    (x) => {
      const n = x.shape.length;
      const viaMethods = (a: mx.Array) => [
        a.T,
        a.reshape(-1),
        a.reshape([a.size]),
        a.transpose(),
        a.swapaxes(0, 1),
        a.moveaxis(0, -1),
        a.flatten(),
        a.squeeze(),
        a.astype(mx.float32),
      ];
      const viaOps = (a: mx.Array) => [
        mx.transpose(a),
        mx.reshape(a, [-1]),
        mx.reshape(a, [a.size]),
        mx.transpose(a),
        mx.swapaxes(a, 0, 1),
        mx.moveaxis(a, 0, -1),
        mx.flatten(a),
        mx.squeeze(a),
        mx.astype(a, mx.float32),
      ];
      const m = checkOp(backend, [x], viaMethods, { label: `methods: shape (ndim ${n})` });
      const o = checkOp(backend, [x], viaOps, { label: 'ops: shape' });
      expect(m).toEqual(o);
    },
    10,
  );

  property(
    'arithmetic methods match the ops',
    fc.tuple(unaryArb(['float32', 'int32'], { min: 1, max: 4, pSpecial: 0 }, { minRank: 2, maxRank: 2, minDim: 2 })),
    ([x]) => {
      const viaMethods = (a: mx.Array) => [
        a.add(1),
        a.subtract(a),
        a.multiply(2),
        a.divide(3),
        a.power(2),
        a.maximum(2),
        a.minimum(2),
        a.floorDivide(2),
        a.remainder(2),
        a.equal(a),
        a.less(2),
        a.abs(),
        a.negative(),
        a.square(),
        a.sqrt(),
        a.exp(),
        a.log(),
        a.sin(),
        a.cos(),
        a.rsqrt(),
        a.reciprocal(),
        a.round(),
        a.matmul(a.T.astype(mx.float32)),
      ];
      const viaOps = (a: mx.Array) => [
        mx.add(a, 1),
        mx.subtract(a, a),
        mx.multiply(a, 2),
        mx.divide(a, 3),
        mx.power(a, 2),
        mx.maximum(a, 2),
        mx.minimum(a, 2),
        mx.floorDivide(a, 2),
        mx.remainder(a, 2),
        mx.equal(a, a),
        mx.less(a, 2),
        mx.abs(a),
        mx.negative(a),
        mx.square(a),
        mx.sqrt(a),
        mx.exp(a),
        mx.log(a),
        mx.sin(a),
        mx.cos(a),
        mx.rsqrt(a),
        mx.reciprocal(a),
        mx.round(a),
        mx.matmul(a, mx.astype(mx.transpose(a), mx.float32)),
      ];
      const m = checkOp(backend, [x], viaMethods, { label: 'methods: arithmetic', tolScale: 4 });
      const o = checkOp(backend, [x], viaOps, { label: 'ops: arithmetic', tolScale: 4 });
      expect(m).toEqual(o);
    },
    10,
  );
});
