// Shared by every JS runner and the parent: deterministic inputs, timing, result checks.
// bench/python/bench.py mirrors gen(), summarize() and measure() exactly.

/**
 * Deterministic float32 data, identical in every library (and in bench.py):
 * u_i = ((i + 7919*seed) * 0x9E3779B1) mod 2^32, x_i = (u_i / 2^32 - 0.5) * scale + offset.
 */
export function gen(n, seed, scale = 1, offset = 0) {
  const a = new Float32Array(n);
  const off = (seed * 7919) | 0;
  for (let i = 0; i < n; i++) {
    const u = Math.imul((i + off) | 0, 0x9e3779b1 | 0) >>> 0;
    a[i] = (u / 4294967296 - 0.5) * scale + offset;
  }
  return a;
}

/**
 * The charlm workload's tokens: the stream s_i = (7 i + (i^2 mod 13)) mod vocab cut into `batch` windows
 * of context + 1; inputs x [batch, context] are each window's first `context`, targets y its last.
 */
export function charLmTokens({ batch, context, vocab }) {
  const x = new Int32Array(batch * context);
  const y = new Int32Array(batch * context);
  for (let b = 0; b < batch; b++)
    for (let t = 0; t < context; t++) {
      const i = b * (context + 1) + t;
      x[b * context + t] = (7 * i + ((i * i) % 13)) % vocab;
      y[b * context + t] = (7 * (i + 1) + (((i + 1) * (i + 1)) % 13)) % vocab;
    }
  return [x, y];
}

/**
 * The charlm workload's weights, [path, data, shape] in examples/char-lm's parameter order (the k-th
 * from gen(size, 40 + k, ...)): RMSNorm weights 1 ± 0.1, linear weights [out, in] in
 * U(-1/√in, 1/√in) (MLX's and torch's init), the embedding with MLX's variance 1/dims.
 */
export function charLmWeights({ vocab, dims, layers, mlpDims }) {
  const specs = [['embedding.weight', [vocab, dims], 2 * Math.sqrt(3 / dims), 0]];
  const linear = (path, out, inp) => specs.push([path, [out, inp], 2 / Math.sqrt(inp), 0]);
  const norm = (path) => specs.push([path, [dims], 0.2, 1]);
  for (let l = 0; l < layers; l++) {
    norm(`layers.${l}.attentionNorm.weight`);
    for (const proj of ['queryProj', 'keyProj', 'valueProj', 'outProj']) linear(`layers.${l}.attention.${proj}.weight`, dims, dims);
    norm(`layers.${l}.mlpNorm.weight`);
    linear(`layers.${l}.up.weight`, mlpDims, dims);
    linear(`layers.${l}.down.weight`, dims, mlpDims);
  }
  norm('norm.weight');
  linear('head.weight', vocab, dims);
  return specs.map(([path, shape, scale, offset], k) => [
    path,
    gen(
      shape.reduce((a, b) => a * b),
      40 + k,
      scale,
      offset,
    ),
    shape,
  ]);
}

/** One-hot labels [n, k], label of row i = (7 i) mod k. */
export function oneHot(n, k) {
  const a = new Float32Array(n * k);
  for (let i = 0; i < n; i++) a[i * k + ((7 * i) % k)] = 1;
  return a;
}

/** A checksum of an output: s = sum_i x_i w_i, scale = sum_i |x_i| w_i, w_i = 1 + (i mod 7) / 7 (float64). */
export function summarize(x) {
  if (typeof x === 'number' || typeof x === 'bigint' || typeof x === 'boolean') {
    const v = Number(x);
    return { s: v, scale: Math.abs(v), n: 1 };
  }
  let s = 0;
  let scale = 0;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const w = 1 + (i % 7) / 7;
    const v = Number(x[i]);
    s += v * w;
    scale += Math.abs(v) * w;
  }
  return { s, scale, n };
}

/** Whether two checksums agree (relative to the larger scale). */
export function checksAgree(a, b, rtol = 2e-3) {
  if (!a || !b) return true;
  if (a.n !== b.n) return false;
  if (!Number.isFinite(a.s) || !Number.isFinite(b.s)) return false;
  return Math.abs(a.s - b.s) <= rtol * Math.max(a.scale, b.scale, 1e-30) + 1e-6;
}

export const now = () => performance.now();

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Times `run` (sync or async; it must force its result): the first call is a warm-up (and
 * returns the host data for the check); then `warmup - 1` more warm-ups; then timed calls until
 * `minReps` are done and `budgetMs` is spent, or `maxReps` are done, or twice the budget has
 * passed. After a first call slower than `budgetMs`, one more call is the only sample (or, when
 * even that would pass `maxRunMs`, the first call is; both noted).
 */
export async function measure(run, { warmup = 2, minReps = 5, maxReps = 50, budgetMs = 2000, maxRunMs = 20000 } = {}) {
  const gc = globalThis.gc;
  gc?.();
  const t0 = now();
  const host = await run(true);
  const first = now() - t0;
  const check = host === undefined ? null : summarize(host);
  if (first >= budgetMs) {
    if (first * 2 > maxRunMs) return { median: first, min: first, reps: 1, first, check, note: 'only the first (warm-up) run: too slow to repeat' };
    const t = now();
    await run(false);
    const second = now() - t;
    return { median: second, min: second, reps: 1, first, check, note: 'one timed run after one warm-up (slower than the budget)' };
  }
  const warmEnd = now() + budgetMs / 2;
  for (let i = 1; i < warmup && now() < warmEnd; i++) await run(false);
  const times = [];
  const start = now();
  for (;;) {
    const t = now();
    await run(false);
    times.push(now() - t);
    const el = now() - start;
    if (times.length >= maxReps) break;
    if (times.length >= minReps && el >= budgetMs) break;
    if (el >= 2 * budgetMs) break;
  }
  return { median: median(times), min: Math.min(...times), reps: times.length, first, check };
}

/** Prefix of the machine-readable lines a runner prints on stdout. */
export const TAG = '@@bench ';
export function emit(obj) {
  process.stdout.write(TAG + JSON.stringify(obj) + '\n');
}

/** The version in the package.json of an installed package (found by walking up from its entry point). */
export async function pkgVersion(name) {
  try {
    const { readFileSync, existsSync } = await import('node:fs');
    const { dirname, join } = await import('node:path');
    const { fileURLToPath } = await import('node:url');
    let dir = dirname(fileURLToPath(import.meta.resolve(name)));
    for (let i = 0; i < 6; i++) {
      const f = join(dir, 'package.json');
      if (existsSync(f)) {
        const pkg = JSON.parse(readFileSync(f, 'utf8'));
        if (pkg.name === name) return pkg.version;
      }
      dir = dirname(dir);
    }
  } catch {}
  return null;
}
