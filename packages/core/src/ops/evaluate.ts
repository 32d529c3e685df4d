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
import { foldTree, type TreePosition } from '../tree.js';

/** Collects the Arrays of the pytrees (JS arrays, object nodes), depth-first, in `foldTree`'s walk. */
function collect(fn: string, args: readonly unknown[]): readonly Array[] {
  // The common call, `eval(a, b)`, needs no walk: the evaluator already skips repeats.
  if (args.every((x) => x instanceof Array)) return args as readonly Array[];
  const out: Array[] = [];
  const leaf = (x: unknown, at: TreePosition): void => {
    if (x instanceof Array) out.push(x);
    else if (typeof x === 'object' && x !== null) {
      throw new Error(`${fn}: cannot evaluate ${describeValue(x)} at ${at.where()}: expected Arrays, or JS arrays, plain objects and nn Modules holding them`);
    }
  };
  args.forEach((x, i) => foldTree<void>(fn, x, { root: `argument ${i}`, leaf }));
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
