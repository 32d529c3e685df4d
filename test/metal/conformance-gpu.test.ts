/**
 * The whole conformance suite with mx.gpu as the default device, served by the Metal backend's
 * real binding and TypeScript backend over the fake device (fake-addon.ts): every op the suite
 * checks runs through host/binding.h (program decoding, the plan, the CPU fallback over the same
 * buffers, lifetimes) and, where the plan covers it, the shimmed kernels on the fake GPU thread,
 * compared with the float64 reference backend under the suite's tolerances.
 * harness.test.ts is left out: it checks the runner itself with deliberately broken backends.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gpuUnderTest } from './fake-addon.js';

// The runner's describeBackends reads this when each file is imported: only the GPU backend is under test.
process.env.MLX_TS_BACKENDS = await gpuUnderTest();
const dir = fileURLToPath(new URL('../conformance/', import.meta.url));
for (const f of readdirSync(dir).sort()) {
  if (f.endsWith('.test.ts') && f !== 'harness.test.ts') await import(`../conformance/${f}`);
}
