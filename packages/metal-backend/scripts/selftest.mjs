#!/usr/bin/env node
// `pnpm --filter @mlx-ts/metal-backend selftest`, for a Mac with Apple silicon: the checks only a
// Mac can make, in order, each printing what it found.
//  1. Apple's Metal compiler builds every kernel, and metal_run and the N-API addon
//     (build/Release/mlx_metal.node) build against the real metal-cpp (METAL_CPP_DIR: Linux
//     checked the host code only against our stubs).
//  2. The kernel properties (test/metal/shim.test.ts) run with metal_run executing each step on the
//     GPU instead of the shim, compared with the CPU backend under the conformance tolerances: every
//     kernel the capability table claims, over strided, broadcast and special-value inputs.
//  3. Through the addon: the whole conformance suite and the transform tests with mx.gpu as the
//     default device on the real GPU (test/metal/conformance-gpu.test.ts and transforms-gpu.test.ts
//     with MLX_TS_METAL_REAL=1; on Linux the same files run over the fake device), and the binding's
//     own checks (test/metal/binding.test.ts runs over the fake device only).
//  4. Zero-copy: metal_run writes inputs into the shared buffers' contents() and reads the output
//     from its contents() with no copy call, so step 2 passing is the check; it prints the address.
//     Through the addon, a GPU output is an external ArrayBuffer over the MTLBuffer's contents(),
//     which the CPU backend's fallback kernels read in place.
//  5. float32 matmul GFLOP/s on the GPU (metal_run), and through mlx-ts: a 2048 x 2048 matmul and
//     an MLP step (forward and backward) timed on mx.gpu against mx.cpu.
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
step('configure the kernels (xcrun metal), metal_run and the addon (metal-cpp)', 'cmake', ['-S', pkg, '-B', build, '-DCMAKE_BUILD_TYPE=Release']);
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
step('the package builds (dist/) for the mx.gpu checks', 'npx', ['tsc', '-b', 'packages/mlx-ts', 'packages/testing', 'test'], { cwd: root });
step(
  'the conformance suite and the transform tests with mx.gpu as the default device, on the GPU (MLX_TS_METAL_REAL=1)',
  'npx',
  ['vitest', 'run', 'test/metal/conformance-gpu.test.ts', 'test/metal/transforms-gpu.test.ts', 'test/metal/capabilities.test.ts'],
  { cwd: root, env: { ...process.env, MLX_TS_METAL_REAL: '1' } },
);
step('matmul GFLOP/s (float32, on the GPU)', metalRun, [join(pkg, 'kernels'), '--bench-matmul', '2048']);
// Through mlx-ts: mx.gpu against mx.cpu on the same work (timings print; nothing is asserted).
const bench = `
import * as mx from ${JSON.stringify(join(root, 'packages/mlx-ts/dist/index.js'))};
if (!mx.listBackends().some((b) => b.deviceType === 'gpu')) throw new Error('no gpu backend registered');
const time = (f, reps) => { f(); const t0 = performance.now(); for (let i = 0; i < reps; i++) f(); return (performance.now() - t0) / reps; };
const n = 2048;
for (const device of [mx.gpu, mx.cpu]) {
  mx.setDefaultDevice(device);
  const a = mx.random.normal({ shape: [n, n], key: mx.random.key(1) });
  const b = mx.random.normal({ shape: [n, n], key: mx.random.key(2) });
  mx.eval(a, b);
  const ms = time(() => mx.eval(mx.matmul(a, b)), 5);
  const w1 = mx.random.normal({ shape: [784, 512], key: mx.random.key(3) });
  const w2 = mx.random.normal({ shape: [512, 10], key: mx.random.key(4) });
  const x = mx.random.normal({ shape: [256, 784], key: mx.random.key(5) });
  mx.eval(w1, w2, x);
  const loss = (p) => mx.mean(mx.square(mx.matmul(mx.maximum(mx.matmul(x, p[0]), 0), p[1])));
  const g = mx.grad(loss);
  const step = time(() => mx.eval(g([w1, w2])), 5);
  console.log(\`selftest: \${device.type}: matmul \${n}: \${(2 * n ** 3 / ms / 1e6).toFixed(1)} GFLOP/s; MLP step (256 x 784 -> 512 -> 10, forward and backward): \${step.toFixed(2)} ms\`);
}
`;
step('mx.gpu against mx.cpu: matmul GFLOP/s and an MLP step', process.execPath, ['--input-type=module', '-e', bench], { cwd: root });
process.stdout.write('selftest: ok. Record the run (machine, macOS version, output) in the issue: the backend stays unconfirmed until one is recorded.\n');
