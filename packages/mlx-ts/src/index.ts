/**
 * `import * as mx from 'mlx-ts'`: the public API, with the best backend present registered.
 * The float64 reference backend is always there; the native CPU backend outranks it when its
 * addon was built.
 */
import { registerBackend } from '@mlx-ts/core';
import { referenceBackend } from '@mlx-ts/reference-backend';

export * from '@mlx-ts/core';
export * from '@mlx-ts/transforms';

registerBackend(referenceBackend);
try {
  const { cpuBackend } = await import('@mlx-ts/cpu-backend');
  registerBackend(cpuBackend);
} catch (e) {
  process.emitWarning(`mlx-ts: the native CPU backend is unavailable, using the reference backend (${(e as Error).message})`);
}
export * as nn from '@mlx-ts/nn';
/** MLX's `mlx.utils` tree helpers (`treeMap`, `treeFlatten`, ...), on dotted parameter paths. */
export { utils } from '@mlx-ts/nn';
export * as optimizers from '@mlx-ts/optimizers';
