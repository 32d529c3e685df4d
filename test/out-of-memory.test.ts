// An allocation that cannot be satisfied must be an Error naming the op, on every path, and the
// library must keep working afterwards. It runs in a child process because the failure this guards
// against (V8's fatal ArrayBuffer allocation) kills the process rather than throwing.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

const script = `
import * as mx from 'mlx-ts';
const cases = {
  'eval(add(zeros([1e12]), 1))': () => mx.eval(mx.add(mx.zeros([1e12]), 1)),
  'zeros([1e12]).toTypedArray()': () => mx.zeros([1e12]).toTypedArray(),
  'String(add(zeros([1e6, 1e6]), 1))': () => String(mx.add(mx.zeros([1e6, 1e6]), 1)),
  'eval(sum(eye(2e6)))': () => mx.eval(mx.sum(mx.eye(2e6))),
  'random.normal([1e12])': () => mx.eval(mx.random.normal([1e12])),
  'matmul([1e6, 1], [1, 1e6])': () => mx.eval(mx.matmul(mx.ones([1e6, 1]), mx.ones([1, 1e6]))),
  'compiled exp': () => mx.eval(mx.compile((x) => mx.exp(mx.add(x, 1)))(mx.zeros([1e12]))),
};
const out = {};
for (const [name, f] of Object.entries(cases)) {
  try { f(); out[name] = 'no error'; } catch (e) { out[name] = String(e && e.message); }
}
try { await mx.asyncEval(mx.add(mx.zeros([1e12]), 1)); out.asyncEval = 'no error'; } catch (e) { out.asyncEval = String(e.message); }
out.after = mx.add(mx.array([1, 2]), 3).tolist();
console.log(JSON.stringify(out));
`;

test('failed allocations throw an Error naming the op and the library keeps working', async () => {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root, maxBuffer: 1 << 20 });
  const out = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  const { after, ...failures } = out;
  expect(after).toEqual([4, 5]);
  for (const [name, message] of Object.entries(failures)) {
    expect(message, name).toMatch(/^cpu backend: \w+ \(step \d+\): out of memory: \d+ bytes for an output of shape \[[\d, ]+\] \(\w+\)$/);
  }
  expect(failures['eval(add(zeros([1e12]), 1))']).toContain(
    'add (step 0): out of memory: 4000000000000 bytes for an output of shape [1000000000000] (float32)',
  );
}, 60_000);

// Under an address-space limit an allocation fails far below the machine's memory, where a plain
// output of a few GiB is refused; the process must survive that too.
test('an 8 GiB output under a 4 GiB address-space limit is an Error', async () => {
  const limited = `
import * as mx from 'mlx-ts';
let message = 'no error';
try { mx.eval(mx.add(mx.zeros([2 ** 31]), 1)); } catch (e) { message = e.message; }
console.log(JSON.stringify({ message, after: mx.multiply(mx.array([1, 2]), 2).tolist() }));
`;
  const { stdout } = await run('bash', ['-c', 'ulimit -v 4194304 && exec "$0" --input-type=module -e "$1"', process.execPath, limited], {
    cwd: root,
  });
  const out = JSON.parse(stdout.trim().split('\n').pop()!) as { message: string; after: number[] };
  expect(out.message).toBe('cpu backend: add (step 0): out of memory: 8589934592 bytes for an output of shape [2147483648] (float32)');
  expect(out.after).toEqual([2, 4]);
}, 60_000);
