// mx.compile's fixed costs (issue 5's targets), on the bench's MLP training step (mlp-step):
// - the first call with an empty kernel cache (trace, simplify, fuse, write the kernels' C++ and
//   start their build in the background, run the step through the interpreter), and how long the
//   background build takes;
// - the first call in a new process whose kernel cache is warm (kernels loaded from disk);
// - a cache hit (signature, lookup, replay as lazy nodes, nothing evaluated);
// - the step's steady state, compiled with generated kernels and eager.
// `node bench/compile-overhead.mjs`; the warm-cache figure comes from a child process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORKLOADS } from './workloads/defs.mjs';

const child = process.argv[2] === '--first-call-only' || process.argv[2] === '--first-eager-call-only';
let cacheDir = process.env.MLX_TS_KERNEL_CACHE;
if (!child) {
  cacheDir = mkdtempSync(join(os.tmpdir(), 'mlx-ts-bench-kernels-'));
  process.env.MLX_TS_KERNEL_CACHE = cacheDir;
}
const mx = await import('mlx-ts');
const { init, mlpSetup } = await import('./workloads/mlx.mjs');
await init();

const { x, y, params, step } = mlpSetup(WORKLOADS.find((w) => w.id === 'mlp-step').params);

function firstCall(compiled = true) {
  const w = params();
  mx.eval(w);
  const cstep = compiled ? mx.compile(step) : step;
  const t = performance.now();
  const out = cstep(w, x, y);
  const traced = performance.now();
  mx.eval(out);
  return { total: performance.now() - t, trace: traced - t };
}

if (child) {
  console.log(JSON.stringify(firstCall(process.argv[2] === '--first-call-only')));
  process.exit(0);
}

function perCall(fn, n) {
  for (let i = 0; i < n / 10; i++) fn();
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, ((performance.now() - t) * 1000) / n);
  }
  return best;
}

function msPerStep(fn, reps) {
  let w = params();
  for (let i = 0; i < 5; i++) (([, w] = fn(w, x, y)), mx.eval(w));
  const ts = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    const [loss, next] = fn(w, x, y);
    mx.eval(loss, next);
    w = next;
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  return ts[ts.length >> 1];
}

// The process's first compile: V8 has not optimized the compiler yet, as in a user's program.
const cold = firstCall();
const t = performance.now();
await mx.waitForKernels();
const build = performance.now() - t;
const inChild = (flag) => JSON.parse(spawnSync(process.execPath, [fileURLToPath(import.meta.url), flag], { env: process.env, encoding: 'utf8' }).stdout);
const warm = inChild('--first-call-only');
const eagerFirst = inChild('--first-eager-call-only');

const f = (v) => mx.add(mx.multiply(mx.exp(v), v), 1);
const cf = mx.compile(f);
const small = mx.ones([10]);
cf(small);
const hit = perCall(() => cf(small), 20000);
const w0 = params();
const cstep = mx.compile(step);
const stepHit = perCall(() => cstep(w0, x, y), 2000);

const compiled = msPerStep(cstep, 60);
const eager = msPerStep(step, 60);
rmSync(cacheDir, { recursive: true, force: true });

const split = (c) => `${c.total.toFixed(1)} ms (of which trace, simplify, fuse ${c.trace.toFixed(1)} ms; evaluation ${(c.total - c.trace).toFixed(1)} ms)`;
console.log(`first call of the MLP step, cold kernel cache (start the kernels' build, run interpreted): ${split(cold)} (target <= 200)`);
console.log(`  background build of its kernels: ${build.toFixed(0)} ms`);
console.log(`first call of the MLP step in a new process, warm kernel cache: ${split(warm)} (target <= 20)`);
console.log(`  for comparison, the first eager step in a new process: ${eagerFirst.total.toFixed(1)} ms`);
console.log(`compile cache hit: exp(x)*x+1 ${hit.toFixed(2)} us/call, MLP step ${stepHit.toFixed(2)} us/call (target <= 20)`);
console.log(`MLP step steady state: compiled ${compiled.toFixed(2)} ms, eager ${eager.toFixed(2)} ms (${(eager / compiled).toFixed(2)}x; target >= 1.3x)`);
