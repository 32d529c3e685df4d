/**
 * mx.linalg on every backend: NumPy's answers on fixed inputs (test/fixtures/linalg: the JSON and
 * the script that made it), the factorizations rebuilt from their factors (where signs or bases
 * are not unique), MLX's behaviours from python/tests/test_linalg.py, the errors (in TypeScript
 * before any kernel runs, and LAPACK's reports as Errors), and derivatives of the compositions.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as mx from 'mlx-ts';
import { assertAllClose, checkJvp, checkVjp } from '@mlx-ts/testing';
import { lapackInfo } from '@mlx-ts/cpu-backend';

type Nested = number | Nested[];
interface Norm {
  ord: number | string | null;
  axis?: number[];
  keepdims?: boolean;
  value: Nested;
}
const fx = JSON.parse(readFileSync(new URL('./fixtures/linalg/numpy.json', import.meta.url), 'utf8')) as {
  inputs: Record<string, Nested>;
  vectorNorms: Norm[];
  matrixNorms: Norm[];
  axisNorms: Norm[];
  crossInputs: { a: Nested; b: Nested; value: Nested };
  cross23: { a: Nested; b: Nested; value: Nested };
} & Record<string, Nested & { q: Nested; r: Nested }>;

interface GridCase {
  shape: number[];
  ord: number | string | null;
  axis: number[] | null;
  keepdims: boolean;
  outShape: number[];
  value: Nested;
}
const grid = JSON.parse(readFileSync(new URL('./fixtures/linalg/norm-grid.json', import.meta.url), 'utf8')) as GridCase[];
const f64 = (v: Nested) => mx.array(v as number[], mx.float64);
const input = (name: string) => f64(fx.inputs[name]!);
const close = (a: mx.Array, b: mx.Array | Nested, tol = 1e-9) =>
  assertAllClose(a, b instanceof mx.Array ? b : mx.array(b as number[], a.dtype), { rtol: tol, atol: tol, checkDtype: false });
const ordOf = (o: number | string | null): mx.linalg.NormOrd | null => (o === 'inf' ? Infinity : o === '-inf' ? -Infinity : (o as mx.linalg.NormOrd | null));
const mT = (x: mx.Array) => mx.swapaxes(x, -1, -2);
const eyeLike = (n: number, x: mx.Array) => mx.eye(n, n, 0, x.dtype);

/** NumPy's eigenpairs (test/fixtures/linalg/make-eig-fixtures.py): complex values as [re, im] pairs. */
interface EigFixture {
  complex: boolean;
  a: Nested;
  w: Nested;
  v: Nested;
}
const eigFx = JSON.parse(readFileSync(new URL('./fixtures/linalg/eig.json', import.meta.url), 'utf8')) as Record<string, EigFixture>;
type Cx = { re: number; im: number };
/** Nested [re, im] pairs (the last axis) as a flat list of complex values. */
const pairs = (x: Nested): Cx[] => {
  const flat = [x].flat(Infinity as 1) as number[];
  return Array.from({ length: flat.length / 2 }, (_, i) => ({ re: flat[2 * i]!, im: flat[2 * i + 1]! }));
};
const flatC = (x: mx.Array): Cx[] => [x.tolist()].flat(Infinity as 1) as Cx[];
const cabs = (z: Cx) => Math.hypot(z.re, z.im);
const csub = (a: Cx, b: Cx): Cx => ({ re: a.re - b.re, im: a.im - b.im });
const cmul = (a: Cx, b: Cx): Cx => ({ re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re });
/** The fixture's input matrix as an mx array: complex64 for a complex one, else `dtype`. */
function eigInput(f: EigFixture, dtype: mx.Dtype): mx.Array {
  if (!f.complex) return mx.array(f.a as number[], dtype);
  const t = mx.array(f.a as number[], mx.float32);
  const part = (k: number) => mx.squeeze(mx.split(t, 2, -1)[k]!, -1);
  return mx.add(mx.astype(part(0), mx.complex64), mx.multiply(mx.astype(part(1), mx.complex64), { re: 0, im: 1 }));
}
/** For each expected eigenvalue, the index of the nearest unused actual one (the test's eigenvalues are apart or exactly repeated). */
function matchEigenvalues(actual: Cx[], expected: Cx[]): number[] {
  const used = new Set<number>();
  return expected.map((e) => {
    let best = -1;
    for (let i = 0; i < actual.length; i++) if (!used.has(i) && (best < 0 || cabs(csub(actual[i]!, e)) < cabs(csub(actual[best]!, e)))) best = i;
    used.add(best);
    return best;
  });
}
/**
 * One fixture's eig and eigvals against NumPy's, batch entry by batch entry, in a canonical way (the
 * order of the eigenpairs and the eigenvectors' phases are no contract): the eigenvalues matched by
 * distance, each eigenvector of a simple eigenvalue equal to NumPy's up to a unit phase, a V = V diag(w)
 * and unit norms for every column, and the phase contract (the first entry of largest modulus real and
 * positive). `tol` is relative to the matrix's size.
 */
function checkEig(f: EigFixture, dtype: mx.Dtype, tol: number): void {
  const a = eigInput(f, dtype);
  const n = a.shape[a.ndim - 1]!;
  const [w, v] = mx.linalg.eig(a);
  const wOnly = mx.linalg.eigvals(a);
  expect([w.dtype, v.dtype, wOnly.dtype]).toEqual([mx.complex64, mx.complex64, mx.complex64]);
  expect([w.shape, v.shape, wOnly.shape]).toEqual([a.shape.slice(0, -1), a.shape, a.shape.slice(0, -1)]);
  const [ws, vs, wos, as] = [
    flatC(w),
    flatC(v),
    flatC(wOnly),
    a.dtype === mx.complex64 ? flatC(a) : ([a.tolist()].flat(Infinity as 1) as number[]).map((re) => ({ re, im: 0 })),
  ];
  const [we, ve] = [pairs(f.w), pairs(f.v)];
  for (let b = 0; b < ws.length / n; b++) {
    const at = <T>(xs: T[], size: number) => xs.slice(b * size, (b + 1) * size);
    const [wb, vb, wob, ab, web, veb] = [at(ws, n), at(vs, n * n), at(wos, n), at(as, n * n), at(we, n), at(ve, n * n)];
    const scale = Math.max(1, ...ab.map(cabs));
    const perm = matchEigenvalues(wb, web);
    web.forEach((e, i) => expect(cabs(csub(wb[perm[i]!]!, e)), `eigenvalue ${i} of matrix ${b}`).toBeLessThan(tol * scale));
    matchEigenvalues(wob, web).forEach((j, i) => expect(cabs(csub(wob[j]!, web[i]!)), `eigvals ${i}`).toBeLessThan(tol * scale));
    const col = (m: Cx[], j: number) => Array.from({ length: n }, (_, r) => m[r * n + j]!);
    for (let j = 0; j < n; j++) {
      const x = col(vb, j);
      expect(Math.hypot(...x.map(cabs)), `norm of eigenvector ${j}`).toBeCloseTo(1, 5);
      const big = Math.max(...x.map(cabs));
      expect(x.some((z) => z.im === 0 && z.re > 0 && z.re >= big * (1 - 1e-6))).toBe(true);
      for (let r = 0; r < n; r++) {
        let av: Cx = { re: 0, im: 0 };
        for (let c = 0; c < n; c++) av = { re: av.re + cmul(ab[r * n + c]!, x[c]!).re, im: av.im + cmul(ab[r * n + c]!, x[c]!).im };
        expect(cabs(csub(av, cmul(wb[j]!, x[r]!))), `(a v - w v)[${r}] of eigenvector ${j}`).toBeLessThan(tol * scale);
      }
    }
    web.forEach((e, i) => {
      if (web.some((o, k) => k !== i && cabs(csub(o, e)) < 1e-6)) return;
      // |<v, u>| = 1 for unit vectors equal up to a phase.
      const [x, u] = [col(vb, perm[i]!), col(veb, i)];
      const dot = x.reduce((s, z, r) => ({ re: s.re + z.re * u[r]!.re + z.im * u[r]!.im, im: s.im + z.im * u[r]!.re - z.re * u[r]!.im }), { re: 0, im: 0 });
      expect(cabs(dot), `eigenvector of eigenvalue ${i}`).toBeCloseTo(1, 4);
    });
  }
}

for (const backend of mx.listBackends().map((b) => b.name)) {
  describe(`mx.linalg on the '${backend}' backend`, () => {
    beforeAll(() => mx.useBackend(backend));
    afterAll(() => mx.useBackend(null));

    it("norm: every ord of NumPy's vector and matrix norms", () => {
      for (const n of fx.vectorNorms) close(mx.linalg.norm(input('vec'), ordOf(n.ord)), n.value, 1e-12);
      for (const n of fx.matrixNorms) close(mx.linalg.norm(input('mat'), ordOf(n.ord)), n.value, 1e-9);
      for (const n of fx.axisNorms) close(mx.linalg.norm(input('t3'), ordOf(n.ord), n.axis!, n.keepdims ?? false), n.value, 1e-9);
    });

    it("norm: MLX's test grid (every ord, axis, keepdims on 1-D to 4-D arange inputs) against NumPy", () => {
      for (const g of grid) {
        const x = mx.reshape(mx.arange(1, g.shape.reduce((p, q) => p * q, 1) + 1, 1, mx.float64), g.shape);
        const out = mx.linalg.norm(x, ordOf(g.ord), g.axis, g.keepdims);
        expect(out.shape, JSON.stringify(g)).toEqual(g.outShape);
        close(out, g.value, 1e-9);
      }
    });

    it("norm: MLX's defaults, keepdims without an axis, integer inputs, float32", () => {
      const x = mx.arange(12).reshape([2, 3, 2]);
      const n = mx.linalg.norm(x, { keepdims: true });
      expect(n.shape).toEqual([1, 1, 1]);
      expect(n.dtype).toBe(mx.float32);
      expect(n.item()).toBeCloseTo(Math.sqrt(506), 4);
      expect(mx.linalg.norm(mx.array([3, 0, -4]), 0).item()).toBe(2);
      expect(mx.linalg.norm(mx.array([3, 0, -4]), 0).dtype).toBe(mx.float32);
      close(mx.linalg.norm(mx.astype(input('mat'), mx.float32), 'nuc'), fx.matrixNorms.find((m) => m.ord === 'nuc')!.value, 1e-5);
    });

    it("qr: NumPy's Q and R (LAPACK's signs) for tall and wide matrices, and batched", () => {
      for (const [name, key] of [
        ['tall', 'qrTall'],
        ['wide', 'qrWide'],
      ] as const) {
        const [q, r] = mx.linalg.qr(input(name));
        close(q, fx[key]!.q);
        close(r, fx[key]!.r);
      }
      const b = input('batch');
      const [q, r] = mx.linalg.qr(b);
      close(mx.matmul(q, r), b);
      close(mx.matmul(mT(q), q), mx.broadcastTo(eyeLike(3, b), [2, 3, 3]));
    });

    it('svd: singular values as NumPy, full U and Vt that rebuild a, S alone with computeUv=false', () => {
      for (const [name, key] of [
        ['tall', 'svdTall'],
        ['wide', 'svdWide'],
      ] as const) {
        const a = input(name);
        const [m, n] = a.shape as [number, number];
        const [u, s, vt] = mx.linalg.svd(a);
        expect([u.shape, s.shape, vt.shape]).toEqual([[m, m], [Math.min(m, n)], [n, n]]);
        close(s, fx[key]!);
        close(mx.linalg.svd(a, false), fx[key]!);
        close(mx.linalg.svd(a, { computeUv: false }), fx[key]!);
        const k = Math.min(m, n);
        const us = mx.multiply(mx.take(u, mx.arange(k), 1), s);
        close(mx.matmul(us, mx.take(vt, mx.arange(k), 0)), a);
        close(mx.matmul(mT(u), u), eyeLike(m, a));
        close(mx.matmul(vt, mT(vt)), eyeLike(n, a));
      }
    });

    it('inv, triInv, pinv, cholesky, choleskyInv, solve, solveTriangular: NumPy', () => {
      close(mx.linalg.inv(input('batch')), fx.inv!);
      close(mx.linalg.triInv(input('sq')), fx.triInvLower!);
      close(mx.linalg.triInv(input('sq'), true), fx.triInvUpper!);
      close(mx.linalg.pinv(input('tall')), fx.pinvTall!);
      close(mx.linalg.pinv(input('wide')), fx.pinvWide!);
      const l = mx.linalg.cholesky(input('pd'));
      close(l, fx.cholesky!);
      close(mx.linalg.cholesky(input('pd'), true), mT(l));
      close(mx.linalg.choleskyInv(l), fx.choleskyInv!);
      close(mx.linalg.choleskyInv(mT(l), { upper: true }), fx.choleskyInv!);
      close(mx.linalg.solve(input('sq'), input('b_vec')), fx.solveVec!);
      close(mx.linalg.solve(input('batch'), input('b_mat')), fx.solveBatch!);
      close(mx.linalg.solveTriangular(input('sq'), input('b_vec'), { upper: true }), fx.solveTriangularUpper!);
    });

    it("solve and solveTriangular broadcast batch axes (MLX's cases)", () => {
      const a = mx.broadcastTo(input('sq'), [3, 2, 3, 3]);
      const b = mx.broadcastTo(mx.reshape(mx.arange(0, 24, 1, mx.float64), [1, 3, 8]), [3, 1, 3, 8]);
      const x = mx.linalg.solve(a, b);
      expect(x.shape).toEqual([3, 2, 3, 8]);
      close(mx.matmul(a, x), mx.broadcastTo(b, [3, 2, 3, 8]));
      const u = mx.triu(input('sq'));
      const y = mx.linalg.solveTriangular(mx.broadcastTo(u, [3, 4, 3, 3]), mx.broadcastTo(mx.expandDims(input('b_vec'), -1), [3, 4, 3, 8]), { upper: true });
      close(mx.matmul(u, y), mx.broadcastTo(mx.expandDims(input('b_vec'), -1), [3, 4, 3, 8]));
    });

    it('float32 works as float64 does, and stays float32', () => {
      const a = mx.astype(input('pd'), mx.float32);
      const inv = mx.linalg.inv(a);
      expect(inv.dtype).toBe(mx.float32);
      close(inv, fx.choleskyInv!, 1e-5);
      close(mx.linalg.cholesky(a), fx.cholesky!, 1e-5);
      close(mx.linalg.eigvalsh(a), mx.linalg.eigvalsh(input('pd')), 1e-4);
    });

    it('eigh and eigvalsh: eigenvalues as NumPy (ascending), eigenvectors orthonormal, one triangle read', () => {
      const a = input('sym');
      const [w, v] = mx.linalg.eigh(a);
      close(w, fx.eigvalsh!);
      close(mx.linalg.eigvalsh(a), fx.eigvalsh!);
      close(mx.matmul(a, v), mx.multiply(v, w));
      close(mx.matmul(mT(v), v), eyeLike(4, a));
      // Garbage in the triangle not read changes nothing.
      close(mx.linalg.eigvalsh(mx.add(mx.tril(a), mx.triu(mx.full([4, 4], 7, mx.float64), 1))), fx.eigvalsh!);
      close(mx.linalg.eigvalsh(mx.add(mx.triu(a), mx.tril(mx.full([4, 4], 7, mx.float64), -1)), 'U'), fx.eigvalsh!);
      close(mx.linalg.eigvalsh(a, { UPLO: 'U' }), fx.eigvalsh!);
    });

    it("lu and luFactor: MLX's L[P] @ U == a, LAPACK's pivots, every shape", () => {
      for (const a of [input('sq'), input('tall'), input('wide'), input('batch')]) {
        const [p, l, u] = mx.linalg.lu(a);
        expect(p.dtype).toBe(mx.uint32);
        close(mx.takeAlongAxis(mx.matmul(l, u), mx.expandDims(p, -1), -2), a, 1e-12);
        const [packed, pivots] = mx.linalg.luFactor(a);
        expect(pivots.shape).toEqual([...a.shape.slice(0, -2), Math.min(a.shape[a.ndim - 2]!, a.shape[a.ndim - 1]!)]);
        expect(packed.shape).toEqual(a.shape);
      }
      // MLX's test matrix: 9 pivots first, then 8 - 2/9 over 1 - 2/3.
      const m3 = mx.array(
        [
          [3, 1, 2],
          [1, 8, 6],
          [9, 2, 5],
        ],
        mx.float64,
      );
      const [p, l, u] = mx.linalg.lu(m3);
      expect(p.tolist()).toEqual([2, 1, 0]);
      const [packed, pivots] = mx.linalg.luFactor(m3);
      expect(pivots.tolist()).toEqual([2, 1, 2]);
      close(mx.diagonal(l), [1, 1, 1]);
      close(packed, mx.add(mx.tril(l, -1), u));
      // MLX's lu_factor test: the swaps applied in order give the rows of L U.
      const perm = [0, 1, 2];
      (pivots.tolist() as number[]).forEach((q, i) => ([perm[i], perm[q]] = [perm[q]!, perm[i]!]));
      close(mx.take(m3, perm, 0), mx.matmul(l, u));
      // MLX's singular case does not throw.
      const sing = mx.array(
        [
          [1, 2, 3, 4],
          [2, 4, 6, 8],
          [0, 1, 1, 0],
          [1, 0, 0, 1],
        ],
        mx.float64,
      );
      const [ps, ls, uss] = mx.linalg.lu(sing);
      close(mx.takeAlongAxis(ls, mx.expandDims(ps, -1), -2).matmul(uss), sing, 1e-12);
      // A singular matrix still factors (LAPACK reports the zero pivot; MLX returns the factors).
      const [, , us] = mx.linalg.lu(
        mx.array(
          [
            [1, 2],
            [2, 4],
          ],
          mx.float64,
        ),
      );
      expect(us.tolist()).toEqual([
        [2, 4],
        [0, 0],
      ]);
    });

    it('cross: NumPy, with 2-vectors and broadcasting', () => {
      close(mx.linalg.cross(f64(fx.crossInputs.a), f64(fx.crossInputs.b)), fx.crossInputs.value);
      close(mx.linalg.cross(f64(fx.cross23.a), f64(fx.cross23.b)), fx.cross23.value);
      expect(mx.linalg.cross(mx.array([[1, 0, 0]]), mx.array([[0, 1, 0]]), 1).tolist()).toEqual([[0, 0, 1]]);
      expect(mx.linalg.cross(mx.array([[1, 0, 0]]), mx.array([0, 1, 0])).tolist()).toEqual([[0, 0, 1]]);
      expect(mx.linalg.cross(mx.array([1, 0]), mx.array([0, 1])).tolist()).toEqual([0, 0, 1]);
    });

    it("eig and eigvals: NumPy's eigenpairs (complex pairs, a repeated eigenvalue, 1 x 1, a batch, complex input), up to order and phase", () => {
      for (const f of Object.values(eigFx)) {
        if (f.complex) checkEig(f, mx.complex64, 1e-4);
        else {
          checkEig(f, mx.float64, 1e-5);
          checkEig(f, mx.float32, 1e-4);
        }
      }
    });

    it("eig: MLX's docstring example, empty matrices, and NaN for a matrix with a non-finite entry", () => {
      const [w, v] = mx.linalg.eig(
        mx.array([
          [1, -2],
          [-2, 1],
        ]),
      );
      const order = (w.tolist() as Cx[])[0]!.re > 0 ? [0, 1] : [1, 0];
      const h = Math.SQRT1_2;
      close(mx.real(mx.take(w, mx.array(order, mx.int32))), [3, -1], 1e-6);
      close(
        mx.real(mx.take(v, mx.array(order, mx.int32), 1)),
        [
          [h, h],
          [-h, h],
        ],
        1e-6,
      );
      close(
        mx.imag(v),
        [
          [0, 0],
          [0, 0],
        ],
        0,
      );
      for (const shape of [
        [0, 0],
        [3, 0, 0],
        [0, 4, 4],
      ]) {
        const [ew, ev] = mx.linalg.eig(mx.zeros(shape));
        expect([ew.shape, ev.shape, mx.linalg.eigvals(mx.zeros(shape)).shape]).toEqual([shape.slice(0, -1), shape, shape.slice(0, -1)]);
      }
      const bad = mx.array([
        [
          [1, 2],
          [3, 4],
        ],
        [
          [Infinity, 1],
          [0, 1],
        ],
      ]);
      const [bw, bv] = mx.linalg.eig(bad);
      expect(
        flatC(bw)
          .slice(2)
          .every((z) => Number.isNaN(z.re) && Number.isNaN(z.im)),
      ).toBe(true);
      expect(
        flatC(bv)
          .slice(4)
          .every((z) => Number.isNaN(z.re) && Number.isNaN(z.im)),
      ).toBe(true);
      expect(
        flatC(mx.linalg.eigvals(bad))
          .slice(0, 2)
          .every((z) => Number.isFinite(z.re)),
      ).toBe(true);
    });

    it('LAPACK errors become Errors naming the function', () => {
      expect(() =>
        mx.linalg
          .inv(
            mx.array([
              [1, 2],
              [2, 4],
            ]),
          )
          .tolist(),
      ).toThrow(/linalg\.inv: the matrix is singular/);
      expect(() =>
        mx.linalg
          .cholesky(
            mx.array([
              [1, 2],
              [2, 1],
            ]),
          )
          .tolist(),
      ).toThrow(/linalg\.cholesky: the matrix is not positive definite/);
      expect(() =>
        mx.linalg
          .triInv(
            mx.array([
              [1, 0],
              [2, 0],
            ]),
          )
          .tolist(),
      ).toThrow(/linalg\.triInv: the matrix is singular/);
    });

    it('empty matrices', () => {
      expect(mx.linalg.inv(mx.zeros([2, 0, 0])).shape).toEqual([2, 0, 0]);
      expect(mx.linalg.pinv(mx.zeros([3, 0])).shape).toEqual([0, 3]);
      const [q, r] = mx.linalg.qr(mx.zeros([0, 2]));
      expect([q.shape, r.shape]).toEqual([
        [0, 0],
        [0, 2],
      ]);
    });

    it('derivatives of the compositions (finite differences in float64)', () => {
      const a = mx.add(input('sq'), mx.multiply(eyeLike(3, input('sq')), 2));
      const b = input('b_mat').index(0);
      const f = (x: mx.Array, y: mx.Array) => mx.linalg.solve(x, y);
      checkJvp(f, [a, b]);
      checkVjp(f, [a, b]);
      for (const ord of [null, 'fro', 'nuc', 2, -2, 1, Infinity, 3] as const) {
        const g = (x: mx.Array) => (ord === 3 ? mx.linalg.norm(x, ord, 1) : mx.linalg.norm(x, ord));
        checkJvp(g, [input('sq')], { rtol: 1e-4, atol: 1e-6 });
        checkVjp(g, [input('sq')]);
      }
      // The nuclear norm of a non-square matrix needs only S's derivative.
      checkJvp((x: mx.Array) => mx.linalg.norm(x, 'nuc'), [input('tall')], { rtol: 1e-4, atol: 1e-6 });
      checkVjp((x: mx.Array) => mx.linalg.norm(x, 'nuc'), [input('tall')]);
      for (const name of ['sq', 'tall', 'wide']) {
        checkJvp((x: mx.Array) => mx.linalg.pinv(x), [input(name)], { rtol: 1e-4, atol: 1e-6 });
        checkVjp((x: mx.Array) => mx.linalg.pinv(x), [input(name)]);
      }
    });

    it('vmap batches over a leading axis', () => {
      const b = input('batch');
      close(mx.vmap((x: mx.Array) => mx.linalg.inv(x), 2, 0)(mx.moveaxis(b, 0, 2)), fx.inv!);
    });
  });
}

describe('mx.linalg input checks (in TypeScript, before any kernel)', () => {
  const sq = mx.array([
    [2, 1],
    [1, 3],
  ]);
  it('dtypes, dimensions and shapes', () => {
    expect(() =>
      mx.linalg.inv(
        mx.array(
          [
            [1, 2],
            [3, 4],
          ],
          mx.int32,
        ),
      ),
    ).toThrow(/linalg\.inv: expected a float32 or float64 array, got int32/);
    expect(() => mx.linalg.qr(mx.array([1, 2]))).toThrow(/linalg\.qr: expected an array of at least 2 dimensions, got shape \[2\]/);
    expect(() => mx.linalg.inv(mx.zeros([2, 3]))).toThrow(/linalg\.inv: expected square matrices in the last two axes, got shape \[2,3\]/);
    expect(() => mx.linalg.cholesky(mx.zeros([2, 3]))).toThrow(/linalg\.cholesky: expected square/);
    expect(() => mx.linalg.eigh(mx.zeros([3]))).toThrow(/linalg\.eigh: expected an array of at least 2 dimensions/);
    expect(() => mx.linalg.svd(mx.array([[1, 2]], mx.float16))).toThrow(/linalg\.svd: expected a float32 or float64 array, got float16/);
    expect(() => mx.linalg.lu(mx.array(0))).toThrow(/linalg\.lu: expected an array of at least 2 dimensions/);
  });
  it('solve and solveTriangular shapes', () => {
    expect(() => mx.linalg.solve(sq, mx.zeros([3]))).toThrow(
      /linalg\.solve: the last axis of the first input \(shape \[2,2\]\) must match the only axis of the second \(shape \[3\]\)/,
    );
    expect(() => mx.linalg.solve(sq, mx.zeros([3, 1]))).toThrow(/must match the second-to-last axis/);
    expect(() => mx.linalg.solve(mx.zeros([2, 3]), mx.zeros([2]))).toThrow(/linalg\.solve: expected the first input to be square matrices/);
    expect(() => mx.linalg.solve(mx.zeros([2]), mx.zeros([2]))).toThrow(/at least 2 dimensions/);
    expect(() => mx.linalg.solveTriangular(sq, mx.array(1))).toThrow(/linalg\.solveTriangular: expected the second input to have at least 1 dimension/);
    expect(() =>
      mx.linalg.solve(
        mx.array(
          [
            [1, 0],
            [0, 1],
          ],
          mx.int32,
        ),
        mx.array([1, 2], mx.int32),
      ),
    ).toThrow(/must promote to float32 or float64/);
  });
  it('norm and cross arguments', () => {
    expect(() => mx.linalg.norm(sq, 'nuc', 0)).toThrow(/linalg\.norm: ord 'nuc' is a matrix norm and needs two axes, got 1/);
    expect(() => mx.linalg.norm(sq, 3, [0, 1])).toThrow(/linalg\.norm: ord 3 is not a matrix norm/);
    expect(() => mx.linalg.norm(mx.zeros([2, 2, 2]), 2)).toThrow(/needs one or two axes, got 3/);
    expect(() => mx.linalg.norm(mx.zeros([2, 2, 2]), null, [0, 1, 2])).toThrow(/expected one or two axes/);
    expect(() => mx.linalg.norm(sq, 'max' as never)).toThrow(/linalg\.norm: expected ord to be a number or one of 'fro', 'f', 'nuc'/);
    expect(() => mx.linalg.norm(mx.array([[1, 2]], mx.int32), 2, [0, 1])).toThrow(/spectral and nuclear norms need a float32 or float64 array/);
    expect(() => mx.linalg.cross(mx.zeros([4]), mx.zeros([3]))).toThrow(/linalg\.cross: the axis must have size 2 or 3, got shape \[4\]/);
  });
  it("eig and eigvals: MLX's dtypes (float32, float64, complex64; no integer cast), square matrices of 2 or more dimensions", () => {
    for (const f of [mx.linalg.eig, mx.linalg.eigvals] as ((a: mx.Array) => unknown)[]) {
      const fn = f === mx.linalg.eig ? 'linalg\\.eig' : 'linalg\\.eigvals';
      expect(() =>
        f(
          mx.array(
            [
              [1, 2],
              [3, 4],
            ],
            mx.int32,
          ),
        ),
      ).toThrow(new RegExp(`^${fn}: expected a float32, float64 or complex64 array, got int32`));
      expect(() =>
        f(
          mx.array(
            [
              [1, 2],
              [3, 4],
            ],
            mx.float16,
          ),
        ),
      ).toThrow(new RegExp(`^${fn}: expected a float32, float64 or complex64 array, got float16`));
      expect(() => f(mx.zeros([2, 3]))).toThrow(new RegExp(`^${fn}: expected square matrices in the last two axes, got shape \\[2,3\\]`));
      expect(() => f(mx.zeros([3]))).toThrow(new RegExp(`^${fn}: expected an array of at least 2 dimensions, got shape \\[3\\]`));
      expect(() => f(mx.multiply(mx.ones([2, 2]), { re: 0, im: 1 }))).not.toThrow();
    }
  });
  it('derivatives that do not exist say so', () => {
    expect(() => mx.grad((x: mx.Array) => mx.sum(mx.linalg.luFactor(x)[0]))(sq)).toThrow(/linalg\.luFactor: has no VJP rule/);
    expect(() => mx.grad((x: mx.Array) => mx.sum(mx.real(mx.linalg.eig(x)[1])))(sq)).toThrow(/linalg\.eig: has no VJP rule \(MLX defines none\)/);
    expect(() => mx.grad((x: mx.Array) => mx.sum(mx.real(mx.linalg.eigvals(x))))(sq)).toThrow(/linalg\.eigvals: has no VJP rule/);
    expect(() => mx.jvp((x: mx.Array) => mx.real(mx.linalg.eigvals(x)), [sq], [sq])).toThrow(/linalg\.eigvals: has no JVP rule/);
    expect(() => mx.jvp((x: mx.Array) => mx.real(mx.linalg.eig(x)[0]), [sq], [sq])).toThrow(/linalg\.eig: has no JVP rule/);
    expect(() => mx.grad((x: mx.Array) => mx.sum(mx.linalg.qr(x)[0]))(mx.zeros([2, 3]))).toThrow(/linalg\.qr: the derivative is defined for M >= N only/);
  });
});

describe('LAPACK on the cpu backend', () => {
  it('lapackInfo() names the library it loaded', () => {
    const info = lapackInfo();
    expect(info.loaded, info.error).toBe(true);
    expect(info.library).not.toBe('');
  });
  it('without LAPACK each function says what to install', () => {
    const script =
      "import * as mx from 'mlx-ts'; import { lapackInfo } from '@mlx-ts/cpu-backend'; console.log(JSON.stringify(lapackInfo()));" +
      'try { mx.linalg.inv(mx.eye(2)).tolist(); } catch (e) { console.log(e.message); }' +
      'try { mx.linalg.eigvals(mx.eye(2)).tolist(); } catch (e) { console.log(e.message); }';
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, MLX_TS_LAPACK: '0' },
      cwd: fileURLToPath(new URL('../packages/mlx-ts', import.meta.url)),
    });
    expect(r.stdout + r.stderr).toContain('"loaded":false');
    expect(r.stdout + r.stderr).toMatch(
      /linalg\.inv: needs LAPACK, which is not loaded \(disabled by MLX_TS_LAPACK\); install it: apt-get install liblapack3 \(or libopenblas0\)/,
    );
    expect(r.stdout + r.stderr).toMatch(/linalg\.eigvals: needs LAPACK, which is not loaded \(disabled by MLX_TS_LAPACK\)/);
  });
});
