/**
 * Well-conditioned matrices built from arbitrary ones with differentiable ops, for the mx.linalg
 * cases of the property, rule and conformance tables: the decompositions' derivatives exist and
 * are stable only away from singular matrices and repeated eigenvalues or singular values, so a
 * case feeds its primitive one of these instead of raw random values (in [-2, 2]).
 */
import * as mx from 'mlx-ts/internals';

const mT = (x: mx.Array) => mx.swapaxes(x, -1, -2);
const side = (x: mx.Array) => x.shape[x.ndim - 1]!;

/** x xᵀ + n I: symmetric positive definite. */
export function spd(x: mx.Array): mx.Array {
  const n = side(x);
  return mx.add(mx.matmul(x, mT(x)), mx.multiply(mx.eye(n, n, 0, x.dtype), n));
}

/** 0.3 x + 2 I: diagonally dominant for |x| <= 2 and n <= 3, so invertible with a stable inverse (square x). */
export function invertible(x: mx.Array): mx.Array {
  const n = side(x);
  return mx.add(mx.multiply(x, 0.3), mx.multiply(mx.eye(n, n, 0, x.dtype), 2));
}

/** diag(1, 2, ..., n) + 0.05 (x + xᵀ): symmetric with eigenvalues at least 0.4 apart for |x| <= 2, n <= 3. */
export function separatedSymmetric(x: mx.Array): mx.Array {
  const n = side(x);
  const d = mx.multiply(mx.eye(n, n, 0, x.dtype), mx.astype(mx.add(mx.arange(n), 1), x.dtype));
  return mx.add(d, mx.multiply(mx.add(x, mT(x)), 0.05));
}

/** diag(n, ..., 1) (as the top square of an m x n matrix) + 0.05 x: singular values near n..1, at least 0.4 apart. */
export function separatedSingular(x: mx.Array): mx.Array {
  const [m, n] = x.shape.slice(-2) as [number, number];
  const d = mx.multiply(mx.eye(m, n, 0, x.dtype), mx.astype(mx.subtract(n, mx.arange(n)), x.dtype));
  return mx.add(d, mx.multiply(x, 0.05));
}

/** 2 I (its top square for a tall x) + 0.3 x: full column rank, for QR's derivative. */
export function fullRank(x: mx.Array): mx.Array {
  const [m, n] = x.shape.slice(-2) as [number, number];
  return mx.add(mx.multiply(mx.eye(m, n, 0, x.dtype), 2), mx.multiply(x, 0.3));
}

/** diag(2, 4, ..., 2n) + 0.1 x: not symmetric, with real eigenvalues at least 0.8 apart and well-conditioned eigenvectors for |x| <= 2, n <= 3 (Gershgorin). */
export function separatedGeneral(x: mx.Array): mx.Array {
  const n = side(x);
  const d = mx.multiply(mx.eye(n, n, 0, x.dtype), mx.astype(mx.multiply(mx.add(mx.arange(n), 1), 2), x.dtype));
  return mx.add(d, mx.multiply(x, 0.1));
}

/** [re, im] of z stacked (float32). */
const split = (z: mx.Array): mx.Array => mx.stack([mx.real(z), mx.imag(z)]);

/** The power sums Σ_i w_i^k, k = 1..n, of eigenvalues w [..., n]: the same for every order of w (they fix its multiset). */
export function eigenvaluePowerSums(w: mx.Array): mx.Array {
  const n = side(w);
  const sums: mx.Array[] = [];
  let p = w;
  for (let k = 1; k <= n; k++) {
    sums.push(mx.sum(p, -1, true));
    p = mx.multiply(p, w);
  }
  return split(n === 0 ? mx.sum(w, -1, true) : mx.concatenate(sums, -1));
}

/**
 * What eig's outputs determine whatever the order of the eigenpairs and the phase of each eigenvector:
 * the eigenvalues' power sums and V diag(w^k) Vᴴ for k = 0, 1 (each vector's phase cancels in v vᴴ),
 * as [re, im] float32 stacks, so backends compare elementwise.
 */
export function eigInvariants([w, v]: readonly mx.Array[]): mx.Array[] {
  const vh = mT(mx.conjugate(v!));
  const projector = (d: mx.Array) => split(mx.matmul(mx.multiply(v!, mx.expandDims(d, -2)), vh));
  return [eigenvaluePowerSums(w!), projector(mx.onesLike(w!)), projector(w!)];
}
