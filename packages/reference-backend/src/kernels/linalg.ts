/**
 * mx.linalg's kernels in float64, one matrix at a time over the leading axes: Householder QR
 * (LAPACK's reflector convention, so R's signs match), LU with partial pivoting (the first largest
 * pivot, as LAPACK), Cholesky, Gauss-Jordan inversion, triangular inversion, cyclic Jacobi for the
 * symmetric eigenproblem and one-sided Jacobi for the SVD. Eigenvectors and singular vectors are
 * sign-normalized as the contract says (the first entry of largest magnitude of each eigenvector and
 * of each of U's columns is positive; Vt's rows follow U's), so every backend gives one answer.
 */
import type { Params } from '@mlx-ts/core';
import type { Kernel, MultiKernel, Operand } from '../kernel.js';

/** Square [n, n] matrices, row-major, in a plain array per batch entry. */
type Mat = Float64Array;

function batches(x: Operand): { m: number; n: number; count: number } {
  const [m, n] = x.shape.slice(-2) as [number, number];
  const count = m * n === 0 ? x.shape.slice(0, -2).reduce((a, d) => a * d, 1) : x.data.length / (m * n);
  return { m, n, count };
}

function fail(fn: string, what: string): never {
  throw new Error(`linalg.${fn}: ${what}`);
}

/** Flips the sign of column j of `a` (m x cols) when its first entry of largest magnitude is negative; returns whether it flipped. */
function normalizeColumn(a: Mat, m: number, cols: number, j: number): boolean {
  let best = 0;
  let at = 0;
  for (let i = 0; i < m; i++) {
    const v = Math.abs(a[i * cols + j]!);
    if (v > best) [best, at] = [v, i];
  }
  if (a[at * cols + j]! >= 0) return false;
  for (let i = 0; i < m; i++) a[i * cols + j] = -a[i * cols + j]!;
  return true;
}

/** Householder QR of one m x n matrix: Q (m x k), R (k x n). */
function qrOne(a: Mat, m: number, n: number): [Mat, Mat] {
  const k = Math.min(m, n);
  const w = Float64Array.from(a);
  const vs: Float64Array[] = [];
  const taus: number[] = [];
  for (let j = 0; j < k; j++) {
    const alpha = w[j * n + j]!;
    let xnorm = 0;
    for (let i = j + 1; i < m; i++) xnorm += w[i * n + j]! ** 2;
    xnorm = Math.sqrt(xnorm);
    const v = new Float64Array(m);
    if (xnorm === 0) {
      vs.push(v);
      taus.push(0);
      continue;
    }
    // LAPACK's dlarfg: beta = -sign(alpha) * ||(alpha, x)||, v = (1, x / (alpha - beta)), tau = (beta - alpha) / beta.
    const beta = -(alpha >= 0 ? 1 : -1) * Math.hypot(alpha, xnorm);
    const tau = (beta - alpha) / beta;
    v[j] = 1;
    for (let i = j + 1; i < m; i++) v[i] = w[i * n + j]! / (alpha - beta);
    for (let c = j; c < n; c++) {
      let d = 0;
      for (let i = j; i < m; i++) d += v[i]! * w[i * n + c]!;
      for (let i = j; i < m; i++) w[i * n + c] = w[i * n + c]! - tau * v[i]! * d;
    }
    vs.push(v);
    taus.push(tau);
  }
  const r = new Float64Array(k * n);
  for (let i = 0; i < k; i++) for (let c = i; c < n; c++) r[i * n + c] = w[i * n + c]!;
  // Q = H_0 ... H_{k-1} applied to the first k columns of the identity.
  const q = new Float64Array(m * k);
  for (let i = 0; i < k; i++) q[i * k + i] = 1;
  for (let j = k - 1; j >= 0; j--) {
    const v = vs[j]!;
    const tau = taus[j]!;
    if (tau === 0) continue;
    for (let c = 0; c < k; c++) {
      let d = 0;
      for (let i = j; i < m; i++) d += v[i]! * q[i * k + c]!;
      for (let i = j; i < m; i++) q[i * k + c] = q[i * k + c]! - tau * v[i]! * d;
    }
  }
  return [q, r];
}

/** LU with partial pivoting in place (m x n): the 0-based swaps and the row permutation. */
function luOne(a: Mat, m: number, n: number): { pivots: number[]; perm: number[] } {
  const k = Math.min(m, n);
  const pivots: number[] = [];
  for (let j = 0; j < k; j++) {
    let p = j;
    for (let i = j + 1; i < m; i++) if (Math.abs(a[i * n + j]!) > Math.abs(a[p * n + j]!)) p = i;
    pivots.push(p);
    if (p !== j) {
      for (let c = 0; c < n; c++) [a[j * n + c], a[p * n + c]] = [a[p * n + c]!, a[j * n + c]!];
    }
    const d = a[j * n + j]!;
    // A zero pivot leaves its column as it is (LAPACK reports it and goes on).
    if (d === 0) continue;
    for (let i = j + 1; i < m; i++) {
      const f = (a[i * n + j] = a[i * n + j]! / d);
      if (f !== 0) for (let c = j + 1; c < n; c++) a[i * n + c] = a[i * n + c]! - f * a[j * n + c]!;
    }
  }
  // The swaps undone in reverse on the identity: where each row of a went.
  const perm = [...Array(m).keys()];
  for (let j = k - 1; j >= 0; j--) [perm[j], perm[pivots[j]!]] = [perm[pivots[j]!]!, perm[j]!];
  return { pivots, perm };
}

function invOne(a: Mat, n: number): Mat {
  const w = Float64Array.from(a);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  for (let j = 0; j < n; j++) {
    let p = j;
    for (let i = j + 1; i < n; i++) if (Math.abs(w[i * n + j]!) > Math.abs(w[p * n + j]!)) p = i;
    if (w[p * n + j] === 0) fail('inv', 'the matrix is singular');
    for (const x of [w, out]) for (let c = 0; c < n; c++) [x[j * n + c], x[p * n + c]] = [x[p * n + c]!, x[j * n + c]!];
    const d = w[j * n + j]!;
    for (let c = 0; c < n; c++) {
      w[j * n + c] = w[j * n + c]! / d;
      out[j * n + c] = out[j * n + c]! / d;
    }
    for (let i = 0; i < n; i++) {
      if (i === j) continue;
      const f = w[i * n + j]!;
      if (f === 0) continue;
      for (let c = 0; c < n; c++) {
        w[i * n + c] = w[i * n + c]! - f * w[j * n + c]!;
        out[i * n + c] = out[i * n + c]! - f * out[j * n + c]!;
      }
    }
  }
  return out;
}

/** The inverse of the lower (or upper) triangle of a. */
function triInvOne(a: Mat, n: number, upper: boolean, fn = 'triInv'): Mat {
  const at = (i: number, j: number) => (upper ? a[j * n + i]! : a[i * n + j]!);
  // Lower: solve L X = I column by column by forward substitution; upper via the transpose.
  const x = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    for (let i = c; i < n; i++) {
      let s = i === c ? 1 : 0;
      for (let k = c; k < i; k++) s -= at(i, k) * x[k * n + c]!;
      const d = at(i, i);
      if (d === 0) fail(fn, `the matrix is singular (diagonal entry ${i} is zero)`);
      x[i * n + c] = s / d;
    }
  }
  if (!upper) return x;
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[i * n + j] = x[j * n + i]!;
  return t;
}

function choleskyOne(a: Mat, n: number, upper: boolean): Mat {
  const at = (i: number, j: number) => (upper ? a[j * n + i]! : a[i * n + j]!);
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = at(j, j);
    for (let k = 0; k < j; k++) d -= l[j * n + k]! ** 2;
    if (!(d > 0)) fail('cholesky', `the matrix is not positive definite (the leading minor of order ${j + 1} is not positive)`);
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = at(i, j);
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = s / ljj;
    }
  }
  if (!upper) return l;
  const u = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) u[i * n + j] = l[j * n + i]!;
  return u;
}

/** Cyclic Jacobi on the symmetric matrix of one triangle: eigenvalues ascending, eigenvectors as columns. */
function eighOne(a: Mat, n: number, lower: boolean): [Float64Array, Mat] {
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const [r, c] = (lower ? i >= j : i <= j) ? [i, j] : [j, i];
      w[i * n + j] = a[r * n + c]!;
    }
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        total += w[i * n + j]! ** 2;
        if (i !== j) off += w[i * n + j]! ** 2;
      }
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = w[p * n + q]!;
        if (apq === 0) continue;
        const theta = (w[q * n + q]! - w[p * n + p]!) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const [wkp, wkq] = [w[k * n + p]!, w[k * n + q]!];
          w[k * n + p] = c * wkp - s * wkq;
          w[k * n + q] = s * wkp + c * wkq;
        }
        for (let k = 0; k < n; k++) {
          const [wpk, wqk] = [w[p * n + k]!, w[q * n + k]!];
          w[p * n + k] = c * wpk - s * wqk;
          w[q * n + k] = s * wpk + c * wqk;
        }
        for (let k = 0; k < n; k++) {
          const [vkp, vkq] = [v[k * n + p]!, v[k * n + q]!];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  const order = [...Array(n).keys()].sort((i, j) => w[i * n + i]! - w[j * n + j]!);
  const vals = Float64Array.from(order, (i) => w[i * n + i]!);
  const vecs = new Float64Array(n * n);
  order.forEach((src, dst) => {
    for (let k = 0; k < n; k++) vecs[k * n + dst] = v[k * n + src]!;
  });
  for (let j = 0; j < n; j++) normalizeColumn(vecs, n, n, j);
  return [vals, vecs];
}

/** Extends the first `k` orthonormal columns of u (m x m) to an orthonormal basis (Gram-Schmidt twice over the unit vectors). */
function completeBasis(u: Mat, m: number, k: number): void {
  let col = k;
  for (let e = 0; e < m && col < m; e++) {
    const x = new Float64Array(m);
    x[e] = 1;
    for (let pass = 0; pass < 2; pass++)
      for (let j = 0; j < col; j++) {
        let d = 0;
        for (let i = 0; i < m; i++) d += u[i * m + j]! * x[i]!;
        for (let i = 0; i < m; i++) x[i] = x[i]! - d * u[i * m + j]!;
      }
    const nrm = Math.hypot(...x);
    if (nrm < 1e-8) continue;
    for (let i = 0; i < m; i++) u[i * m + col] = x[i]! / nrm;
    col++;
  }
}

/** One-sided Jacobi SVD of an m x n matrix with m >= n: U (m x m), S (n), V (n x n) with a = U diag(S) Vᵀ. */
function svdTall(a: Mat, m: number, n: number): [Mat, Float64Array, Mat] {
  const w = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  const rot = (x: Mat, rows: number, cols: number, p: number, q: number, c: number, s: number) => {
    for (let i = 0; i < rows; i++) {
      const [xp, xq] = [x[i * cols + p]!, x[i * cols + q]!];
      x[i * cols + p] = c * xp - s * xq;
      x[i * cols + q] = s * xp + c * xq;
    }
  };
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const [wp, wq] = [w[i * n + p]!, w[i * n + q]!];
          alpha += wp * wp;
          beta += wq * wq;
          gamma += wp * wq;
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rot(w, m, n, p, q, c, s);
        rot(v, n, n, p, q, c, s);
      }
    if (!rotated) break;
  }
  const norms = Array.from({ length: n }, (_, j) => {
    let t = 0;
    for (let i = 0; i < m; i++) t += w[i * n + j]! ** 2;
    return Math.sqrt(t);
  });
  const order = [...Array(n).keys()].sort((i, j) => norms[j]! - norms[i]!);
  const s = Float64Array.from(order, (j) => norms[j]!);
  const u = new Float64Array(m * m);
  const vv = new Float64Array(n * n);
  let k = 0;
  order.forEach((src, dst) => {
    for (let i = 0; i < n; i++) vv[i * n + dst] = v[i * n + src]!;
    if (norms[src]! > 0) {
      for (let i = 0; i < m; i++) u[i * m + dst] = w[i * n + src]! / norms[src]!;
      k = dst + 1;
    }
  });
  completeBasis(u, m, k);
  return [u, s, vv];
}

function svdOne(a: Mat, m: number, n: number): [Mat, Float64Array, Mat] {
  let u: Mat, s: Float64Array, vt: Mat;
  if (m >= n) {
    const [uu, ss, v] = svdTall(a, m, n);
    u = uu;
    s = ss;
    vt = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vt[i * n + j] = v[j * n + i]!;
  } else {
    const at = new Float64Array(n * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) at[j * m + i] = a[i * n + j]!;
    // aᵀ = U' S V'ᵀ, so a = V' S U'ᵀ.
    const [uu, ss, v] = svdTall(at, n, m);
    u = v;
    s = ss;
    vt = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vt[i * n + j] = uu[j * n + i]!;
  }
  normalizeSingularVectors(u, vt, m, n);
  return [u, s, vt];
}

/** U's columns sign-normalized; the first min(m, n) rows of Vt flip with them, the rest normalize as columns of V. */
function normalizeSingularVectors(u: Mat, vt: Mat, m: number, n: number): void {
  const k = Math.min(m, n);
  for (let j = 0; j < m; j++) {
    if (normalizeColumn(u, m, m, j) && j < k) for (let c = 0; c < n; c++) vt[j * n + c] = -vt[j * n + c]!;
  }
  for (let r = k; r < n; r++) {
    let best = 0;
    let at = 0;
    for (let c = 0; c < n; c++) if (Math.abs(vt[r * n + c]!) > best) [best, at] = [Math.abs(vt[r * n + c]!), c];
    if (vt[r * n + at]! < 0) for (let c = 0; c < n; c++) vt[r * n + c] = -vt[r * n + c]!;
  }
}

function each(x: Operand, f: (a: Mat, index: number) => void): void {
  const { m, n, count } = batches(x);
  for (let b = 0; b < count; b++) f(x.data.subarray(b * m * n, (b + 1) * m * n), b);
}

export const qrKernel: MultiKernel<Params<'qr'>> = ({ inputs: [x] }) => {
  const { m, n, count } = batches(x!);
  const k = Math.min(m, n);
  const q = new Float64Array(count * m * k);
  const r = new Float64Array(count * k * n);
  each(x!, (a, b) => {
    const [qq, rr] = qrOne(a, m, n);
    q.set(qq, b * m * k);
    r.set(rr, b * k * n);
  });
  return [q, r];
};

export const svdKernel: MultiKernel<Params<'svd'>> = ({ inputs: [x] }) => {
  const { m, n, count } = batches(x!);
  const k = Math.min(m, n);
  const u = new Float64Array(count * m * m);
  const s = new Float64Array(count * k);
  const vt = new Float64Array(count * n * n);
  each(x!, (a, b) => {
    const [uu, ss, vv] = svdOne(a, m, n);
    u.set(uu, b * m * m);
    s.set(ss, b * k);
    vt.set(vv, b * n * n);
  });
  return [u, s, vt];
};

function perMatrix(f: (a: Mat, n: number) => Mat): Kernel<unknown> {
  return ({ inputs: [x] }) => {
    const { n } = batches(x!);
    const out = new Float64Array(x!.data.length);
    each(x!, (a, b) => out.set(f(a, n), b * n * n));
    return out;
  };
}

export const invKernel: Kernel<Params<'inv'>> = perMatrix(invOne);
export const triInvKernel: Kernel<Params<'triInv'>> = (call) => perMatrix((a, n) => triInvOne(a, n, call.params.upper))(call);
export const choleskyKernel: Kernel<Params<'cholesky'>> = (call) => perMatrix((a, n) => choleskyOne(a, n, call.params.upper))(call);

export const eighKernel: MultiKernel<Params<'eigh'>> = ({ inputs: [x], params }) => {
  const { n, count } = batches(x!);
  const w = new Float64Array(count * n);
  const v = new Float64Array(count * n * n);
  each(x!, (a, b) => {
    const [ww, vv] = eighOne(a, n, params.uplo === 'L');
    w.set(ww, b * n);
    v.set(vv, b * n * n);
  });
  return [w, v];
};

export const luFactorKernel: MultiKernel<Params<'luFactor'>> = ({ inputs: [x] }) => {
  const { m, n, count } = batches(x!);
  const k = Math.min(m, n);
  const lu = Float64Array.from(x!.data);
  const pivots = new Float64Array(count * k);
  const perm = new Float64Array(count * m);
  for (let b = 0; b < count; b++) {
    const r = luOne(lu.subarray(b * m * n, (b + 1) * m * n), m, n);
    pivots.set(r.pivots, b * k);
    perm.set(r.perm, b * m);
  }
  return [lu, pivots, perm];
};
