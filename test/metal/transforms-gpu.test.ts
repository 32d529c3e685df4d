/**
 * The transform tests (grad, vjp, jvp, vmap and their compositions) with mx.gpu as the default
 * device, served by the Metal backend's real binding over the fake device (fake-addon.ts): every
 * array they make and every op they trace runs there, kernels and CPU fallbacks alike.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';
import type { MetalBackend } from '@mlx-ts/metal-backend';
import { mx } from '../helpers/index.js';
import { gpuUnderTest } from './fake-addon.js';

const gpu = await gpuUnderTest();
mx.setDefaultDevice(mx.gpu);

afterAll(() => {
  // The transforms' arrays lived on the GPU backend and its kernels ran.
  const { gpuSteps } = (mx.getBackendByName(gpu) as MetalBackend).stats();
  process.stdout.write(`transforms-gpu: ${gpuSteps} steps ran on the kernels of '${gpu}'\n`);
  expect(gpuSteps).toBeGreaterThan(1000);
});
const dir = fileURLToPath(new URL('../transforms/', import.meta.url));
for (const f of readdirSync(dir).sort()) {
  if (f.endsWith('.test.ts')) await import(`../transforms/${f}`);
}
