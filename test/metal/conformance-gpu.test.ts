/**
 * The whole conformance suite with mx.gpu as the default device, served by the Metal backend's
 * real binding and TypeScript backend over the fake device (fake-addon.ts): every op the suite
 * checks runs through host/binding.h (program decoding, the plan, the CPU fallback over the same
 * buffers, lifetimes) and, where the plan covers it, the shimmed kernels on the fake GPU thread,
 * compared with the float64 reference backend under the suite's tolerances.
 * With `MLX_TS_METAL_REAL=1` (the Mac selftest) the same files run on the real GPU.
 *
 * Left out: harness.test.ts, which checks the runner itself with deliberately broken backends, and,
 * over the fake device only, large.test.ts: its arrays of 10^5-10^6 elements take minutes per
 * property through kernels emulated thread by thread, past the suite's time budget (the Mac runs it).
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';
import type { MetalBackend } from '@mlx-ts/metal-backend';
import { mx } from '../helpers/index.js';
import { gpuUnderTest } from './fake-addon.js';

// The runner's describeBackends reads this when each file is imported: only the GPU backend is under test.
const gpu = await gpuUnderTest();
process.env.MLX_TS_BACKENDS = gpu;

afterAll(() => {
  // The kernels ran, not only the CPU fallback.
  const { gpuSteps } = (mx.getBackendByName(gpu) as MetalBackend).stats();
  process.stdout.write(`conformance-gpu: ${gpuSteps} steps ran on the kernels of '${gpu}'\n`);
  expect(gpuSteps).toBeGreaterThan(1000);
});
const dir = fileURLToPath(new URL('../conformance/', import.meta.url));
for (const f of readdirSync(dir).sort()) {
  if (!f.endsWith('.test.ts') || f === 'harness.test.ts') continue;
  if (f === 'large.test.ts' && process.env.MLX_TS_METAL_REAL !== '1') continue;
  await import(`../conformance/${f}`);
}
