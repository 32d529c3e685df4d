/** `nn.valueAndGrad(model, fn)`: MLX's `nn.value_and_grad`. */
import { describeValue } from '@mlx-ts/core';
import { valueAndGrad as mxValueAndGrad } from '@mlx-ts/transforms';
import { Module, type ModuleParameters } from './module.js';

/**
 * Returns a function computing `[fn(...args), grads]`, the gradients of fn's scalar loss (the first
 * element when fn returns `[loss, ...aux]`) with respect to `model`'s trainable parameters, as a tree
 * shaped like `model.trainableParameters()`. During the call the parameters being differentiated are
 * swapped into the model (so `fn` reads them through the model, as in MLX) and the model's own arrays
 * are put back afterwards; other state fn assigns (BatchNorm's running statistics) is kept. Built on
 * `mx.valueAndGrad`, so it composes with `mx.compile` and `mx.vmap`.
 */
export function valueAndGrad<A extends unknown[], R>(model: Module, fn: (...args: A) => R): (...args: A) => [R, ModuleParameters] {
  if (!(model instanceof Module)) throw new Error(`nn.valueAndGrad: expected an nn.Module as the first argument, got ${describeValue(model)}`);
  if (typeof fn !== 'function') throw new Error(`nn.valueAndGrad: expected a function as the second argument, got ${describeValue(fn)}`);
  const inner = (params: ModuleParameters, ...args: A): R => {
    model.update(params);
    return fn(...args);
  };
  const vg = mxValueAndGrad(inner);
  const wrapped = (...args: A): [R, ModuleParameters] => {
    const params = model.trainableParameters();
    try {
      return vg(params, ...args) as [R, ModuleParameters];
    } finally {
      model.update(params);
    }
  };
  Object.defineProperty(wrapped, 'name', { value: `valueAndGrad(${fn.name || 'fn'})` });
  return wrapped;
}
