/**
 * The fake-device addon (packages/metal-backend/shim/fake_addon.cc): the Metal backend's real
 * binding (host/napi_binding.h, host/binding.h, host_logic.h) over a fake device whose "GPU" thread
 * runs the shimmed .metal kernels, loaded in-process and wrapped by the real TypeScript backend
 * (src/backend.ts). Registering it as a `gpu` backend runs whole test files with mx.gpu on it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMetalBackend, initMetalAddon, metalKernelDir, metalUnavailable, type MetalAddon, type MetalStepRecord } from '@mlx-ts/metal-backend';
import * as mx from '../helpers/mx.js';
import { harnessSources, metalDir } from './fake-device.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cxx = process.env.CXX ?? 'g++';

/** Node-API's C headers (cmake-js's node-api-headers, as the CPU addon's build finds them) and node-addon-api's. */
export function napiIncludes(): string[] {
  const req = createRequire(join(root, 'packages/cpu-backend/package.json'));
  const headers = createRequire(req.resolve('cmake-js'))('node-api-headers') as { include_dir: string };
  // node-addon-api's include_dir is relative to the working directory; its package folder is the same place.
  return [resolve(headers.include_dir), dirname(req.resolve('node-addon-api/package.json'))];
}

/** The defines the CPU addon builds with (every C++ exception becomes a JS Error). */
export const napiDefines = ['-DNAPI_VERSION=8', '-DNAPI_CPP_EXCEPTIONS', '-DNODE_ADDON_API_CPP_EXCEPTIONS_ALL'];

const flags = ['-std=c++17', '-O1', '-fPIC', '-shared', '-Wall', '-Wextra', '-Werror', '-Wno-attributes', ...napiDefines];

/**
 * Builds the fake-device addon once per content (cached under node_modules/.cache by a hash of its
 * sources, compiler and flags) and returns its path: about 2 minutes on a loaded 2-core machine.
 */
export async function buildFakeAddon(): Promise<string> {
  const version = spawnSync(cxx, ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) throw new Error(`metal fake addon: the C++ compiler '${cxx}' is not available (${version.error?.message ?? version.stderr})`);
  const includes = napiIncludes().flatMap((d) => ['-I', d]);
  const h = createHash('sha256').update(version.stdout).update(flags.join(' ')).update(process.version);
  for (const f of harnessSources()) h.update(f).update(readFileSync(f));
  const cache = join(root, 'node_modules/.cache/mlx-ts-metal');
  const out = join(cache, `fake-addon-${h.digest('hex').slice(0, 16)}.node`);
  if (existsSync(out)) return out;
  mkdirSync(cache, { recursive: true });
  // Several test files want it at once: one worker builds, the others wait for its result rather
  // than run the same two-minute compile in parallel on a machine with few cores.
  const lock = `${out}.lock`;
  try {
    mkdirSync(lock);
  } catch {
    while (!existsSync(out)) {
      // No lock: the builder failed, so try ourselves. A lock older than any build: its builder was killed.
      const since = lockAge(lock);
      if (since === null || since > 900_000) {
        rmSync(lock, { recursive: true, force: true });
        return buildFakeAddon();
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    return out;
  }
  try {
    return await compileFakeAddon(out, includes);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function lockAge(lock: string): number | null {
  try {
    return Date.now() - statSync(lock).mtimeMs;
  } catch {
    return null;
  }
}

async function compileFakeAddon(out: string, includes: string[]): Promise<string> {
  const tmp = `${out}.${process.pid}.tmp`;
  const stderr = await new Promise<string | null>((resolve, reject) => {
    const p = spawn(cxx, [...flags, ...includes, '-o', tmp, join(metalDir, 'shim/fake_addon.cc')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve(code === 0 ? null : err));
  });
  if (stderr !== null) throw new Error(`metal fake addon: building it failed:\n${stderr}`);
  renameSync(tmp, out);
  return out;
}

/** The fake addon, loaded and initialised (once per process). */
export async function loadFakeAddon(): Promise<MetalAddon> {
  const addon = createRequire(import.meta.url)(await buildFakeAddon()) as MetalAddon;
  initMetalAddon(addon, metalKernelDir);
  return addon;
}

/** Registers the real backend over the fake addon as `gpu` (name 'metal-fake'); `log` says where each step ran. */
export async function registerFakeGpu(): Promise<{ addon: MetalAddon; backend: mx.Backend; log: MetalStepRecord[] }> {
  const addon = await loadFakeAddon();
  const log: MetalStepRecord[] = [];
  const backend = createMetalBackend(addon, { name: 'metal-fake', log });
  mx.registerBackend(backend);
  // On a Mac the real 'metal' backend is registered too: the fake must serve mx.gpu here.
  mx.useBackend(backend.name, 'gpu');
  return { addon, backend, log };
}

/**
 * The gpu backend the gpu-default suites (conformance-gpu, transforms-gpu) run on: with
 * `MLX_TS_METAL_REAL=1` (the Mac selftest) the real Metal backend mlx-ts registered, else the fake.
 */
export async function gpuUnderTest(): Promise<string> {
  if (process.env.MLX_TS_METAL_REAL === '1') {
    if (!mx.listBackends().some((b) => b.name === 'metal' && b.deviceType === 'gpu'))
      throw new Error(`MLX_TS_METAL_REAL=1, but no 'metal' gpu backend is registered: ${metalUnavailable ?? 'unknown reason'}`);
    return 'metal';
  }
  return (await registerFakeGpu()).backend.name;
}
