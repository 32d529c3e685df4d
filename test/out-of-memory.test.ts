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
    expect(message, name).toMatch(/cpu backend: \w+ \(step \d+\): out of memory/);
  }
}, 60_000);
