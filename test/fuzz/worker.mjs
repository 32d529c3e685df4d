// One fuzz worker: regenerates case (seed, index), runs it, classifies what happened, and checks
// the library still gives right answers afterwards. The supervisor watches for death and silence.
import * as mx from 'mlx-ts';
import { caseSpec, runCase } from './cases.mjs';

// Errors thrown by the engine rather than by a check of ours: they say nothing about the input.
const ENGINE_MESSAGE =
  /is not a function|is not iterable|Cannot read properties|Cannot convert|Maximum call stack|Invalid array length|Do not know how to serialize|circular structure|is not defined|Cannot mix BigInt|not a constructor|Invalid typed array length/;

function forceValues(value, seen = new Set()) {
  // Lazy ops can defer an error to evaluation; reading every Array reached makes it surface here.
  if (value instanceof mx.Array) return void value.tolist();
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  for (const v of Object.values(value)) forceValues(v, seen);
}

function classifyError(e, spec) {
  if (!(e instanceof Error)) return { outcome: 'vague error', message: `threw a non-Error: ${String(e)}` };
  const message = e.message;
  if (ENGINE_MESSAGE.test(message) || (e instanceof RangeError && !message.includes(':'))) return { outcome: 'vague error', message };
  const names = spec.names ?? [];
  if (names.length && !names.some((n) => message.includes(n)))
    return { outcome: 'vague error', message: `${message} (expected a mention of ${names.join(' or ')})` };
  return { outcome: 'clear error', message };
}

function canary() {
  const a = mx.add(mx.array([1, 2, 3]), 1).tolist();
  const g = mx
    .grad((x) => mx.sum(mx.multiply(x, x)))(mx.array([1, 2]))
    .tolist();
  const c = mx
    .compile((x) => mx.exp(mx.negative(x)))(mx.zeros([2]))
    .tolist();
  return (
    JSON.stringify([a, g, c]) ===
    JSON.stringify([
      [2, 3, 4],
      [2, 4],
      [1, 1],
    ])
  );
}

process.on('message', async ({ seed, index }) => {
  const spec = caseSpec(seed, index);
  let result;
  try {
    forceValues(await runCase(spec, mx));
    result = spec.expect === 'error' ? { outcome: 'silent acceptance', message: 'returned without an error' } : { outcome: 'ok', message: '' };
  } catch (e) {
    result = classifyError(e, spec);
  }
  let healthy;
  try {
    healthy = canary();
  } catch (e) {
    healthy = false;
    result.message += ` | canary threw: ${e?.message}`;
  }
  if (!healthy)
    result = { outcome: 'broken-after', message: `after the case, basic ops give wrong values or throw; the case gave: ${result.outcome} ${result.message}` };
  process.send({ family: spec.family, label: spec.label, ...result });
});
process.send({ ready: true });
