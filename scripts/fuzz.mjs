#!/usr/bin/env node
// The long fuzz run: `pnpm fuzz [--cases=3000] [--seed=N] [--workers=2] [--first=K]`. Prints a
// table of outcomes per family, then every failure with the seed and index that regenerate it
// (`--seed=S --first=I --cases=1` reruns one case), and exits 1 if anything crashed, hung, passed
// silently or left the library broken.
import { SingleBar, Presets } from 'cli-progress';
import { FAILURES, OUTCOMES, runFuzz, summarize } from '../test/fuzz/supervisor.mjs';

const opts = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--(cases|seed|workers|first|verbose)(?:=(\d+))?$/.exec(a);
    if (!m) {
      console.error(`fuzz: unexpected argument ${a}; expected --cases=N, --seed=N, --workers=N, --first=N, --verbose`);
      process.exit(2);
    }
    return [m[1], m[2] === undefined ? true : Number(m[2])];
  }),
);
const count = opts.cases ?? 3000;
const seed = opts.seed ?? Date.now() % 2 ** 31;
const workers = opts.workers ?? 2;
console.log(`fuzz: ${count} cases, seed ${seed}, ${workers} workers`);

const bar = new SingleBar({ format: 'fuzz [{bar}] {value}/{total} | {failures} failures | {eta_formatted} left', hideCursor: true }, Presets.shades_classic);
bar.start(count, 0, { failures: 0 });
let failed = 0;
const started = Date.now();
const results = await runFuzz({
  seed,
  count,
  first: opts.first ?? 0,
  workers,
  onResult: (r) => {
    if (FAILURES.includes(r.outcome)) failed++;
    bar.increment({ failures: failed });
  },
});
bar.stop();

const { byFamily, totals, failures } = summarize(results);
const rows = Object.entries(byFamily).map(([family, row]) => ({ family, ...row }));
console.table([...rows, { family: 'total', ...totals }], ['family', ...OUTCOMES]);
const show = (outcome) => results.filter((r) => r.outcome === outcome);
if (opts.verbose) for (const r of show('vague error')) console.log(`vague error: ${r.label} (index ${r.index}): ${r.message}`);
for (const r of failures) console.log(`${r.outcome}: ${r.label} (seed ${r.seed}, index ${r.index}): ${r.message}`);
console.log(
  `fuzz: ${results.length} cases in ${((Date.now() - started) / 1000).toFixed(0)} s, seed ${seed}: ${FAILURES.map((o) => `${totals[o]} ${o}`).join(', ')}`,
);
process.exit(failures.length ? 1 : 0);
