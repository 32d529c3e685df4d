/**
 * mx.linalg's factorizations, inverses and solvers. Nine are primitives (qr, svd, inv, triInv,
 * cholesky, eigh, luFactor, eig, eigvals; DESIGN.md "Kernel contracts"), the rest compositions of them, as in
 * MLX (solveTriangular = triInv(a) @ b, choleskyInv = L⁻ᵀ L⁻¹, pinv from the SVD, lu from
 * luFactor). solve is inv(a) @ b, so it has inv's derivatives (MLX's goes through an LU, which has
 * none). Every input is checked here, under the name the user called, before any node is built.
 */
import type { Array } from '../array.js';
import type { StreamOrDevice } from '../device.js';
import { complex64, type Dtype, float32, float64, promoteTypes } from '../dtype.js';
import { multiNode, node } from '../graph.js';
import { fmtShape } from '../shape.js';
import { type ArrayInput, astype, type OptArgs, parseOpts, toArray } from '../ops/convert.js';
import { eye, tril, triu, zeros } from '../ops/creation.js';
import { add, greater, multiply, reciprocal, where } from '../ops/elementwise.js';
import { matmul } from '../ops/linalg.js';
import { max } from '../ops/reduction.js';
import { expandDims, swapaxes } from '../ops/shape.js';

type Stream = StreamOrDevice | null | undefined;
/** The options every mx.linalg function takes. */
export interface LinalgOpts {
  stream?: StreamOrDevice | null;
}
const boolKind = 'bool' as const;

function checkFloat(fn: string, dtype: Dtype): void {
  if (dtype !== float32 && dtype !== float64) {
    throw new Error(`${fn}: expected a float32 or float64 array, got ${dtype.name} (cast with astype first)`);
  }
}

/** The input as a float32/float64 array of at least two dimensions (square ones when `square`). */
function matrices(fn: string, a: ArrayInput, square: boolean): Array {
  const x = toArray(fn, a);
  checkFloat(fn, x.dtype);
  if (x.ndim < 2) throw new Error(`${fn}: expected an array of at least 2 dimensions, got shape ${fmtShape(x.shape)}`);
  const [m, n] = x.shape.slice(-2) as [number, number];
  if (square && m !== n) throw new Error(`${fn}: expected square matrices in the last two axes, got shape ${fmtShape(x.shape)}`);
  return x;
}

const streamOnly = (fn: string, opts: LinalgOpts | undefined): Stream => parseOpts(fn, [opts], []).stream;

/**
 * MLX's `linalg.qr(a)`: the reduced QR factorization of each matrix [..., M, N]: `[Q, R]` with Q
 * [..., M, K] orthonormal columns and R [..., K, N] upper triangular, K = min(M, N).
 * float32/float64. Differentiable for M >= N (JAX's rule).
 */
export function qr(a: ArrayInput, opts?: LinalgOpts): [Array, Array] {
  const fn = 'linalg.qr';
  const s = streamOnly(fn, opts);
  return multiNode('qr', [matrices(fn, a, false)], {}, s) as [Array, Array];
}

/**
 * MLX's `linalg.svd(a, computeUv=true)`: `[U, S, Vt]` with `a = U @ diag(S) @ Vt` (U [..., M, M],
 * S [..., K] descending, Vt [..., N, N]), or S alone when `computeUv` is false (as MLX's Python).
 * float32/float64. Differentiable where the singular values are distinct and nonzero (U's columns
 * beyond K, or Vt's rows, which are not unique, get the tangent that keeps them orthogonal and moves them least).
 */
export function svd(a: ArrayInput, computeUv?: true, opts?: LinalgOpts): [Array, Array, Array];
export function svd(a: ArrayInput, opts: LinalgOpts & { computeUv?: true }): [Array, Array, Array];
export function svd(a: ArrayInput, computeUv: false, opts?: LinalgOpts): Array;
export function svd(a: ArrayInput, opts: LinalgOpts & { computeUv: false }): Array;
export function svd(a: ArrayInput, computeUv: boolean, opts?: LinalgOpts): Array | [Array, Array, Array];
export function svd(a: ArrayInput, ...args: unknown[]): Array | [Array, Array, Array] {
  const fn = 'linalg.svd';
  const o = parseOpts(fn, args, ['computeUv'], { computeUv: boolKind });
  const outs = multiNode('svd', [matrices(fn, a, false)], {}, o.stream) as [Array, Array, Array];
  return o.computeUv === false ? outs[1] : outs;
}

/** MLX's `linalg.inv(a)`: the inverse of each square matrix; a singular one is an Error when evaluated. */
export function inv(a: ArrayInput, opts?: LinalgOpts): Array {
  const fn = 'linalg.inv';
  const s = streamOnly(fn, opts);
  return node('inv', [matrices(fn, a, true)], {}, s);
}

/**
 * MLX's `linalg.triInv(a, upper=false)`: the inverse of the lower (or upper) triangle of each
 * square matrix; the other triangle of `a` is not read, and is 0 in the result.
 */
export function triInv(a: ArrayInput, ...args: OptArgs<[upper?: boolean], LinalgOpts & { upper?: boolean }>): Array {
  const fn = 'linalg.triInv';
  const o = parseOpts(fn, args, ['upper'], { upper: boolKind });
  return node('triInv', [matrices(fn, a, true)], { upper: o.upper ?? false }, o.stream);
}

/**
 * MLX's `linalg.cholesky(a, upper=false)`: L with `a = L @ Lᵀ` (or U with `a = Uᵀ @ U`) for each
 * symmetric positive-definite matrix; only the lower (upper) triangle of `a` is read. A matrix that
 * is not positive definite is an Error when evaluated.
 */
export function cholesky(a: ArrayInput, ...args: OptArgs<[upper?: boolean], LinalgOpts & { upper?: boolean }>): Array {
  const fn = 'linalg.cholesky';
  const o = parseOpts(fn, args, ['upper'], { upper: boolKind });
  return node('cholesky', [matrices(fn, a, true)], { upper: o.upper ?? false }, o.stream);
}

/**
 * MLX's `linalg.choleskyInv(L, upper=false)`: the inverse of `a` from its Cholesky factor
 * (`L⁻ᵀ @ L⁻¹`, or `U⁻¹ @ U⁻ᵀ` when upper).
 */
export function choleskyInv(l: ArrayInput, ...args: OptArgs<[upper?: boolean], LinalgOpts & { upper?: boolean }>): Array {
  const fn = 'linalg.choleskyInv';
  const o = parseOpts(fn, args, ['upper'], { upper: boolKind });
  const upper: boolean = o.upper ?? false;
  const li = node('triInv', [matrices(fn, l, true)], { upper }, o.stream);
  const so = { stream: o.stream ?? undefined };
  const lt = swapaxes(li, -1, -2, so);
  return upper ? matmul(li, lt, so) : matmul(lt, li, so);
}

/**
 * MLX's `linalg.pinv(a)`: the Moore-Penrose pseudo-inverse [..., N, M] from the SVD, singular
 * values at most `10 * max(M, N) * eps * max(S)` treated as 0.
 */
export function pinv(a: ArrayInput, opts?: LinalgOpts): Array {
  const fn = 'linalg.pinv';
  const s = streamOnly(fn, opts);
  const x = matrices(fn, a, false);
  const so = { stream: s ?? undefined };
  const [m, n] = x.shape.slice(-2) as [number, number];
  if (x.size === 0) return zeros([...x.shape.slice(0, -2), n, m], x.dtype, so);
  const k = Math.min(m, n);
  const [u, sv, vt] = multiNode('svd', [x], {}, s) as [Array, Array, Array];
  const lead = x.shape.slice(0, -2).map(() => 0);
  const sliceTo = (y: Array, rows: number, cols: number) =>
    node('slice', [y], { start: [...lead, 0, 0], step: [...lead.map(() => 1), 1, 1], shape: [...x.shape.slice(0, -2), rows, cols] }, s);
  const uk = swapaxes(sliceTo(u, m, k), -1, -2, so);
  const vk = swapaxes(sliceTo(vt, k, n), -1, -2, so);
  const srow = expandDims(sv, -2, so);
  const eps = x.dtype === float64 ? 2 ** -52 : 2 ** -23;
  const cutoff = multiply(toArray(fn, 10 * Math.max(m, n) * eps, x.dtype), max(srow, { axis: -1, keepdims: true, stream: s ?? undefined }), so);
  const rs = where(greater(srow, cutoff, so), reciprocal(srow, so), astype(0, x.dtype, s), so);
  return matmul(multiply(vk, rs, so), uk, so);
}

function eighImpl(fn: string, a: ArrayInput, args: readonly unknown[]): Array[] {
  const o = parseOpts(fn, args, ['UPLO'], { UPLO: ['L', 'U'] });
  return multiNode('eigh', [matrices(fn, a, true)], { uplo: o.UPLO ?? 'L' }, o.stream);
}

/**
 * MLX's `linalg.eigh(a, UPLO='L')`: `[w, V]`, the eigenvalues (ascending) and eigenvectors (the
 * columns of V) of each symmetric matrix, reading its lower ('L') or upper ('U') triangle.
 * Differentiable where the eigenvalues are distinct.
 */
export function eigh(a: ArrayInput, ...args: OptArgs<[UPLO?: 'L' | 'U'], LinalgOpts & { UPLO?: 'L' | 'U' }>): [Array, Array] {
  return eighImpl('linalg.eigh', a, args) as [Array, Array];
}

/** MLX's `linalg.eigvalsh(a, UPLO='L')`: the eigenvalues (ascending) of each symmetric matrix. */
export function eigvalsh(a: ArrayInput, ...args: OptArgs<[UPLO?: 'L' | 'U'], LinalgOpts & { UPLO?: 'L' | 'U' }>): Array {
  return eighImpl('linalg.eigvalsh', a, args)[0]!;
}

/** eig's input: square matrices of float32, float64 or complex64 (MLX's rule; no integer cast). */
function eigInput(fn: string, a: ArrayInput): Array {
  const x = toArray(fn, a);
  if (x.dtype !== float32 && x.dtype !== float64 && x.dtype !== complex64) {
    throw new Error(`${fn}: expected a float32, float64 or complex64 array, got ${x.dtype.name} (cast with astype first)`);
  }
  if (x.ndim < 2) throw new Error(`${fn}: expected an array of at least 2 dimensions, got shape ${fmtShape(x.shape)}`);
  const [m, n] = x.shape.slice(-2) as [number, number];
  if (m !== n) throw new Error(`${fn}: expected square matrices in the last two axes, got shape ${fmtShape(x.shape)}`);
  return x;
}

/**
 * MLX's `linalg.eig(a)`: `[w, V]`, the eigenvalues and right eigenvectors (the columns of V, so
 * `a @ V = V * w[..., None, :]`) of each general square matrix of float32, float64 or complex64,
 * both complex64 whatever the input (as MLX, even for float64 and for real eigenvalues). The
 * eigenvalues come in no specified order (the backends may differ); each eigenvector has unit
 * 2-norm, as LAPACK's and NumPy's, and its first entry of largest modulus is real and positive.
 * Not differentiable (MLX defines no derivative).
 */
export function eig(a: ArrayInput, opts?: LinalgOpts): [Array, Array] {
  const fn = 'linalg.eig';
  const s = streamOnly(fn, opts);
  return multiNode('eig', [eigInput(fn, a)], {}, s) as [Array, Array];
}

/** MLX's `linalg.eigvals(a)`: the eigenvalues of each general square matrix as complex64, in no specified order (see {@link eig}). */
export function eigvals(a: ArrayInput, opts?: LinalgOpts): Array {
  const fn = 'linalg.eigvals';
  const s = streamOnly(fn, opts);
  return node('eigvals', [eigInput(fn, a)], {}, s);
}

/**
 * MLX's `linalg.luFactor(a)`: `[LU, pivots]`, the LU factorization with partial pivoting packed
 * in one matrix (unit-lower L below the diagonal, U on and above it) and LAPACK's row swaps
 * (uint32 [..., K]: row i was swapped with row pivots[i], in order). Not differentiable.
 */
export function luFactor(a: ArrayInput, opts?: LinalgOpts): [Array, Array] {
  const fn = 'linalg.luFactor';
  const s = streamOnly(fn, opts);
  const [lu, pivots] = multiNode('luFactor', [matrices(fn, a, false)], {}, s);
  return [lu!, pivots!];
}

/**
 * MLX's `linalg.lu(a)`: `[P, L, U]` with `a = (L @ U)[P]` (as MLX's `L[P, :] @ U == a`): P
 * (uint32 [..., M]) says which row of `L @ U` each row of `a` is; L [..., M, K] unit lower triangular,
 * U [..., K, N] upper triangular, K = min(M, N). Not differentiable.
 */
export function lu(a: ArrayInput, opts?: LinalgOpts): [Array, Array, Array] {
  const fn = 'linalg.lu';
  const s = streamOnly(fn, opts);
  const x = matrices(fn, a, false);
  const so = { stream: s ?? undefined };
  const [packed, , perm] = multiNode('luFactor', [x], {}, s) as [Array, Array, Array];
  const [m, n] = x.shape.slice(-2) as [number, number];
  const k = Math.min(m, n);
  const lead = x.shape.slice(0, -2);
  const cut = (y: Array, rows: number, cols: number) =>
    rows === m && cols === n
      ? y
      : node('slice', [y], { start: [...lead.map(() => 0), 0, 0], step: [...lead.map(() => 1), 1, 1], shape: [...lead, rows, cols] }, s);
  const l = add(tril(cut(packed, m, k), -1, so), eye(m, k, 0, x.dtype, so), so);
  const u = triu(cut(packed, k, n), 0, so);
  return [perm, l, u];
}

/** The two operands of solve and solveTriangular, checked as MLX checks them, in their common float dtype. */
function solveOperands(fn: string, a: ArrayInput, b: ArrayInput, s: Stream): [Array, Array] {
  const x = toArray(fn, a);
  const y = toArray(fn, b);
  if (x.ndim < 2) throw new Error(`${fn}: expected the first input to have at least 2 dimensions, got shape ${fmtShape(x.shape)}`);
  if (y.ndim < 1) throw new Error(`${fn}: expected the second input to have at least 1 dimension, got shape ${fmtShape(y.shape)}`);
  const [m, n] = x.shape.slice(-2) as [number, number];
  if (m !== n) throw new Error(`${fn}: expected the first input to be square matrices, got shape ${fmtShape(x.shape)}`);
  const rows = y.shape[y.ndim > 1 ? y.ndim - 2 : 0]!;
  if (rows !== n) {
    throw new Error(
      `${fn}: the last axis of the first input (shape ${fmtShape(x.shape)}) must match the ${y.ndim > 1 ? 'second-to-last' : 'only'} axis of the second (shape ${fmtShape(y.shape)})`,
    );
  }
  const dt = promoteTypes(x.dtype, y.dtype);
  if (dt !== float32 && dt !== float64) {
    throw new Error(`${fn}: the inputs must promote to float32 or float64, got ${x.dtype.name} and ${y.dtype.name}`);
  }
  return [astype(x, dt, s), astype(y, dt, s)];
}

/** MLX's `linalg.solve(a, b)`: x with `a @ x = b` (b a vector [..., N] or matrices [..., N, K]; batch axes broadcast). */
export function solve(a: ArrayInput, b: ArrayInput, opts?: LinalgOpts): Array {
  const fn = 'linalg.solve';
  const s = streamOnly(fn, opts);
  const [x, y] = solveOperands(fn, a, b, s);
  return matmul(node('inv', [x], {}, s), y, { stream: s ?? undefined });
}

/** MLX's `linalg.solveTriangular(a, b, { upper=false })`: `triInv(a, upper) @ b`. */
export function solveTriangular(a: ArrayInput, b: ArrayInput, opts?: LinalgOpts & { upper?: boolean }): Array {
  const fn = 'linalg.solveTriangular';
  const o = parseOpts(fn, [opts], ['upper'], { upper: boolKind });
  const [x, y] = solveOperands(fn, a, b, o.stream);
  return matmul(node('triInv', [x], { upper: o.upper ?? false }, o.stream), y, { stream: o.stream ?? undefined });
}
