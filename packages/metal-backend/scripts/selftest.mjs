#!/usr/bin/env node
// `pnpm --filter @mlx-ts/metal-backend selftest`, for a Mac with Apple silicon: the checks only a
// Mac can make, in order, each printing what it found.
//  1. Apple's Metal compiler builds every kernel, and metal_run builds against the real metal-cpp
//     (METAL_CPP_DIR: Linux checked the host code only against our stubs).
//  2. The kernel properties (test/metal/shim.test.ts) run with metal_run executing each step on the
//     GPU instead of the shim, compared with the CPU backend under the conformance tolerances: every
//     kernel the capability table claims, over strided, broadcast and special-value inputs.
//  3. Zero-copy: metal_run writes inputs into the shared buffers' contents() and reads the output
//     from its contents() with no copy call, so step 2 passing is the check; it prints the address.
//  4. float32 matmul GFLOP/s on the GPU.
// Until the backend's N-API binding lands, the whole conformance suite cannot run with mx.gpu; see
// the README's "Verified only on a Mac".
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const root = join(pkg, '../..');
const build = join(pkg, 'build');

function step(what, cmd, args, opts = {}) {
  process.stdout.write(`selftest: ${what}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    process.stdout.write(`selftest: FAILED: ${what} (${r.error?.message ?? `exit status ${r.status}`})\n`);
    process.exit(1);
  }
}

if (process.platform !== 'darwin' || process.arch !== 'arm64') {
  process.stdout.write(
    `selftest: needs macOS on Apple silicon; this is ${process.platform} ${process.arch}. The Linux checks run in the test suite (test/metal).\n`,
  );
  process.exit(1);
}
step('build the kernels (xcrun metal) and metal_run (metal-cpp)', 'cmake', ['-S', pkg, '-B', build, '-DCMAKE_BUILD_TYPE=Release']);
step('build', 'cmake', ['--build', build]);
const metalRun = join(build, 'metal_run');
step(
  'every Metal kernel on the GPU vs the CPU backend (test/metal/shim.test.ts with MLX_TS_METAL_RUN)',
  'npx',
  ['vitest', 'run', 'test/metal/shim.test.ts', 'test/metal/gpu-device.test.ts'],
  {
    cwd: root,
    env: { ...process.env, MLX_TS_METAL_RUN: metalRun },
  },
);
step('matmul GFLOP/s (float32, on the GPU)', metalRun, [join(pkg, 'kernels'), '--bench-matmul', '2048']);
process.stdout.write('selftest: ok. Record the run (machine, macOS version, output) in the issue: the backend stays unconfirmed until one is recorded.\n');
