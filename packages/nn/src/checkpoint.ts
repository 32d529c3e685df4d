/** `nn.checkpoint(module, fn?)`: MLX's `nn.utils.checkpoint`. */
import { describeValue } from '@mlx-ts/core';
import { checkpoint as mxCheckpoint } from '@mlx-ts/transforms';
import { Module, type ModuleParameters } from './module.js';

/**
 * Wraps `fn` (default: `module.forward`) so that the backward pass recomputes it instead of keeping
 * its intermediate arrays, with the module's trainable parameters passed as explicit inputs of the
 * checkpoint (so their gradients flow through it). As in `valueAndGrad`, the parameters are swapped
 * into the module while fn runs and the module's own arrays are put back afterwards.
 */
export function checkpoint<M extends Module>(module: M): M['forward'];
export function checkpoint<A extends unknown[], R>(module: Module, fn: (...args: A) => R): (...args: A) => R;
export function checkpoint<A extends unknown[], R>(module: Module, fn?: (...args: A) => R): (...args: A) => R {
  if (!(module instanceof Module)) throw new Error(`nn.checkpoint: expected an nn.Module as the first argument, got ${describeValue(module)}`);
  if (fn !== undefined && typeof fn !== 'function') throw new Error(`nn.checkpoint: expected a function as the second argument, got ${describeValue(fn)}`);
  const body = fn ?? ((...args: A) => module.forward(...args) as R);
  const inner = (params: ModuleParameters, ...args: A): R => {
    const own = module.trainableParameters();
    module.update(params);
    try {
      return body(...args);
    } finally {
      module.update(own);
    }
  };
  const cp = mxCheckpoint(inner);
  const wrapped = (...args: A): R => cp(module.trainableParameters(), ...args) as R;
  Object.defineProperty(wrapped, 'name', { value: `checkpoint(${body.name || 'fn'})` });
  return wrapped;
}
