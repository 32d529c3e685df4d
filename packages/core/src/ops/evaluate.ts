/**
 * `mx.eval` and `mx.asyncEval`: evaluate arrays and pytrees of arrays (nested JS arrays, plain
 * objects and tree-node instances such as nn Modules: the tree rules every transform follows).
 * Numbers, strings, booleans, null and undefined are ignored, as MLX ignores non-array leaves;
 * any other object (a class instance, a Map) is an Error, since skipping it would silently leave
 * its arrays unevaluated and a training loop's graph growing.
 */
import { Array } from '../array.js';
import { asyncEvalArrays, evalArrays } from '../eval.js';
import { describeValue } from '../describe.js';
import { objectNodeKeys } from '../tree.js';

/** Collects the Arrays of a pytree (JS arrays, object nodes), depth-first, each once. */
function collect(fn: string, args: readonly unknown[]): readonly Array[] {
  // The common call, `eval(a, b)`, needs no walk: the evaluator already skips repeats.
  if (args.every((x) => x instanceof Array)) return args as readonly Array[];
  const out: Array[] = [];
  const seenArrays = new Set<Array>();
  const seenContainers = new Set<object>();
  const stack: unknown[] = [...args].reverse();
  while (stack.length > 0) {
    const x = stack.pop();
    if (x instanceof Array) {
      if (!seenArrays.has(x)) {
        seenArrays.add(x);
        out.push(x);
      }
      continue;
    }
    if (typeof x !== 'object' || x === null || seenContainers.has(x)) continue;
    if (globalThis.Array.isArray(x)) {
      seenContainers.add(x);
      for (let i = x.length - 1; i >= 0; i--) stack.push(x[i]);
    } else {
      const keys = objectNodeKeys(x);
      if (keys === null) {
        throw new Error(`${fn}: cannot evaluate ${describeValue(x)}: expected Arrays, or JS arrays, plain objects and nn Modules holding them`);
      }
      seenContainers.add(x);
      for (let i = keys.length - 1; i >= 0; i--) stack.push((x as Record<string, unknown>)[keys[i]!]);
    }
  }
  return out;
}

/**
 * Evaluates the given arrays, and every array in the given pytrees, now. Exported as `eval`
 * (`mx.eval(loss, model.parameters())`).
 */
export function evalFn(...args: unknown[]): void {
  evalArrays(collect('eval', args));
}

/** Evaluates like `eval`, on a backend worker thread where the backend has one; resolves when done. */
export function asyncEval(...args: unknown[]): Promise<void> {
  return asyncEvalArrays(collect('asyncEval', args));
}

export { evalFn as eval };
