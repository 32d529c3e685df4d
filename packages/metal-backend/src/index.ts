/**
 * `@mlx-ts/metal-backend`: Metal on Apple silicon, verified on Linux as far as Linux allows (see
 * the README). Its MSL kernels, dispatch planner (host/plan.h) and host code (host/) are checked on
 * Linux through a shim and stubs; the N-API binding that would register a `gpu` backend is not
 * written yet, so on every machine this package registers nothing and says why in
 * `metalUnavailable`, which mlx-ts hands to core for the Error that GPU work meets.
 */
export { capabilities, metalPrimitives } from './capabilities.js';
export type { Capability } from './capabilities.js';
export { mslFunctors, mslKernel, mslTypes } from './codegen.js';
export type { MslKernel } from './codegen.js';

function reason(): string {
  if (process.platform !== 'darwin')
    return `@mlx-ts/metal-backend runs only on macOS with Apple silicon (Metal), and this machine is ${process.platform} ${process.arch}`;
  return (
    'not implemented yet: the N-API binding of @mlx-ts/metal-backend (issue 12); its kernels and host code are checked on Linux only, ' +
    'so a Mac runs them through `pnpm --filter @mlx-ts/metal-backend selftest` until the binding lands'
  );
}

/** Why this package serves no GPU on this machine (it serves none anywhere until its binding lands). */
export const metalUnavailable: string = reason();
