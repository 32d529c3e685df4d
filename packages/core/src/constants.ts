/** MLX's numeric constants (`mx.pi`, `mx.e`, `mx.inf`, `mx.nan`, ...), as JS numbers; `newaxis` is null, as in indexing. */
export const pi = Math.PI;
export const e = Math.E;
export const eulerGamma = 0.5772156649015329;
export const inf = Infinity;
export const nan = NaN;
export const newaxis = null;
