/**
 * `mx.eval` and `mx.asyncEval`: evaluate arrays and pytrees of arrays (nested JS arrays, plain
 * objects and tree-node instances such as nn Modules). Leaves that are not Arrays are ignored, as in MLX.
 */
import { Array } from '../array.js';
import { asyncEvalArrays, evalArrays } from '../eval.js';
import { objectNodeKeys } from '../tree.js';

/** Collects the Arrays of a pytree (JS arrays, object nodes, Maps), depth-first, each once. */
function collect(args: readonly unknown[]): readonly Array[] {
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
    } else if (x instanceof Map) {
      seenContainers.add(x);
      const vals = [...x.values()];
      for (let i = vals.length - 1; i >= 0; i--) stack.push(vals[i]);
    } else {
      // Class instances are leaves unless they are tree nodes (an nn Module).
      const keys = objectNodeKeys(x);
      if (keys === null) continue;
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
  evalArrays(collect(args));
}

/** Evaluates like `eval`, on a backend worker thread where the backend has one; resolves when done. */
export function asyncEval(...args: unknown[]): Promise<void> {
  return asyncEvalArrays(collect(args));
}

export { evalFn as eval };
