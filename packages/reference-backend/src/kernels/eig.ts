/**
 * linalg.eig and linalg.eigvals in float64 complex arithmetic, one matrix of the leading axes at a
 * time, for real and complex input alike (a real matrix is a complex one with zero imaginary parts):
 *
 * 1. Householder reduction to upper Hessenberg form H = Zᴴ A Z.
 * 2. The complex Schur form T = Zᴴ A Z by the single-shift QR algorithm on H (Givens rotations,
 *    Wilkinson's shift from the trailing 2 x 2 block, an exceptional shift every 10 iterations
 *    without deflation, which breaks the cycles a fixed shift can fall into).
 * 3. The eigenvectors of T by back-substitution ((T - t_kk I) x = 0 with x_k = 1 and x_j = 0
 *    below k; a pivot smaller than eps·|T| is replaced by that, as LAPACK's trevc, so repeated
 *    eigenvalues still give finite vectors), then v = Z x.
 *
 * Each eigenvector is scaled to unit 2-norm and turned so that its first entry of largest modulus is
 * real and positive: the contract the CPU backend's LAPACK output is normalized to. The order of the
 * eigenvalues is the QR algorithm's deflation order, which no contract pins down. A matrix with a
 * non-finite entry gives NaN outputs, and one the iteration does not reduce within its budget an Error.
 */
import type { Params } from '@mlx-ts/core';
import type { Kernel, MultiKernel, Operand } from '../kernel.js';

const EPS = 2 ** -52;
/** QR iterations allowed for one eigenvalue to deflate (LAPACK's zlahqr allows 30 per row of the block). */
const ITERATIONS_PER_EIGENVALUE = 60;

/** A complex n x n matrix, row-major, as separate real and imaginary parts. */
interface CMat {
  re: Float64Array;
  im: Float64Array;
}

const abs1 = (re: number, im: number): number => Math.abs(re) + Math.abs(im);

/** Matrix `b` of the operand as a complex matrix (imaginary parts 0 for a real operand). */
function load(x: Operand, b: number, n: number): CMat {
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  const complex = x.dtype.isComplex;
  const base = b * n * n;
  for (let i = 0; i < n * n; i++) {
    if (complex) {
      re[i] = x.data[2 * (base + i)]!;
      im[i] = x.data[2 * (base + i) + 1]!;
    } else re[i] = x.data[base + i]!;
  }
  return { re, im };
}

/** H = Zᴴ A Z upper Hessenberg, in place in `h`; returns Z. */
function hessenberg(h: CMat, n: number): CMat {
  const z: CMat = { re: new Float64Array(n * n), im: new Float64Array(n * n) };
  for (let i = 0; i < n; i++) z.re[i * n + i] = 1;
  const vr = new Float64Array(n);
  const vi = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    let norm2 = 0;
    for (let i = k + 1; i < n; i++) norm2 += h.re[i * n + k]! ** 2 + h.im[i * n + k]! ** 2;
    const alpha = Math.sqrt(norm2);
    if (alpha === 0) continue;
    // v = x + e^{i arg x0} |x| e_0, so the reflection sends x to a multiple of e_0 without cancellation.
    const x0r = h.re[(k + 1) * n + k]!;
    const x0i = h.im[(k + 1) * n + k]!;
    const m0 = Math.hypot(x0r, x0i);
    const [pr, pi] = m0 === 0 ? [1, 0] : [x0r / m0, x0i / m0];
    let vv = 0;
    for (let i = k + 1; i < n; i++) {
      vr[i] = h.re[i * n + k]!;
      vi[i] = h.im[i * n + k]!;
    }
    vr[k + 1] = vr[k + 1]! + pr * alpha;
    vi[k + 1] = vi[k + 1]! + pi * alpha;
    for (let i = k + 1; i < n; i++) vv += vr[i]! ** 2 + vi[i]! ** 2;
    const tau = 2 / vv;
    // H <- P H with P = I - tau v vᴴ: each column j loses tau v (vᴴ h_j).
    for (let j = 0; j < n; j++) {
      let sr = 0;
      let si = 0;
      for (let i = k + 1; i < n; i++) {
        const [ar, ai] = [h.re[i * n + j]!, h.im[i * n + j]!];
        sr += vr[i]! * ar + vi[i]! * ai;
        si += vr[i]! * ai - vi[i]! * ar;
      }
      sr *= tau;
      si *= tau;
      for (let i = k + 1; i < n; i++) {
        h.re[i * n + j] = h.re[i * n + j]! - (vr[i]! * sr - vi[i]! * si);
        h.im[i * n + j] = h.im[i * n + j]! - (vr[i]! * si + vi[i]! * sr);
      }
    }
    // H <- H P and Z <- Z P: each row r loses tau (r v) vᴴ.
    for (const m of [h, z]) {
      for (let r = 0; r < n; r++) {
        let sr = 0;
        let si = 0;
        for (let i = k + 1; i < n; i++) {
          const [ar, ai] = [m.re[r * n + i]!, m.im[r * n + i]!];
          sr += ar * vr[i]! - ai * vi[i]!;
          si += ar * vi[i]! + ai * vr[i]!;
        }
        sr *= tau;
        si *= tau;
        for (let i = k + 1; i < n; i++) {
          m.re[r * n + i] = m.re[r * n + i]! - (sr * vr[i]! + si * vi[i]!);
          m.im[r * n + i] = m.im[r * n + i]! - (si * vr[i]! - sr * vi[i]!);
        }
      }
    }
    for (let i = k + 2; i < n; i++) h.re[i * n + k] = h.im[i * n + k] = 0;
  }
  return z;
}

/** The complex square root with a non-negative real part. */
function csqrt(re: number, im: number): [number, number] {
  const m = Math.hypot(re, im);
  if (m === 0) return [0, 0];
  const r = Math.sqrt((m + Math.abs(re)) / 2);
  const o = im / (2 * r);
  return re >= 0 ? [r, o] : [Math.abs(o), im >= 0 ? r : -r];
}

/** The eigenvalue of [[a, b], [c, d]] nearer d (Wilkinson's shift). */
function wilkinson(ar: number, ai: number, br: number, bi: number, cr: number, ci: number, dr: number, di: number): [number, number] {
  const hr = (ar - dr) / 2;
  const hi = (ai - di) / 2;
  // mu = d + h -+ sqrt(h² + bc), the sign that keeps mu nearer d.
  const [sr, si] = csqrt(hr * hr - hi * hi + (br * cr - bi * ci), 2 * hr * hi + (br * ci + bi * cr));
  const [pr, pi] = hr * sr + hi * si >= 0 ? [hr + sr, hi + si] : [hr - sr, hi - si];
  return [dr + hr - pr, di + hi - pi];
}

/** T = Zᴴ H Z upper triangular (the Schur form) in place in `h`, Z accumulated into `z`. */
function schur(fn: string, h: CMat, z: CMat, n: number): void {
  let norm = 0;
  for (let i = 0; i < n * n; i++) norm = Math.max(norm, abs1(h.re[i]!, h.im[i]!));
  const cs = new Float64Array(n);
  const snr = new Float64Array(n);
  const sni = new Float64Array(n);
  let hi = n - 1;
  let iter = 0;
  while (hi > 0) {
    let l = hi;
    for (; l > 0; l--) {
      const sub = abs1(h.re[l * n + l - 1]!, h.im[l * n + l - 1]!);
      let diag = abs1(h.re[(l - 1) * n + l - 1]!, h.im[(l - 1) * n + l - 1]!) + abs1(h.re[l * n + l]!, h.im[l * n + l]!);
      if (diag === 0) diag = norm;
      if (sub <= EPS * diag) {
        h.re[l * n + l - 1] = h.im[l * n + l - 1] = 0;
        break;
      }
    }
    if (l === hi) {
      hi--;
      iter = 0;
      continue;
    }
    if (++iter > ITERATIONS_PER_EIGENVALUE) throw new Error(`${fn}: the QR algorithm did not converge`);
    const at = (i: number, j: number): [number, number] => [h.re[i * n + j]!, h.im[i * n + j]!];
    // LAPACK's zlahqr exceptional shift: the trailing diagonal entry moved by 3/4 of its subdiagonal.
    let [mr, mi] =
      iter % 10 === 0
        ? [h.re[hi * n + hi]! + 0.75 * abs1(...at(hi, hi - 1)), h.im[hi * n + hi]!]
        : wilkinson(...at(hi - 1, hi - 1), ...at(hi - 1, hi), ...at(hi, hi - 1), ...at(hi, hi));
    if (!Number.isFinite(mr) || !Number.isFinite(mi)) [mr, mi] = at(hi, hi);
    for (let i = l; i <= hi; i++) {
      h.re[i * n + i] = h.re[i * n + i]! - mr;
      h.im[i * n + i] = h.im[i * n + i]! - mi;
    }
    // QR of the shifted block by rotations G_k on rows k, k+1 (over every column right of k, so the
    // whole matrix stays similar to A), then RQ by their adjoints on columns k, k+1.
    for (let k = l; k < hi; k++) {
      const [ar, ai] = at(k, k);
      const [br, bi] = at(k + 1, k);
      const ma = Math.hypot(ar, ai);
      const r = Math.hypot(ma, Math.hypot(br, bi));
      let c: number, sr: number, si: number;
      if (r === 0) [c, sr, si] = [1, 0, 0];
      else if (ma === 0) [c, sr, si] = [0, 1, 0];
      else {
        // s = (a / |a|) conj(b) / r
        c = ma / r;
        sr = ((ar / ma) * br + (ai / ma) * bi) / r;
        si = ((ai / ma) * br - (ar / ma) * bi) / r;
      }
      cs[k] = c;
      snr[k] = sr;
      sni[k] = si;
      for (let j = k; j < n; j++) {
        const [xr, xi] = at(k, j);
        const [yr, yi] = at(k + 1, j);
        h.re[k * n + j] = c * xr + (sr * yr - si * yi);
        h.im[k * n + j] = c * xi + (sr * yi + si * yr);
        // -conj(s) x + c y
        h.re[(k + 1) * n + j] = -(sr * xr + si * xi) + c * yr;
        h.im[(k + 1) * n + j] = -(sr * xi - si * xr) + c * yi;
      }
    }
    for (let k = l; k < hi; k++) {
      const [c, sr, si] = [cs[k]!, snr[k]!, sni[k]!];
      const rotate = (m: CMat, rows: number): void => {
        for (let i = 0; i < rows; i++) {
          const [xr, xi] = [m.re[i * n + k]!, m.im[i * n + k]!];
          const [yr, yi] = [m.re[i * n + k + 1]!, m.im[i * n + k + 1]!];
          // x c + y conj(s), -x s + y c
          m.re[i * n + k] = xr * c + (yr * sr + yi * si);
          m.im[i * n + k] = xi * c + (yi * sr - yr * si);
          m.re[i * n + k + 1] = -(xr * sr - xi * si) + yr * c;
          m.im[i * n + k + 1] = -(xr * si + xi * sr) + yi * c;
        }
      };
      rotate(h, Math.min(k + 2, hi) + 1);
      rotate(z, n);
    }
    for (let i = l; i <= hi; i++) {
      h.re[i * n + i] = h.re[i * n + i]! + mr;
      h.im[i * n + i] = h.im[i * n + i]! + mi;
    }
  }
}

/** The eigenvectors of the Schur form T mapped through Z: column k of the result (row-major, complex). */
function eigenvectors(t: CMat, z: CMat, n: number): CMat {
  let norm = 0;
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) norm = Math.max(norm, abs1(t.re[i * n + j]!, t.im[i * n + j]!));
  const smin = Math.max(EPS * norm, Number.MIN_VALUE);
  const v: CMat = { re: new Float64Array(n * n), im: new Float64Array(n * n) };
  const xr = new Float64Array(n);
  const xi = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    xr.fill(0);
    xi.fill(0);
    xr[k] = 1;
    const [lr, li] = [t.re[k * n + k]!, t.im[k * n + k]!];
    for (let j = k - 1; j >= 0; j--) {
      let sr = 0;
      let si = 0;
      for (let c = j + 1; c <= k; c++) {
        const [ar, ai] = [t.re[j * n + c]!, t.im[j * n + c]!];
        sr += ar * xr[c]! - ai * xi[c]!;
        si += ar * xi[c]! + ai * xr[c]!;
      }
      let [dr, di] = [t.re[j * n + j]! - lr, t.im[j * n + j]! - li];
      if (abs1(dr, di) < smin) [dr, di] = [smin, 0];
      // x_j = -s / d
      const dd = dr * dr + di * di;
      xr[j] = -(sr * dr + si * di) / dd;
      xi[j] = -(si * dr - sr * di) / dd;
    }
    // Column k of Z x, then unit norm and the phase that makes the first largest entry real positive.
    let norm2 = 0;
    let best = 0;
    let bestAt = 0;
    for (let i = 0; i < n; i++) {
      let sr = 0;
      let si = 0;
      for (let c = 0; c <= k; c++) {
        const [ar, ai] = [z.re[i * n + c]!, z.im[i * n + c]!];
        sr += ar * xr[c]! - ai * xi[c]!;
        si += ar * xi[c]! + ai * xr[c]!;
      }
      v.re[i * n + k] = sr;
      v.im[i * n + k] = si;
      norm2 += sr * sr + si * si;
    }
    for (let i = 0; i < n; i++) {
      const m = Math.hypot(v.re[i * n + k]!, v.im[i * n + k]!);
      if (m > best) [best, bestAt] = [m, i];
    }
    const scale = Math.sqrt(norm2);
    const [pr, pi] = [v.re[bestAt * n + k]! / best / scale, -v.im[bestAt * n + k]! / best / scale];
    for (let i = 0; i < n; i++) {
      const [ar, ai] = [v.re[i * n + k]!, v.im[i * n + k]!];
      v.re[i * n + k] = ar * pr - ai * pi;
      v.im[i * n + k] = ar * pi + ai * pr;
    }
    v.im[bestAt * n + k] = 0;
  }
  return v;
}

/** Eigenvalues (and eigenvectors) of every matrix, interleaved (re, im). */
function run(fn: string, x: Operand, vectors: boolean): Float64Array[] {
  const n = x.shape[x.shape.length - 1]!;
  const count = x.shape.slice(0, -2).reduce((a, d) => a * d, 1);
  const w = new Float64Array(2 * count * n);
  const v = new Float64Array(vectors ? 2 * count * n * n : 0);
  for (let b = 0; b < count && n > 0; b++) {
    const h = load(x, b, n);
    if (![...h.re, ...h.im].every(Number.isFinite)) {
      w.fill(NaN, 2 * b * n, 2 * (b + 1) * n);
      v.fill(NaN, 2 * b * n * n, vectors ? 2 * (b + 1) * n * n : 0);
      continue;
    }
    const z = hessenberg(h, n);
    schur(fn, h, z, n);
    for (let k = 0; k < n; k++) {
      w[2 * (b * n + k)] = h.re[k * n + k]!;
      w[2 * (b * n + k) + 1] = h.im[k * n + k]!;
    }
    if (!vectors) continue;
    const vv = eigenvectors(h, z, n);
    for (let i = 0; i < n * n; i++) {
      v[2 * (b * n * n + i)] = vv.re[i]!;
      v[2 * (b * n * n + i) + 1] = vv.im[i]!;
    }
  }
  return vectors ? [w, v] : [w];
}

export const eigKernel: MultiKernel<Params<'eig'>> = ({ inputs: [x] }) => run('linalg.eig', x!, true);
export const eigvalsKernel: Kernel<Params<'eigvals'>> = ({ inputs: [x] }) => run('linalg.eigvals', x!, false)[0]!;
