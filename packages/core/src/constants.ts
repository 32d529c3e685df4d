/** MLX's numeric constants (`mx.pi`, `mx.e`, `mx.inf`, `mx.nan`, ...), as JS numbers; `newaxis` is null, as in indexing. */
export const pi = Math.PI;
/** Euler's number, `Math.E`. */
export const e = Math.E;
/** The Euler-Mascheroni constant, γ ≈ 0.5772. */
export const eulerGamma = 0.5772156649015329;
/** Positive infinity. */
export const inf = Infinity;
/** Not a number. */
export const nan = NaN;
/** A new axis of size 1 in `index` / `at`, as `None` in MLX. */
export const newaxis = null;
