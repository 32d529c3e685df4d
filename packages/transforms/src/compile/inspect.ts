/** Test and tooling access to compile's passes (not exported from mlx-ts). */
import { compile } from './index.js';
import { internalsOf } from './internals.js';

/** The simplified and fused graphs `compile(f)` makes for these arguments, with the passes' statistics. */
export function inspectCompiled(f: (...args: any[]) => unknown, ...args: unknown[]) {
  const internals = internalsOf.get(f) ?? internalsOf.get(compile(f))!;
  return internals.optimize(args);
}
