/**
 * The public API under test. Everything goes through `mlx-ts`, which registers the reference
 * backend and, when its addon built, the native CPU backend.
 */
export * from '@mlx-ts/core';
import { registerBackend, listBackends } from '@mlx-ts/core';
import { referenceBackend } from '@mlx-ts/reference-backend';
// DEV SHIM (until packages/transforms/src/index.ts exists): register the backends as mlx-ts does.
if (!listBackends().some((b) => b.name === 'reference')) registerBackend(referenceBackend);
try {
  const { cpuBackend } = await import('@mlx-ts/cpu-backend');
  registerBackend(cpuBackend);
} catch {
  // the native addon did not build
}
