// The bounded fuzz run of the default suite (`pnpm fuzz` is the long one): a few hundred generated
// calls with bad and edge input, each supervised, none of which may crash, hang, pass silently or
// leave the library broken. A failure prints the seed and index that regenerate the case.
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { runFuzz, summarize } from './supervisor.mjs';

const CASES = 400;
const SEED = 20261203;

test('the supervisor counts a crash, a hang and a silent acceptance as failures and goes on', async () => {
  const worker = fileURLToPath(new URL('./misbehaving-worker.mjs', import.meta.url));
  const results = await runFuzz({ seed: 1, count: 5, worker, timeoutMs: 2000 });
  expect(results.map((r) => r.outcome)).toEqual(['clear error', 'crash', 'hang', 'silent acceptance', 'clear error']);
  expect(summarize(results).failures.map((r) => r.index)).toEqual([1, 2, 3]);
}, 30_000);

test(`${CASES} fuzz cases: no crash, hang, silent acceptance or broken library`, async () => {
  const { totals, failures } = summarize(await runFuzz({ seed: SEED, count: CASES }));
  const report = failures.map((r) => `${r.outcome}: ${r.label} (seed ${r.seed}, index ${r.index}): ${r.message}`);
  expect(report, JSON.stringify(totals)).toEqual([]);
}, 300_000);
