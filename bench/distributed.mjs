// mx.distributed on one machine (issue 13): allSum bandwidth on 2 processes against a C program
// calling MPI_Allreduce directly (native/allreduce.c, the same library), 1 KB .. 256 MB, and the
// data-parallel digits CNN step (examples/distributed/train.mjs) on 2 processes against 1.
//
//     node bench/distributed.mjs        (needs Open MPI: apt-get install openmpi-bin libopenmpi-dev)
//
// Bandwidth is bytes per process / seconds per call (nccl-tests' "algbw").
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const mpirun = (np, cmd, args) =>
  execFileSync('mpirun', ['--oversubscribe', '--allow-run-as-root', '--mca', 'btl', 'self,vader', '-np', String(np), cmd, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
const rows = (out) =>
  new Map(
    out
      .trim()
      .split('\n')
      .filter((l) => /^\d+ /.test(l))
      .map((l) => l.split(' ').map(Number)),
  );

const bin = join(mkdtempSync(join(tmpdir(), 'mlx-ts-mpi-')), 'allreduce');
execFileSync('mpicc', ['-O2', here('./native/allreduce.c'), '-o', bin]);
// A shared machine's load changes from minute to minute: the two programs run alternately, three
// rounds, and each size keeps its best time in each, so both are measured under the same conditions.
const best = (a, b) => (a ? new Map([...a].map(([k, t]) => [k, Math.min(t, b.get(k))])) : b);
let c, js;
for (let round = 0; round < 3; round++) {
  c = best(c, rows(mpirun(2, bin, [])));
  js = best(js, rows(mpirun(2, process.execPath, [here('./distributed-worker.mjs')])));
}
const fmt = (b) => (b >= 2 ** 20 ? `${b / 2 ** 20} MB` : `${b / 1024} KB`);
console.log(execFileSync('mpirun', ['--version'], { encoding: 'utf8' }).split('\n')[0]);
console.log('| bytes | MPI_Allreduce (C) GB/s | mx.distributed.allSum GB/s | ratio | us per call (C / mlx-ts) |');
console.log('| --- | --- | --- | --- | --- |');
for (const [bytes, tc] of c) {
  const tj = js.get(bytes);
  console.log(
    `| ${fmt(bytes)} | ${(bytes / tc / 1e9).toFixed(2)} | ${(bytes / tj / 1e9).toFixed(2)} | ${(tc / tj).toFixed(2)} | ${(tc * 1e6).toFixed(1)} / ${(tj * 1e6).toFixed(1)} |`,
  );
}

const train = here('../examples/distributed/train.mjs');
const stepMs = (np) => {
  const out = mpirun(np, process.execPath, [train, '--steps', '40', '--batch', '256']);
  return Number(/([\d.]+) ms per step/.exec(out)[1]);
};
const one = stepMs(1);
const two = stepMs(2);
console.log(
  `\ndigits CNN, global batch 256, data-parallel step: 1 process ${one.toFixed(1)} ms, 2 processes ${two.toFixed(1)} ms (${(one / two).toFixed(2)}x)`,
);
