// mx.distributed over real MPI processes: each case starts `mpirun -np N node worker.mjs <case>`
// (test/distributed/worker.mjs checks its own results). Without Open MPI these tests fail saying
// what to install: CI installs it (.ci/run), so a missing MPI is a broken setup, never a pass.
// The workers import the built `mlx-ts` (run `tsc -b` first, as CI's typecheck does).
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import * as mx from 'mlx-ts';
import { distributedInfo } from '@mlx-ts/cpu-backend';

const worker = fileURLToPath(new URL('./distributed/worker.mjs', import.meta.url));
const mpirun = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v mpirun'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
})();
const missing = 'Open MPI is not installed: apt-get install openmpi-bin libopenmpi-dev (CI installs it in .ci/run)';

/** Runs the scenario (or a script with its arguments) on `np` processes; returns mpirun's status and output. */
function launch(np: number, scenario: string, env: Record<string, string> = {}, script = [worker, scenario]) {
  if (!mpirun) throw new Error(missing);
  const r = spawnSync(mpirun, ['--oversubscribe', '--allow-run-as-root', '--mca', 'btl', 'self,vader', '-np', String(np), process.execPath, ...script], {
    encoding: 'utf8',
    timeout: 90_000,
    env: { ...process.env, MLX_TS_DISTRIBUTED_TIMEOUT: '20', ...env },
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}`, timedOut: r.error !== undefined };
}

function expectOk(np: number, scenario: string) {
  const { status, out } = launch(np, scenario);
  for (let r = 0; r < np; r++) expect(out, out).toContain(`ok ${scenario} ${r}`);
  expect(status, out).toBe(0);
}

describe('mx.distributed without a launcher', () => {
  test('MPI is installed and loadable (else: install openmpi-bin)', () => {
    const info = distributedInfo();
    expect(mpirun, missing).not.toBeNull();
    expect(info.error).toBe('');
    expect(info.available).toBe(true);
    expect(info.library).toMatch(/libmpi/);
    expect(info.version).toMatch(/Open MPI/);
    expect(mx.distributed.isAvailable()).toBe(true);
  });

  test('init gives the group of one process, over which every collective is the identity', () => {
    const g = mx.distributed.init();
    expect([g.rank(), g.size()]).toEqual([0, 1]);
    expect(mx.distributed.init()).toBe(g);
    const x = mx.array([1, 2, 3]);
    expect(mx.distributed.allSum(x)).toBe(x);
    expect(mx.distributed.allGather(x, { group: g })).toBe(x);
    expect(mx.distributed.allMax(x).tolist()).toEqual([1, 2, 3]);
    expect(() => mx.distributed.send(x, 0)).toThrow(/send: cannot send to another process in a group of one/);
    expect(() => mx.distributed.recv([2], mx.float32, 0)).toThrow(/recv: cannot receive/);
    expect(() => g.split(0)).toThrow(/cannot be split/);
  });

  test('init({strict}) says what is missing and how to launch', () => {
    expect(() => mx.distributed.init({ strict: true })).toThrow(/not started by an MPI launcher.*mpirun -np 2 node.*apt-get install openmpi-bin/);
    expect(() => mx.distributed.init({ backend: 'nccl' as never })).toThrow(/init: expected backend to be one of 'mpi', 'any', got a string \('nccl'\)/);
    expect(() => mx.distributed.allSum([1], { group: 3 as never })).toThrow(/allSum: expected group to be a Group/);
  });

  test('a missing library is reported with the install command', () => {
    const r = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "import { distributedInfo } from '@mlx-ts/cpu-backend'; console.log(JSON.stringify(distributedInfo()))"],
      { encoding: 'utf8', env: { ...process.env, MLX_TS_MPI: '/nonexistent/libmpi.so' }, cwd: fileURLToPath(new URL('../packages/mlx-ts', import.meta.url)) },
    );
    expect(r.stdout + r.stderr).toMatch(/no MPI library found.*apt-get install openmpi-bin libopenmpi-dev/);
  });

  test('nn.averageGradients returns the gradients of a single process unchanged', () => {
    const grads = { w: mx.ones([2]), b: [mx.zeros([3])] };
    expect(mx.nn.averageGradients(grads)).toBe(grads);
    expect(() => mx.nn.averageGradients(grads, { allReduceSizes: 1 } as never)).toThrow(/unknown option 'allReduceSizes'/);
  });
});

describe.each([2, 3])('mx.distributed on %i MPI processes', (np) => {
  test('every collective, every dtype, sizes 0, 1 and 1e6+3, strided inputs, send/recv', () => expectOk(np, 'collectives'));
  test('grad, jvp, vmap and compile through the collectives', () => expectOk(np, 'grad'));
  test('split groups', () => expectOk(np, 'split'));
  test('asyncEval runs a collective while the main thread computes', () => expectOk(np, 'overlap'));
  test('averageGradients batches arrays into few messages', () => expectOk(np, 'average'));
  test('examples/distributed trains the digits CNN as one process on the concatenated batches would', () => {
    const train = fileURLToPath(new URL('../examples/distributed/train.mjs', import.meta.url));
    const { status, out } = launch(np, 'example', {}, [train, '--steps', '4', '--batch', String(16 * np), '--check']);
    expect(out, out).toMatch(/max \|data-parallel - single-process\| over the parameters: /);
    expect(status, out).toBe(0);
  });
  test('a process that fails mid-step makes the others fail with an Error naming the collective', () => {
    const { out, timedOut } = launch(np, 'failure', { MLX_TS_DISTRIBUTED_TIMEOUT: '2' });
    expect(timedOut, out).toBe(false);
    for (let r = 0; r < np; r++) {
      if (r !== 1) expect(out, out).toMatch(new RegExp(`rank ${r} error: .*allSum: timed out after 2 s`));
    }
  });
});
