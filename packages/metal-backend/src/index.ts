/**
 * `@mlx-ts/metal-backend`: Metal on Apple silicon, verified on Linux as far as Linux allows (see
 * the README). On macOS with Apple silicon it loads its N-API addon (build/Release/mlx_metal.node,
 * built by `selftest`) and offers `metalBackend`, the `gpu` backend mlx-ts registers; elsewhere, or
 * without the addon, `metalBackend` is null and `metalUnavailable` says why, which mlx-ts hands to
 * core for the Error that GPU work meets.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createMetalBackend, initMetalAddon, type MetalAddon, type MetalBackend } from './backend.js';

export { capabilities, metalPrimitives } from './capabilities.js';
export type { Capability } from './capabilities.js';
export { mslFunctors, mslKernel, mslTypes } from './codegen.js';
export type { MslKernel } from './codegen.js';
export { createMetalBackend, encodeMetalParams, initMetalAddon } from './backend.js';
export type { MetalAddon, MetalBackend, MetalBackendOptions, MetalRun, MetalStepRecord } from './backend.js';

/** The kernel sources the addon compiles at start-up (relative to src/ and to dist/ alike). */
export const metalKernelDir: string = fileURLToPath(new URL('../kernels', import.meta.url));

function load(): { backend: MetalBackend; reason: null } | { backend: null; reason: string } {
  if (process.platform !== 'darwin' || process.arch !== 'arm64')
    return {
      backend: null,
      reason: `@mlx-ts/metal-backend runs only on macOS with Apple silicon (Metal), and this machine is ${process.platform} ${process.arch}`,
    };
  let addon: MetalAddon;
  try {
    addon = createRequire(import.meta.url)('../build/Release/mlx_metal.node') as MetalAddon;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'MODULE_NOT_FOUND')
      return {
        backend: null,
        reason:
          "@mlx-ts/metal-backend's addon is not built (build/Release/mlx_metal.node is missing): build it with " +
          '`METAL_CPP_DIR=/path/to/metal-cpp pnpm --filter @mlx-ts/metal-backend selftest`, which also checks it on this GPU',
      };
    return { backend: null, reason: `@mlx-ts/metal-backend's addon failed to load (${err.message}); rebuild it with selftest` };
  }
  try {
    initMetalAddon(addon, metalKernelDir);
  } catch (e) {
    return { backend: null, reason: `@mlx-ts/metal-backend could not start Metal: ${(e as Error).message}` };
  }
  return { backend: createMetalBackend(addon), reason: null };
}

const loaded = load();
/** The `gpu` backend on this machine (Metal through the addon), or null when there is none (`metalUnavailable` says why). */
export const metalBackend: MetalBackend | null = loaded.backend;
/** Why this package serves no GPU on this machine, or null when `metalBackend` is there. */
export const metalUnavailable: string | null = loaded.reason;
