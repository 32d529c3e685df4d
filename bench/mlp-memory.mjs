#!/usr/bin/env node
// Issue 4's memory target: 10,000 MLP training steps (the bench's mlp-step: x[256,784] ->
// 784x512 + relu -> 512x10 -> softmax cross-entropy, mx.valueAndGrad, SGD) with no manual
// dispose; RSS after step 10,000 must be within 10% of RSS after step 1,000.
//
//   node bench/mlp-memory.mjs [--steps=10000] [--report-every=1000] [--compile]
//
// Prints RSS (and V8 heap / external / ArrayBuffer bytes, and the backend's own count when it
// keeps one) at every report step, the peak RSS sampled every 50 steps (fewer for short runs) before and after step
// steps/10 (single samples move with GC timing), then the ratio RSS(last) / RSS(step steps/10).
// Exits 0 either way (it is a measurement, not a test); the last line says PASS or FAIL.
import * as mx from 'mlx-ts';
import { WORKLOADS } from './workloads/defs.mjs';
import { init, mlpSetup } from './workloads/mlx.mjs';

const opt = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) {
      console.error(`mlp-memory: unexpected argument ${a}`);
      process.exit(2);
    }
    return [m[1], m[2] ?? true];
  }),
);
const steps = Number(opt.steps ?? 10000);
const every = Number(opt['report-every'] ?? Math.max(1, Math.round(steps / 10)));
const baseStep = Math.max(1, Math.round(steps / 10)); // 1,000 of 10,000
const useCompile = !!opt.compile;
const sampleEvery = Math.max(1, Math.min(50, Math.floor(baseStep / 5)));

// The same MLP step as the bench's mlp-step workload.
await init();
const mlp = mlpSetup(WORKLOADS.find((w) => w.id === 'mlp-step').params);
const { x, y } = mlp;
let params = mlp.params();
let step = mlp.step;
if (useCompile) {
  if (typeof mx.compile !== 'function') {
    console.error('mlp-memory: --compile given but mx.compile is not a function');
    process.exit(2);
  }
  step = mx.compile(step);
}
mx.eval(x, y, params);

let backendName = '?';
let backend = null;
try {
  backend = mx.backendFor('cpu');
  backendName = backend.name;
} catch {}
const MiB = (b) => (b / 2 ** 20).toFixed(1);
console.log(`mlp-memory: ${steps} steps, backend ${backendName}${useCompile ? ', compiled' : ''}, Node ${process.version}`);
console.log('step      loss      rss MiB  heapUsed  external  arrayBuffers  backend MiB  ms/step');

let rssBase = null;
let rssLast = null;
let peakBefore = 0; // max RSS sampled (every sampleEvery steps) up to the base step, and after it
let peakAfter = 0;
let t = performance.now();
let lastReport = 0;
for (let i = 1; i <= steps; i++) {
  const [loss, next] = step(params, x, y);
  mx.eval(loss, next);
  params = next;
  if (i % sampleEvery === 0) {
    const r = process.memoryUsage.rss();
    if (i <= baseStep) peakBefore = Math.max(peakBefore, r);
    else peakAfter = Math.max(peakAfter, r);
  }
  if (i % every === 0 || i === baseStep || i === steps || i === 1) {
    const m = process.memoryUsage();
    const ms = (performance.now() - t) / (i - lastReport);
    t = performance.now();
    lastReport = i;
    const inUse = typeof backend?.memoryInUse === 'function' ? MiB(backend.memoryInUse()) : '-';
    console.log(
      `${String(i).padEnd(8)} ${loss.item().toFixed(5).padStart(8)} ${MiB(m.rss).padStart(10)} ${MiB(m.heapUsed).padStart(9)} ${MiB(m.external).padStart(9)} ${MiB(m.arrayBuffers).padStart(13)} ${String(inUse).padStart(12)} ${ms.toFixed(2).padStart(8)}`,
    );
    if (i === baseStep) rssBase = m.rss;
    if (i === steps) rssLast = m.rss;
  }
}
const ratio = rssLast / rssBase;
const ok = ratio <= 1.1;
console.log(`peak RSS sampled every ${sampleEvery} steps: up to step ${baseStep} ${MiB(peakBefore)} MiB, after it ${MiB(peakAfter)} MiB`);
console.log(
  `RSS after step ${baseStep}: ${MiB(rssBase)} MiB; after step ${steps}: ${MiB(rssLast)} MiB; ratio ${ratio.toFixed(3)} (target <= 1.10): ${ok ? 'PASS' : 'FAIL'}`,
);
