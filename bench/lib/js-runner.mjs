// Runs the selected workloads with one JS library in its own process (so a crash, a hang or a
// leak in one library cannot touch the others), printing one TAG-prefixed JSON line per event.
// Usage (run.mjs does this): node --expose-gc bench/lib/js-runner.mjs <adapter> '<config json>'
import { emit, measure, now } from './common.mjs';

const [adapterName, configJson] = process.argv.slice(2);
const config = JSON.parse(configJson);
const adapter = await import(`../workloads/${adapterName}.mjs`);
const runner = adapter.name;

let meta;
try {
  const t = now();
  meta = await adapter.init();
  emit({ type: 'meta', runner, initMs: now() - t, ...meta });
} catch (e) {
  emit({ type: 'unavailable', runner, reason: String(e?.message ?? e).split('\n')[0] });
  process.exit(0);
}

const last = new Map(); // `${library}/${group}` -> median ms of the previous workload of the group
for (const w of config.workloads) {
  let variants;
  try {
    variants = adapter.setup(w);
  } catch (e) {
    emit({ type: 'error', runner, workload: w.id, library: runner, error: String(e?.message ?? e) });
    continue;
  }
  if (!variants) {
    emit({ type: 'skip', runner, workload: w.id, library: runner, reason: 'not implemented for this library' });
    continue;
  }
  for (const v of variants) {
    if (config.only && !config.only.some((o) => v.library.includes(o))) continue;
    if (v.skip) {
      emit({ type: 'skip', runner, workload: w.id, library: v.library, reason: v.skip });
      continue;
    }
    const key = `${v.library}/${w.group}`;
    if (w.group && w.scale && last.has(key) && last.get(key) * w.scale > config.maxRunMs) {
      emit({
        type: 'skip',
        runner,
        workload: w.id,
        library: v.library,
        reason: `predicted ${((last.get(key) * w.scale) / 1000).toFixed(0)} s per run > --max-run-ms`,
      });
      last.set(key, last.get(key) * w.scale);
      continue;
    }
    try {
      const run = await v.make();
      const r = await measure(run, { ...config.measure, maxRunMs: config.maxRunMs });
      if (w.group) last.set(key, r.median);
      // A variant's own remark (run.note, e.g. how mlx-ts compile was warmed) joins measure()'s.
      emit({ type: 'result', runner, workload: w.id, library: v.library, ...r, note: [r.note, run.note].filter(Boolean).join('; ') || undefined });
    } catch (e) {
      const msg = String(e?.stack ?? e)
        .split('\n')
        .slice(0, 3)
        .join(' | ');
      emit({ type: 'error', runner, workload: w.id, library: v.library, error: msg });
    }
    globalThis.gc?.();
  }
}
emit({ type: 'done', runner });
