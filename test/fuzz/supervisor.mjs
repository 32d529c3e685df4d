// Runs fuzz cases in supervised child processes: a worker that dies (a native crash, V8's fatal
// out-of-memory abort, a stack overflow that escapes) or stops answering (a hang) costs only that
// case, which is recorded with the seed and index that regenerate it, and a fresh worker goes on.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { caseSpec } from './cases.mjs';

const defaultWorker = fileURLToPath(new URL('./worker.mjs', import.meta.url));

/** Outcomes that fail a run; the others are reported. */
export const FAILURES = ['crash', 'hang', 'silent acceptance', 'broken-after'];
export const OUTCOMES = ['ok', 'clear error', 'vague error', ...FAILURES];

// The address-space limit keeps a case that asks for a huge buffer from swapping the machine
// (with overcommit a big allocation can succeed and only fail when touched); the library must
// turn the failed allocation into an Error.
const ADDRESS_SPACE_KIB = 8 * 1024 * 1024;

function startWorker(workerPath) {
  // Generated kernels are built by a compiler in the background; waiting for a queue of them
  // (waitForKernels) can outlast a case's timeout, so workers run compiled programs in the
  // interpreter unless MLX_TS_JIT says otherwise (`MLX_TS_JIT=async pnpm fuzz`).
  const env = { ...process.env, MLX_TS_JIT: process.env.MLX_TS_JIT ?? 'off' };
  const child = spawn('bash', ['-c', `ulimit -v ${ADDRESS_SPACE_KIB} && exec "$0" "$1"`, process.execPath, workerPath], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env,
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-2000);
  });
  const ready = new Promise((resolve, reject) => {
    child.once('message', (m) => (m && m.ready ? resolve() : reject(new Error(`fuzz worker: unexpected first message ${JSON.stringify(m)}`))));
    child.once('exit', (code, signal) => reject(new Error(`fuzz worker exited while starting (${signal ?? code}): ${stderr}`)));
  });
  return { child, ready, stderr: () => stderr };
}

function runOne(worker, seed, index, timeoutMs) {
  return new Promise((resolve) => {
    const { child } = worker;
    const done = (result) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(result);
    };
    const onMessage = (m) => done({ ...m, seed, index });
    const onExit = (code, signal) =>
      done({
        seed,
        index,
        outcome: 'crash',
        message: `worker died (${signal ?? `exit ${code}`}): ${worker.stderr().trim().split('\n').slice(-3).join(' | ')}`,
      });
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      child.kill('SIGKILL');
      done({ seed, index, outcome: 'hang', message: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send({ seed, index });
  });
}

/**
 * Runs cases `first .. first + count - 1` of `seed` on `workers` workers; each result carries
 * family, label, outcome and message. `onResult` sees each as it comes (for progress). `worker`
 * is the worker script (the supervisor's own test swaps in one that misbehaves on purpose).
 */
export async function runFuzz({ seed, count, first = 0, workers = 1, timeoutMs = 20000, onResult = () => {}, worker: workerPath = defaultWorker }) {
  const results = [];
  let next = first;
  const end = first + count;
  async function lane() {
    let worker = startWorker(workerPath);
    await worker.ready;
    while (next < end) {
      const index = next++;
      const result = await runOne(worker, seed, index, timeoutMs);
      if (result.family === undefined) {
        // The worker died or went silent before it could say which case it ran.
        const { family, label } = caseSpec(seed, index);
        Object.assign(result, { family, label });
      }
      results.push(result);
      onResult(result);
      if (
        worker.child.exitCode !== null ||
        worker.child.signalCode !== null ||
        result.outcome === 'hang' ||
        result.outcome === 'crash' ||
        result.outcome === 'broken-after'
      ) {
        worker.child.kill('SIGKILL');
        worker = startWorker(workerPath);
        await worker.ready;
      }
    }
    worker.child.kill('SIGKILL');
  }
  await Promise.all(Array.from({ length: workers }, lane));
  return results.sort((a, b) => a.index - b.index);
}

/** Counts per family and outcome. */
export function summarize(results) {
  const byFamily = {};
  for (const r of results) {
    const row = (byFamily[r.family ?? '(unknown)'] ??= Object.fromEntries(OUTCOMES.map((o) => [o, 0])));
    row[r.outcome]++;
  }
  const totals = Object.fromEntries(OUTCOMES.map((o) => [o, results.filter((r) => r.outcome === o).length]));
  return { byFamily, totals, failures: results.filter((r) => FAILURES.includes(r.outcome)) };
}
