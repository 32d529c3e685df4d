/**
 * The transform tests (grad, vjp, jvp, vmap and their compositions) with mx.gpu as the default
 * device, served by the Metal backend's real binding over the fake device (fake-addon.ts): every
 * array they make and every op they trace runs there, kernels and CPU fallbacks alike.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mx } from '../helpers/index.js';
import { gpuUnderTest } from './fake-addon.js';

await gpuUnderTest();
mx.setDefaultDevice(mx.gpu);
const dir = fileURLToPath(new URL('../transforms/', import.meta.url));
for (const f of readdirSync(dir).sort()) {
  if (f.endsWith('.test.ts')) await import(`../transforms/${f}`);
}
