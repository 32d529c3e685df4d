#!/usr/bin/env node
// The side-by-side benchmark of issue 4: mlx-ts against TensorFlow.js (wasm), jax-js (wasm),
// PyTorch and NumPy (and a hand-fused C++ loop for exp, issue 5), on the same machine in the same run. `npx -y pnpm@12.4.2 bench [filters] [options]`.
// See bench/README.md for the options; `--help` lists them.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TAG, checksAgree } from './lib/common.mjs';
import { sweepPoints, writeSweepPlot } from './lib/sweep-plot.mjs';
import { WORKLOADS, selectWorkloads } from './workloads/defs.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(HERE);

const HELP = `usage: node bench/run.mjs [filter ...] [options]
  filter               run only workloads whose id, kind or group contains it
                       (ids: ${WORKLOADS.map((w) => w.id).join(', ')})
  --libs=a,b           runners to use: mlx, tfjs, jax, python, cxx (default all; cxx: the hand-fused
                       C++ exp loop, built with $CXX or g++)
  --only=a,b           only library variants whose name contains one of these (e.g. --only=mlx-ts,torch)
  --budget=MS          timing budget per library and workload (default 1500)
  --min-reps=N         timed runs at least (default 5, budget permitting); --max-reps=N (default 50)
  --max-run-ms=MS      skip a size whose predicted single run exceeds this (default 20000)
  --timeout=S          kill a runner after S seconds (default 900)
  --quick              --budget=300 --min-reps=3 (a smoke test, not a measurement)
  --python=PATH        python interpreter (default: $BENCH_PYTHON, else /usr/bin/python3 when it has
                       torch, else the first python3 with numpy or torch)
  --no-python          skip PyTorch/NumPy
  --python-mode=M      auto | default | tuned | both (default auto: the default run, then the tuned
                       run unless OpenBLAS already chose the tuned kernel by itself); tuned sets
                       OPENBLAS_CORETYPE for this CPU (or $BENCH_OPENBLAS_CORETYPE / --coretype=NAME)
  --torch-threads=N    torch.set_num_threads(N) in the python runs (default: torch's own choice)
  --out=FILE           results JSON (default bench/results/<date>-<host>.json); --no-save to skip
  --note=TEXT          a remark stored in the results JSON (e.g. "machine busy")
  --verbose            show the runners' stderr`;

// ------------------------------------------------------------------------------- arguments
const args = process.argv.slice(2);
const opt = {};
const filters = [];
for (const a of args) {
  if (a === '--help' || a === '-h') {
    console.log(HELP);
    process.exit(0);
  }
  const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
  if (m) opt[m[1]] = m[2] ?? true;
  else filters.push(a);
}
const known = [
  'libs',
  'only',
  'budget',
  'min-reps',
  'max-reps',
  'max-run-ms',
  'timeout',
  'quick',
  'python',
  'no-python',
  'python-mode',
  'torch-threads',
  'coretype',
  'out',
  'no-save',
  'note',
  'verbose',
];
for (const k of Object.keys(opt)) {
  if (!known.includes(k)) {
    console.error(`bench: unknown option --${k}\n${HELP}`);
    process.exit(2);
  }
}
const num = (k, d) => (opt[k] === undefined ? d : Number(opt[k]));
const quick = !!opt.quick;
const measureOpts = {
  warmup: 2,
  budgetMs: num('budget', quick ? 300 : 1500),
  minReps: num('min-reps', quick ? 3 : 5),
  maxReps: num('max-reps', 50),
};
const maxRunMs = num('max-run-ms', 20000);
const timeoutS = num('timeout', 900);
const libsWanted = opt.libs ? String(opt.libs).split(',') : ['mlx', 'tfjs', 'jax', 'python', 'cxx'];
const only = opt.only ? String(opt.only).split(',') : null;
const workloads = selectWorkloads(filters);
if (!workloads.length) {
  console.error(`bench: no workload matches ${filters.join(' ')}\n${HELP}`);
  process.exit(2);
}

// ------------------------------------------------------------------------------- machine
function machineInfo() {
  let cpuinfo = '';
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {}
  const field = (name) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(cpuinfo)?.[1]?.trim() ?? null;
  const flags = new Set((field('flags') ?? field('Features') ?? '').split(/\s+/).filter(Boolean));
  const simd = ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512bw', 'avx512vl', 'avx512dq', 'avx512_bf16', 'asimd', 'sve'].filter((f) => flags.has(f));
  return {
    cpu: field('model name') ?? os.cpus()[0]?.model ?? 'unknown',
    vendor: field('vendor_id'),
    family: field('cpu family'),
    model: field('model'),
    cores: os.cpus().length,
    availableParallelism: os.availableParallelism?.() ?? null,
    simd,
    hypervisor: flags.has('hypervisor'),
    memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    arch: process.arch,
    platform: `${os.type()} ${os.release()}`,
    node: process.version,
    host: os.hostname(),
  };
}

/** The OpenBLAS core type that fits this CPU (issue 4: Debian's OpenBLAS 0.3.21 can misdetect recent CPUs). */
function tunedCoretype(m) {
  if (opt.coretype) return String(opt.coretype);
  if (process.env.BENCH_OPENBLAS_CORETYPE) return process.env.BENCH_OPENBLAS_CORETYPE;
  const has = (f) => m.simd.includes(f);
  if (has('avx512f') && has('avx512bw') && has('avx512vl') && has('avx512dq')) return has('avx512_bf16') ? 'Cooperlake' : 'SkylakeX';
  if (has('avx2') && has('fma')) return m.vendor === 'AuthenticAMD' ? 'Zen' : 'Haswell';
  return null;
}

// ------------------------------------------------------------------------------- python
function probePython(py) {
  const r = spawnSync(py, [join(HERE, 'python', 'bench.py'), '--probe'], { encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0 || !r.stdout) return null;
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    return null;
  }
}

function choosePython() {
  const explicit = opt.python ?? process.env.BENCH_PYTHON;
  if (explicit) return { py: explicit, probe: probePython(explicit) };
  const cands = ['/usr/bin/python3', 'python3'].map((py) => ({ py, probe: probePython(py) })).filter((c) => c.probe);
  return cands.find((c) => c.probe.torch) ?? cands.find((c) => c.probe.numpy) ?? { py: null, probe: null };
}

// ------------------------------------------------------------------------------- runners
const events = [];
const stderrTails = {};

function fmtMs(ms) {
  if (ms == null || !Number.isFinite(ms)) return '-';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${(ms * 1000).toFixed(0)} us`;
}

function runRunner(label, cmd, argv, env) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const rel = (a) => (a.startsWith(ROOT + '/') ? relative(ROOT, a) : a);
    process.stderr.write(`\n[${label}] ${rel(cmd)} ${argv.slice(0, -1).map(rel).join(' ')}\n`);
    const child = spawn(cmd, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    let errBuf = '';
    let gotDone = false;
    const seen = [];
    const timer = setTimeout(() => {
      process.stderr.write(`[${label}] timed out after ${timeoutS} s: killing it\n`);
      child.kill('SIGKILL');
    }, timeoutS * 1000);
    child.stdout.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (!line.startsWith(TAG)) {
          if (opt.verbose) process.stderr.write(`  [${label} stdout] ${line}\n`);
          continue;
        }
        let ev;
        try {
          ev = JSON.parse(line.slice(TAG.length));
        } catch {
          continue;
        }
        ev.runnerLabel = label;
        events.push(ev);
        seen.push(ev);
        if (ev.type === 'done') gotDone = true;
        if (ev.type === 'result') {
          const w = WORKLOADS.find((x) => x.id === ev.workload);
          process.stderr.write(
            `  ${ev.workload.padEnd(18)} ${ev.library.padEnd(26)} ${fmtMs(ev.median).padStart(9)}  (${ev.reps} runs)${rateOf(w, ev.median) ? '  ' + rateOf(w, ev.median) : ''}\n`,
          );
        } else if (ev.type === 'skip') process.stderr.write(`  ${ev.workload.padEnd(18)} ${ev.library.padEnd(26)} skipped: ${ev.reason}\n`);
        else if (ev.type === 'error') process.stderr.write(`  ${ev.workload.padEnd(18)} ${ev.library.padEnd(26)} ERROR: ${ev.error}\n`);
        else if (ev.type === 'unavailable') process.stderr.write(`  unavailable: ${ev.reason}\n`);
        else if (ev.type === 'meta') for (const n of ev.notes ?? []) process.stderr.write(`  note: ${n}\n`);
      }
    });
    child.stderr.on('data', (d) => {
      errBuf = (errBuf + d).slice(-4000);
      if (opt.verbose) process.stderr.write(String(d).replace(/^/gm, `  [${label} stderr] `));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      stderrTails[label] = errBuf;
      if (!gotDone && !seen.some((e) => e.type === 'unavailable')) {
        const why = signal ? `killed by ${signal}${signal === 'SIGKILL' ? ` (timeout ${timeoutS} s?)` : ''}` : `exited with code ${code}`;
        const tail = errBuf.trim().split('\n').slice(-3).join(' | ');
        process.stderr.write(`[${label}] ${why} before finishing${tail ? `: ${tail}` : ''}\n`);
        events.push({ type: 'crash', runnerLabel: label, runner: label, reason: `${why}${tail ? `: ${tail}` : ''}` });
      }
      process.stderr.write(`[${label}] ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      resolve();
    });
  });
}

function rateOf(w, ms) {
  if (!w?.metric || !Number.isFinite(ms)) return '';
  const m = w.metric;
  if (m.unit === 'us/op') return `${((ms * 1000) / m.ops).toFixed(2)} us/op`;
  const v = m.amount / (ms / 1000);
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${m.unit}`;
}

// ------------------------------------------------------------------------------- peers
/**
 * The JS peers (bench/package.json: TensorFlow.js, jax-js, about 50 MB) are not part of the
 * repository's install, which is for the library: they install into bench/node_modules, from
 * bench's own lockfile, the first time a run needs them. A failed install leaves their rows
 * marked unavailable, as a missing peer always is.
 */
function installPeers() {
  const deps = Object.keys(JSON.parse(readFileSync(join(HERE, 'package.json'), 'utf8')).devDependencies);
  const missing = deps.filter((d) => !existsSync(join(HERE, 'node_modules', d, 'package.json')));
  if (!missing.length) return;
  const pnpm = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).packageManager;
  process.stderr.write(
    `bench: installing the benchmark peers (${missing.join(', ')}; about 50 MB) into bench/node_modules, once: npx -y ${pnpm} install --frozen-lockfile\n`,
  );
  const r = spawnSync('npx', ['-y', pnpm, 'install', '--frozen-lockfile'], { cwd: HERE, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) process.stderr.write(`bench: installing the peers failed (${r.error?.message ?? `exit status ${r.status}`}); their rows are skipped\n`);
}

// ------------------------------------------------------------------------------- main
const machine = machineInfo();
const startedAt = new Date();
process.stderr.write(
  `mlx-ts bench: ${machine.cpu}, ${machine.cores} cores [${machine.simd.join(' ')}], Node ${machine.node}; ` +
    `${workloads.length} workloads; budget ${measureOpts.budgetMs} ms, >= ${measureOpts.minReps} timed runs after warm-up, median\n`,
);
const config = { workloads, measure: measureOpts, maxRunMs, only };
const jsRunners = [
  ['mlx', 'mlx-ts'],
  ['tfjs', 'tfjs-wasm'],
  ['jax', 'jax-js'],
];
const adapterFile = { mlx: 'mlx', tfjs: 'tfjs', jax: 'jaxjs' };
if (libsWanted.includes('tfjs') || libsWanted.includes('jax')) installPeers();
for (const [key, label] of jsRunners) {
  if (!libsWanted.includes(key)) continue;
  await runRunner(label, process.execPath, ['--expose-gc', join(HERE, 'lib', 'js-runner.mjs'), adapterFile[key], JSON.stringify(config)], process.env);
}

const pythonInfo = { used: null, runs: [] };
if (libsWanted.includes('python') && !opt['no-python']) {
  const { py, probe } = choosePython();
  pythonInfo.used = py;
  pythonInfo.probe = probe;
  if (!py || !probe || (!probe.numpy && !probe.torch)) {
    pythonInfo.note = 'no python3 with numpy or torch found: PyTorch/NumPy skipped (apt-get install python3-torch python3-numpy)';
    process.stderr.write(`\n[python] ${pythonInfo.note}\n`);
  } else {
    const mode = String(opt['python-mode'] ?? 'auto');
    const coretype = tunedCoretype(machine);
    const threads = opt['torch-threads'] ? Number(opt['torch-threads']) : null;
    const runs = [];
    if (mode !== 'tuned') runs.push({ label: 'python default', suffix: '', env: {} });
    if (mode !== 'default') {
      if (coretype) runs.push({ label: 'python tuned', suffix: ' tuned', env: { OPENBLAS_CORETYPE: coretype } });
      else pythonInfo.note = 'no OPENBLAS_CORETYPE known for this CPU: tuned run skipped';
    }
    for (const r of runs) {
      if (r.label === 'python tuned' && mode === 'auto') {
        const kernels = events
          .filter((m) => m.type === 'meta')
          .filter((m) => m.runnerLabel === 'python default')
          .flatMap((m) => m.blas?.libs ?? [])
          .map((l) => String(l.architecture ?? '').toLowerCase());
        const d = events.find((m) => m.type === 'meta' && m.runnerLabel === 'python default');
        if (kernels.length && kernels.every((k) => k === coretype.toLowerCase())) {
          pythonInfo.note = `OpenBLAS already picks the ${coretype} kernel by itself here, so the "tuned" run (OPENBLAS_CORETYPE=${coretype}) would repeat the default one: skipped (--python-mode=both runs it anyway)`;
          process.stderr.write(`\n[python tuned] ${pythonInfo.note}\n`);
          continue;
        }
        if (d && !kernels.length) process.stderr.write(`\n[python tuned] the default run reported no OpenBLAS kernel; running the tuned one anyway\n`);
      }
      // "default": OpenBLAS picks its own kernel (any OPENBLAS_CORETYPE in the caller's environment is removed).
      const env = { ...process.env };
      delete env.OPENBLAS_CORETYPE;
      Object.assign(env, r.env);
      pythonInfo.runs.push({ label: r.label, env: r.env, threads });
      await runRunner(r.label, py, [join(HERE, 'python', 'bench.py'), JSON.stringify({ ...config, suffix: r.suffix, threads })], env);
    }
  }
}

// ------------------------------------------------------------------------------- c++ reference
// Issue 5's yardstick for exp(x)*x+1: one OpenMP loop (bench/native/fused-reference.cc), built at
// bench time so that -march=native fits this machine; cached under bench/.cache by source,
// compiler, flags and CPU.
const CXX_ROW = 'c++ hand-fused';

function buildFusedReference() {
  const [cxx, ...pre] = (process.env.CXX || 'g++').trim().split(/\s+/);
  const probe = spawnSync(cxx, [...pre, '--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return { note: `no C++ compiler (${process.env.CXX ? `$CXX=${process.env.CXX}` : 'g++'} not found)` };
  const version = probe.stdout.split('\n')[0].trim();
  const src = join(HERE, 'native', 'fused-reference.cc');
  const dir = join(HERE, '.cache', 'native');
  mkdirSync(dir, { recursive: true });
  const base = ['-O3', '-march=native', '-ffast-math', '-fopenmp'];
  const without = (...drop) => base.filter((f) => !drop.includes(f));
  // First a compiler that does not know this CPU, then one without libgomp (then it is one thread).
  const tries = [base, without('-march=native'), without('-fopenmp'), without('-march=native', '-fopenmp')];
  const failures = [];
  for (const flags of tries) {
    const key = createHash('sha256')
      .update([readFileSync(src, 'utf8'), cxx, ...pre, version, ...flags, machine.cpu].join('\0'))
      .digest('hex')
      .slice(0, 16);
    const binary = join(dir, `fused-reference-${key}`);
    if (!existsSync(binary)) {
      const tmp = `${binary}.${process.pid}.tmp`;
      const r = spawnSync(cxx, [...pre, ...flags, '-o', tmp, src], { encoding: 'utf8', timeout: 120000 });
      if (r.status !== 0) {
        const why = r.error?.message ?? r.stderr.split('\n').find((l) => /cannot find|error/i.test(l)) ?? `exit ${r.status}`;
        failures.push(`${flags.join(' ')}: ${why.trim().slice(0, 120)}`);
        continue;
      }
      renameSync(tmp, binary);
    }
    const dropped = base.filter((f) => !flags.includes(f));
    const note = dropped.length ? `built without ${dropped.join(' ')}${dropped.includes('-fopenmp') ? ' (libgomp missing?): one thread' : ''}` : null;
    return { compiler: cxx, version, flags, binary: relative(ROOT, binary), note, failures };
  }
  return { compiler: cxx, version, note: `could not build bench/native/fused-reference.cc: ${failures.join(' | ')}` };
}

const cxxInfo = { used: null };
const cxxWork = workloads.filter((w) => w.kind === 'expmul');
if (libsWanted.includes('cxx') && cxxWork.length) {
  const label = 'c++';
  const built = buildFusedReference();
  Object.assign(cxxInfo, built, { used: built.binary ?? null });
  const library = built.binary ? `${CXX_ROW} (${basename(built.compiler)} ${built.flags.join(' ')})` : CXX_ROW;
  const wanted = !only || only.some((o) => library.includes(o));
  if (wanted && !built.binary) {
    process.stderr.write(`\n[${label}] ${built.note}: hand-fused C++ row skipped\n`);
    for (const w of cxxWork) events.push({ type: 'skip', runnerLabel: label, runner: label, workload: w.id, library, reason: built.note });
  } else if (wanted) {
    const m = measureOpts;
    const argv = [
      `--budget=${m.budgetMs}`,
      `--min-reps=${m.minReps}`,
      `--max-reps=${m.maxReps}`,
      `--warmup=${m.warmup}`,
      `--max-run-ms=${maxRunMs}`,
      ...cxxWork.map((w) => `${w.id}:${w.params.n}`),
      `--library=${library}`,
    ];
    await runRunner(label, join(ROOT, built.binary), argv, process.env);
    for (const e of events) {
      if (e.runnerLabel !== label) continue;
      if (e.type === 'meta') Object.assign(e, { compiler: built.version, flags: built.flags.join(' '), notes: built.failures.map((f) => `failed: ${f}`) });
      if (e.type === 'result' && built.note) e.note = [e.note, built.note].filter(Boolean).join('; ');
    }
  }
}

// ------------------------------------------------------------------------------- table
const results = events.filter((e) => e.type === 'result');
const metas = events.filter((e) => e.type === 'meta');
const rowsOut = [];
const familyOrder = ['mlx-ts', 'c++', 'tfjs', 'jax-js', 'torch', 'numpy'];
const fam = (lib) => {
  const i = familyOrder.findIndex((f) => lib.startsWith(f));
  return i < 0 ? familyOrder.length : i;
};

function referenceCheck(wid) {
  const rs = results.filter((r) => r.workload === wid && r.check);
  const pick = (p) => rs.find((r) => r.library.startsWith(p));
  return (pick('numpy') ?? pick('torch') ?? pick('mlx-ts') ?? rs[0])?.check ?? null;
}

for (const w of workloads) {
  const evs = events.filter((e) => e.workload === w.id && ['result', 'skip', 'error'].includes(e.type));
  const base = results.find((r) => r.workload === w.id && r.library === 'mlx-ts');
  const compiled = results.find((r) => r.workload === w.id && r.library === 'mlx-ts compile');
  const compiledDisposing = results.find((r) => r.workload === w.id && r.library === 'mlx-ts compile, dispose');
  const compiledDonating = results.find((r) => r.workload === w.id && r.library === 'mlx-ts compile, donate');
  const ref = referenceCheck(w.id);
  const sorted = evs
    .map((e, i) => ({ e, i }))
    .sort((a, b) => fam(a.e.library) - fam(b.e.library) || a.i - b.i)
    .map((x) => x.e);
  for (const e of sorted) {
    const row = { workload: w.id, label: w.label, library: e.library, type: e.type };
    if (e.type === 'result') {
      row.medianMs = e.median;
      row.minMs = e.min;
      row.reps = e.reps;
      row.rate = rateOf(w, e.median);
      row.ratio = base && e !== base ? e.median / base.median : base && e === base ? 1 : null;
      row.check = e.check;
      row.checkOk = checksAgree(e.check, ref);
      // Issue 5 reads the hand-fused row against mlx-ts compile, not eager mlx-ts: said first in its note.
      if (e.library.startsWith(CXX_ROW) && compiled) row.compileOverThis = compiled.median / e.median;
      if (e.library.startsWith(CXX_ROW) && compiledDisposing) row.compileDisposingOverThis = compiledDisposing.median / e.median;
      if (e.library.startsWith(CXX_ROW) && compiledDonating) row.compileDonatingOverThis = compiledDonating.median / e.median;
      const vsCompile = row.compileOverThis
        ? [
            `mlx-ts compile = ${row.compileOverThis.toFixed(2)}x this time`,
            row.compileDisposingOverThis ? `with dispose ${row.compileDisposingOverThis.toFixed(2)}x` : null,
            row.compileDonatingOverThis ? `with donate ${row.compileDonatingOverThis.toFixed(2)}x` : null,
          ]
            .filter(Boolean)
            .join(', ')
        : null;
      row.note = [vsCompile, e.note, row.checkOk ? null : `CHECK MISMATCH: ${e.check?.s} vs ${ref?.s}`].filter(Boolean).join('; ');
    } else row.note = e.type === 'skip' ? `skipped: ${e.reason}` : `error: ${e.error}`;
    rowsOut.push(row);
  }
}

function table(rows) {
  const head = ['workload', 'library', 'median', 'rate', 'peer/mlx-ts', 'runs', 'note'];
  const body = rows.map((r) => [
    r.workload,
    r.library,
    r.type === 'result' ? fmtMs(r.medianMs) : '-',
    r.rate ?? '',
    r.ratio == null
      ? ''
      : r.library === 'mlx-ts'
        ? '1'
        : `${r.ratio >= 10 ? r.ratio.toFixed(0) : r.ratio >= 0.1 ? r.ratio.toFixed(2) : r.ratio.toPrecision(2)}x`,
    r.reps ?? '',
    (r.note ?? '').slice(0, 90),
  ]);
  const all = [head, ...body].map((r) => r.map(String));
  const wd = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const right = new Set([2, 3, 4, 5]);
  const line = (r) => '| ' + r.map((c, i) => (right.has(i) ? c.padStart(wd[i]) : c.padEnd(wd[i]))).join(' | ') + ' |';
  const sep = '|' + wd.map((n, i) => (right.has(i) ? '-'.repeat(n + 1) + ':' : '-'.repeat(n + 2))).join('|') + '|';
  const out = [line(all[0]), sep];
  let prev = null;
  for (const r of all.slice(1)) {
    out.push(line(prev === r[0] ? ['', ...r.slice(1)] : r));
    prev = r[0];
  }
  return out.join('\n');
}

const notes = [];
notes.push(
  `machine: ${machine.cpu} (family ${machine.family} model ${machine.model}${machine.hypervisor ? ', VM' : ''}), ${machine.cores} cores, ${machine.memGiB} GiB, SIMD ${machine.simd.join(' ')}; ${machine.platform}; Node ${machine.node}`,
);
for (const m of metas) {
  const bits = [];
  if (m.version) bits.push(`version ${m.version}`);
  if (m.backend) bits.push(`backend ${m.backend}`);
  if (m.compiler) bits.push(`${m.compiler} ${m.flags}, OpenMP ${m.openmp ?? 'off'}, threads ${m.threads}`);
  if (m.torch !== undefined)
    bits.push(`torch ${m.torch ?? 'absent'} (threads ${m.torch_threads ?? '-'}, default ${m.torch_default_threads ?? '-'})`, `numpy ${m.numpy}`);
  if (m.executable) bits.push(m.executable);
  if (m.env && Object.keys(m.env).length)
    bits.push(
      Object.entries(m.env)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    );
  if (m.blas?.libs?.length)
    bits.push(
      `BLAS: ${m.blas.libs.map((l) => `${l.internal_api ?? '?'} ${l.version ?? ''} kernel ${l.architecture ?? '?'} threads ${l.num_threads ?? '?'}`.replace(/\s+/g, ' ')).join(', ')} (via ${m.blas.via})`,
    );
  const mnotes = (m.notes ?? []).map((n) => n.split('\n')[0].slice(0, 160));
  notes.push(`${m.runnerLabel}: ${[...bits, ...mnotes].join('; ')}`);
}
for (const e of events.filter((x) => x.type === 'unavailable' || x.type === 'crash'))
  notes.push(`${e.runnerLabel}: ${e.type === 'crash' ? 'CRASHED' : 'unavailable'}: ${e.reason}`);
if (pythonInfo.note) notes.push(`python: ${pythonInfo.note}`);
if (cxxInfo.note && !cxxInfo.used) notes.push(`c++: ${cxxInfo.note}: hand-fused row skipped`);
notes.push(
  'median of timed runs after warm-up; "peer/mlx-ts" = peer time / mlx-ts time (> 1: mlx-ts is faster); rate: GFLOP/s (matmul), GB/s read+write (elementwise, sum, softmax), us per op (dispatch)',
);
const fused = rowsOut.find((r) => r.workload === 'exp-1e7' && r.compileOverThis);
if (fused) {
  const disposing = fused.compileDisposingOverThis
    ? ` (${fused.compileDisposingOverThis.toFixed(2)}x when each output is disposed before the next call, as the loop reuses its buffer${
        fused.compileDonatingOverThis ? `; ${fused.compileDonatingOverThis.toFixed(2)}x when each call donates its input, x = f(x)` : ''
      })`
    : '';
  notes.push(
    `issue 5: mlx-ts compile on exp-1e7 takes ${fused.compileOverThis.toFixed(2)}x the time of the hand-fused C++ loop${disposing} (target: within 2x): ${fused.compileOverThis <= 2 ? 'met' : 'NOT met'}`,
  );
}
if (pythonInfo.runs.some((r) => r.label === 'python tuned')) {
  const t = pythonInfo.runs.find((r) => r.label === 'python tuned');
  notes.push(
    `"tuned" rows: OPENBLAS_CORETYPE=${t.env.OPENBLAS_CORETYPE}; other torch/numpy rows: OpenBLAS's own choice (OPENBLAS_CORETYPE unset)${t.threads ? `; torch threads ${t.threads}` : ''}`,
  );
}
const mismatches = rowsOut.filter((r) => r.type === 'result' && !r.checkOk);
if (mismatches.length)
  notes.push(`CHECK MISMATCH in ${mismatches.length} row(s): output checksum differs from the reference (numpy, else torch, else mlx-ts) by more than 0.2%`);

const tableText = table(rowsOut);
console.log(`\n${tableText}\n`);
for (const n of notes) console.log(`- ${n}`);

if (!opt['no-save']) {
  const date = startedAt.toISOString().slice(0, 10);
  const host = machine.host.replace(/[^A-Za-z0-9_.-]/g, '_');
  let out = opt.out ? String(opt.out) : join(HERE, 'results', `${date}-${host}.json`);
  if (!opt.out && existsSync(out)) {
    for (let i = 2; ; i++) {
      const o = join(HERE, 'results', `${date}-${host}-${i}.json`);
      if (!existsSync(o)) {
        out = o;
        break;
      }
    }
  }
  mkdirSync(dirname(out), { recursive: true });
  const doc = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: `node bench/run.mjs ${args.join(' ')}`.trim(),
    note: opt.note ? String(opt.note) : undefined,
    machine,
    measure: measureOpts,
    maxRunMs,
    filters,
    runners: metas.map(({ type, ...m }) => m),
    python: pythonInfo,
    cxx: cxxInfo,
    unavailable: events.filter((x) => x.type === 'unavailable' || x.type === 'crash'),
    workloads: workloads.map(({ id, label, params, metric }) => ({ id, label, params, metric })),
    rows: rowsOut,
    notes,
    table: tableText,
  };
  const points = sweepPoints(workloads, rowsOut);
  const plot = out.replace(/\.json$/, '') + '.svg';
  if (points.length) doc.plot = relative(dirname(out), plot);
  writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');
  console.log(`\nresults: ${relative(process.cwd(), out)}`);
  if (await writeSweepPlot(points, plot)) console.log(`plot: ${relative(process.cwd(), plot)}`);
}
