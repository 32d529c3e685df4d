/**
 * Conformance: matmul (batched with broadcast batch axes, 1-D operands on either side, empty
 * inner and outer dims, transposed and sliced operands, every floating dtype and mixed dtypes),
 * and the products built on it (inner, outer, tensordot); eig and eigvals on every layout and
 * input dtype, compared through what the eigenpairs' order and the vectors' phases do not change.
 */
import fc from 'fast-check';
import { checkOp, defaultTol, describeBackends, dtypeNameArb, FLOAT_NAMES, inputArb, mx, property, type HostInput } from '../helpers/index.js';
import type { DtypeName } from '@mlx-ts/core';
import { complexFrom } from '../helpers/complex.js';
import { eigenvaluePowerSums, eigInvariants, separatedGeneral } from '../helpers/linalg.js';

/** Shapes for a @ b: 1-D or batched, batch axes broadcasting. */
const matmulShapes = fc
  .record({
    m: fc.integer({ min: 0, max: 9 }),
    k: fc.integer({ min: 0, max: 9 }),
    n: fc.integer({ min: 0, max: 9 }),
    batch: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    dropA: fc.integer({ min: 0, max: 2 }),
    dropB: fc.integer({ min: 0, max: 2 }),
    onesA: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
    onesB: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
    vecA: fc.boolean(),
    vecB: fc.boolean(),
  })
  .map((r) => {
    const bA = r.batch.slice(Math.min(r.dropA, r.batch.length)).map((d, i) => (r.onesA[i] ? 1 : d));
    const bB = r.batch.slice(Math.min(r.dropB, r.batch.length)).map((d, i) => (r.onesB[i] ? 1 : d));
    const a = r.vecA ? [r.k] : [...bA, r.m, r.k];
    const b = r.vecB ? [r.k] : [...bB, r.k, r.n];
    return { a, b, k: r.k };
  });

function matmulTol(k: number, a: HostInput, b: HostInput): (d: DtypeName) => { rtol: number; atol: number } {
  const mag = (x: HostInput) => Math.max(1, ...x.values.map(Math.abs));
  return (d) => {
    const t = defaultTol(d);
    const eps = d === 'float64' ? 2.3e-16 : 1.2e-7;
    return { rtol: t.rtol * 2, atol: t.atol + 4 * Math.max(1, k) * eps * mag(a) * mag(b) };
  };
}

const finite = { min: -3, max: 3, specials: [0, -0, 1, -1, 0.5] };

describeBackends('conformance: matmul', (backend) => {
  property(
    'matmul on every floating dtype (batched, broadcast, 1-D, empty, strided)',
    fc.tuple(matmulShapes, dtypeNameArb(FLOAT_NAMES)).chain(([s, d]) => fc.tuple(inputArb(s.a, d, finite), inputArb(s.b, d, finite), fc.constant(s.k))),
    ([a, b, k]) => {
      checkOp(backend, [a, b], (x, y) => mx.matmul(x, y), { label: `matmul [${a.shape}] x [${b.shape}]`, tol: matmulTol(k, a, b) });
    },
    40,
  );

  property(
    'matmul of mixed floating dtypes and with int operands cast first',
    fc
      .tuple(matmulShapes, dtypeNameArb(FLOAT_NAMES), dtypeNameArb(FLOAT_NAMES))
      .chain(([s, d1, d2]) => fc.tuple(inputArb(s.a, d1, finite), inputArb(s.b, d2, finite), fc.constant(s.k))),
    ([a, b, k]) => {
      checkOp(backend, [a, b], (x, y) => mx.matmul(x, y), { label: `matmul ${a.dtype} x ${b.dtype}`, tol: matmulTol(k, a, b) });
    },
    15,
  );

  property(
    'NaN and Inf propagate through matmul',
    fc
      .tuple(matmulShapes, dtypeNameArb(['float32', 'float64']))
      .chain(([s, d]) => fc.tuple(inputArb(s.a, d, { pSpecial: 0.2 }), inputArb(s.b, d, { pSpecial: 0.2 }), fc.constant(s.k))),
    ([a, b, k]) => {
      checkOp(backend, [a, b], (x, y) => mx.matmul(x, y), {
        label: 'matmul with specials',
        tol: matmulTol(k, { ...a, values: a.values.filter(Number.isFinite) }, { ...b, values: b.values.filter(Number.isFinite) }),
      });
    },
    15,
  );

  property(
    'a larger matmul (blocked kernels: sizes around block edges)',
    fc
      .tuple(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 70 }))
      .chain(([m, k, n]) =>
        fc.tuple(inputArb([m, k], 'float32', { min: -1, max: 1, pSpecial: 0 }), inputArb([k, n], 'float32', { min: -1, max: 1, pSpecial: 0 }), fc.constant(k)),
      ),
    ([a, b, k]) => {
      checkOp(backend, [a, b], (x, y) => mx.matmul(x, y), { label: `matmul [${a.shape}] x [${b.shape}]`, tol: matmulTol(k, a, b) });
    },
    10,
  );

  property(
    'inner, outer, tensordot',
    fc
      .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 5 }))
      .chain(([p, q, r]) => fc.tuple(inputArb([p, q], 'float32', finite), inputArb([r, q], 'float32', finite), inputArb([q, r], 'float32', finite))),
    ([a, b, c]) => {
      checkOp(backend, [a, b, c], (x, y, z) => [mx.inner(x, y), mx.outer(x, y), mx.tensordot(x, z, 1), mx.tensordot(x, y, [[1], [1]])], {
        label: 'inner/outer/tensordot',
        tol: matmulTol(a.shape[1]!, a, b),
      });
    },
    15,
  );
});

const unit = { min: -1, max: 1, specials: [0, 1, -1, 0.5] };
/** Square matrices [...batch, n, n], n up to 4 (0 included), in [-1, 1]. */
const squareInputs = fc
  .record({ batch: fc.array(fc.integer({ min: 1, max: 2 }), { maxLength: 2 }), n: fc.integer({ min: 0, max: 4 }), dtype: dtypeNameArb(['float32', 'float64']) })
  .chain((s) => fc.tuple(inputArb([...s.batch, s.n, s.n], s.dtype, unit), inputArb([...s.batch, s.n, s.n], s.dtype, unit)));
// Power sums are traces of powers of a: polynomials in its entries, well-conditioned even where the eigenvalues are not.
const eigTol = { rtol: 1e-4, atol: 2e-3 };

describeBackends('conformance: eig', (backend) => {
  property(
    'eigvals of any square matrix, eig of ones with separated eigenvalues (transposed, sliced, broadcast; float32, float64)',
    squareInputs,
    ([a]) => {
      checkOp(backend, [a], (x) => eigenvaluePowerSums(mx.linalg.eigvals(x)), { label: `eigvals [${a.shape}] ${a.dtype}`, tol: eigTol });
      checkOp(backend, [a], (x) => eigInvariants(mx.linalg.eig(separatedGeneral(x))), { label: `eig [${a.shape}] ${a.dtype}`, tol: eigTol });
    },
    25,
  );

  property(
    'eig and eigvals of complex64 matrices',
    squareInputs,
    ([a, b]) => {
      const z = (x: mx.Array, y: mx.Array) => complexFrom(separatedGeneral(mx.astype(x, mx.float32)), mx.multiply(mx.astype(y, mx.float32), 0.1));
      checkOp(backend, [a, b], (x, y) => [eigenvaluePowerSums(mx.linalg.eigvals(z(x, y))), ...eigInvariants(mx.linalg.eig(z(x, y)))], {
        label: `complex eig [${a.shape}]`,
        tol: eigTol,
      });
    },
    15,
  );
});
