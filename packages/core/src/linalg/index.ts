/** MLX's `mx.linalg`: norms, factorizations, inverses, eigensolvers and solvers over the last two axes, batched over the others. */
export {
  cholesky,
  choleskyInv,
  eig,
  eigh,
  eigvals,
  eigvalsh,
  inv,
  type LinalgOpts,
  lu,
  luFactor,
  pinv,
  qr,
  solve,
  solveTriangular,
  svd,
  triInv,
} from './decompositions.js';
export { cross, norm, type NormOrd } from './norm.js';
